import { RequestSession } from '../session.js';
import { resolveSessionOptions } from '../session-options.js';
import {
  cookieMaxAge,
  idleRefreshDue,
  recordExpiry,
  withinAbsoluteLifetime,
} from './session-lifetime.js';
import { cookieDecision } from './session-strategy.js';

const SECRET = 'lifetime-spec-secret-0123456789-abcdefgh';
const NOW = 1_700_000_000_000;
const MIN = 60_000;
const DAY = 86400_000;

const lifetimes = (idleTimeout?: number) => ({
  permanentLifetime: 31 * DAY,
  absoluteLifetime: 90 * DAY,
  idleTimeout,
});

describe('session lifetimes', () => {
  it('a cookie may be as old as the permanent lifetime, or the idle timeout when shorter', () => {
    expect(cookieMaxAge(lifetimes())).toBe(31 * DAY);
    expect(cookieMaxAge(lifetimes(30 * MIN))).toBe(30 * MIN);
    expect(cookieMaxAge(lifetimes(40 * DAY))).toBe(31 * DAY);
  });

  it('the absolute lifetime counts from the issue time, up to and including its last ms', () => {
    expect(withinAbsoluteLifetime(NOW - 90 * DAY, NOW, lifetimes())).toBe(true);
    expect(withinAbsoluteLifetime(NOW - 90 * DAY - 1, NOW, lifetimes())).toBe(false);
    expect(withinAbsoluteLifetime(NOW, NOW, lifetimes())).toBe(true);
  });

  it('an issue time from the future is refused beyond a minute of clock skew', () => {
    expect(withinAbsoluteLifetime(NOW + 59_000, NOW, lifetimes())).toBe(true);
    expect(withinAbsoluteLifetime(NOW + 61_000, NOW, lifetimes())).toBe(false);
  });

  it('a record expires with its cookie, or at the end of the absolute lifetime if sooner', () => {
    expect(recordExpiry(NOW, NOW, lifetimes())).toBe(NOW + 31 * DAY);
    expect(recordExpiry(NOW, NOW, lifetimes(30 * MIN))).toBe(NOW + 30 * MIN);
    expect(recordExpiry(NOW - 80 * DAY, NOW, lifetimes())).toBe(NOW + 10 * DAY);
  });

  it('the idle deadline moves once a tenth of the timeout has passed, not before', () => {
    expect(idleRefreshDue(NOW - 3 * MIN, NOW, lifetimes(30 * MIN))).toBe(true);
    expect(idleRefreshDue(NOW - 3 * MIN + 1, NOW, lifetimes(30 * MIN))).toBe(false);
    expect(idleRefreshDue(NOW - 20 * DAY, NOW, lifetimes())).toBe(false);
  });
});

describe('cookieDecision and the idle timeout', () => {
  const loaded = (permanent: boolean, signedAt: number) =>
    new RequestSession(false, { data: { a: 1 }, permanent, issuedAt: signedAt, signedAt });

  it.each([false, true])(
    'a session read (permanent: %s) gets its cookie re-sent once the idle refresh is due',
    (permanent) => {
      const options = resolveSessionOptions({
        secretKey: SECRET,
        idleTimeout: 30 * MIN,
        refreshEachRequest: false,
      });
      expect(cookieDecision(loaded(permanent, NOW - MIN), options, NOW)).toBe('none');
      expect(cookieDecision(loaded(permanent, NOW - 4 * MIN), options, NOW)).toBe('refresh');
    },
  );

  it('without an idle timeout, a non-permanent session that is only read is never re-sent', () => {
    const options = resolveSessionOptions({ secretKey: SECRET });
    expect(cookieDecision(loaded(false, NOW - 20 * DAY), options, NOW)).toBe('none');
    expect(cookieDecision(loaded(true, NOW - 20 * DAY), options, NOW)).toBe('refresh');
  });

  it('a new session is never refreshed', () => {
    const options = resolveSessionOptions({ secretKey: SECRET, idleTimeout: 1000 });
    expect(cookieDecision(new RequestSession(true, undefined), options, NOW)).toBe('none');
  });
});
