import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SessionCookieLines } from '../cookie/cookie-header.js';
import { FlaskCookieStrategy } from '../lifecycle/flask-cookie-strategy.js';
import type { SessionDiagnostics } from '../session.diagnostics.js';
import { SessionConfigError, SessionTooLargeError } from '../session.errors.js';
import { type SessionModuleOptions, resolveSessionOptions } from '../session-options.js';
import { RequestSession } from '../session.js';
import { FlaskCookieStore } from '../stores/flask-cookie-store.js';
import { SessionTestKit } from '../testing/session-test-kit.js';
import {
  BYTES,
  COMPRESSED,
  LOGIN,
  OTHER_SALT,
  RICH,
  SECRET_A,
  SECRET_B,
  SIGNED_AT_MS,
  UNDER_B,
} from './flask.vectors.js';

function strategy(options: Partial<SessionModuleOptions> = {}, store = new FlaskCookieStore()) {
  const resolved = resolveSessionOptions({ secretKey: SECRET_A, store, ...options });
  const badSignature = jest.fn();
  const diagnostics = { badSignature } as unknown as SessionDiagnostics;
  const lines = new SessionCookieLines(resolved.cookie, resolved.permanentLifetime);
  return { flask: new FlaskCookieStrategy(store, resolved, diagnostics, lines), badSignature };
}

describe('FlaskCookieStrategy', () => {
  it("loads Flask's cookies: data, permanent, signing time, no issue time", () => {
    const { flask } = strategy();
    const login = flask.load(LOGIN.cookie, SIGNED_AT_MS);
    expect(login.isNew).toBe(false);
    expect(login.snapshotData()).toEqual(LOGIN.data);
    expect(login.permanent).toBe(false);
    expect(login.signedAt).toBe(SIGNED_AT_MS);
    expect(login.issuedAt).toBeUndefined();
    const rich = flask.load(RICH.cookie, SIGNED_AT_MS);
    expect(rich.snapshotData()).toEqual(RICH.data);
    expect(rich.permanent).toBe(true);
    expect(flask.load(COMPRESSED.cookie, SIGNED_AT_MS).snapshotData()).toEqual(COMPRESSED.data);
  });

  it('writes the same cookie as Flask for the same data and time (uncompressed)', () => {
    const { flask } = strategy();
    const session = new RequestSession(true, undefined);
    session.update(LOGIN.data);
    expect(flask.issue(session, 0, SIGNED_AT_MS)).toBe(LOGIN.cookie);
  });

  it('refuses bytes, a foreign salt and an unknown key, the latter told to diagnostics', () => {
    const { flask, badSignature } = strategy();
    expect(flask.load(BYTES.cookie, SIGNED_AT_MS).isNew).toBe(true);
    expect(badSignature).not.toHaveBeenCalled();
    expect(flask.load(OTHER_SALT.cookie, SIGNED_AT_MS).isNew).toBe(true);
    expect(flask.load(UNDER_B.cookie, SIGNED_AT_MS).isNew).toBe(true);
    expect(badSignature).toHaveBeenCalledTimes(2);
    const salted = strategy({}, new FlaskCookieStore({ salt: OTHER_SALT.salt })).flask;
    expect(salted.load(OTHER_SALT.cookie, SIGNED_AT_MS).snapshotData()).toEqual(OTHER_SALT.data);
  });

  it('takes the first valid cookie of several, and rotates keys', () => {
    const { flask } = strategy({ secretKey: [SECRET_A, SECRET_B] });
    const session = flask.load(['junk', UNDER_B.cookie], SIGNED_AT_MS);
    expect(session.snapshotData()).toEqual(UNDER_B.data);
  });

  it('enforces the permanent lifetime and the idle timeout on the signing time', () => {
    const { flask } = strategy({ permanentLifetime: 3600_000, idleTimeout: 600_000 });
    expect(flask.load(LOGIN.cookie, SIGNED_AT_MS + 600_000).isNew).toBe(false);
    expect(flask.load(LOGIN.cookie, SIGNED_AT_MS + 601_000).isNew).toBe(true);
  });

  it('refreshes a permanent session by re-signing the same payload', () => {
    const { flask } = strategy();
    const session = flask.load(RICH.cookie, SIGNED_AT_MS);
    const action = flask.commit(session, SIGNED_AT_MS + 5000);
    if (action.kind !== 'set') throw new Error(`expected a cookie, got ${action.kind}`);
    expect(action.permanent).toBe(true);
    const payloadOf = (cookie: string) => cookie.split('.').slice(0, -2).join('.');
    expect(payloadOf(action.value)).toBe(payloadOf(RICH.cookie));
    expect(action.value).not.toBe(RICH.cookie);
    expect(flask.load(action.value, SIGNED_AT_MS + 5000).signedAt).toBe(SIGNED_AT_MS + 5000);
  });

  it('refuses a session over 4 KB as the cookie store does', () => {
    const { flask } = strategy();
    const session = new RequestSession(true, undefined);
    session.set('noise', randomBytes(3000).toString('base64'));
    expect(() => flask.issue(session, 0, SIGNED_AT_MS)).toThrow(SessionTooLargeError);
  });
});

describe('FlaskCookieStore options', () => {
  it('validates the salt', () => {
    expect(new FlaskCookieStore().salt).toBe('cookie-session');
    expect(() => new FlaskCookieStore({ salt: '' })).toThrow(/salt must be a non-empty string/);
    expect(() => new FlaskCookieStore({ salt: 5 as unknown as string })).toThrow(TypeError);
    expect(() => new FlaskCookieStore({ sault: 'x' } as never)).toThrow(/unknown option sault/);
  });

  it('refuses an explicit absoluteLifetime at boot, and keeps the other lifetimes', () => {
    const store = new FlaskCookieStore();
    expect(() =>
      resolveSessionOptions({ secretKey: SECRET_A, store, absoluteLifetime: 86400_000 }),
    ).toThrow(SessionConfigError);
    expect(() =>
      resolveSessionOptions({ secretKey: SECRET_A, store, absoluteLifetime: 86400_000 }),
    ).toThrow(
      /carries no issue time, so absoluteLifetime cannot be enforced with FlaskCookieStore/,
    );
    expect(
      resolveSessionOptions({
        secretKey: SECRET_A,
        store,
        permanentLifetime: 1000,
        idleTimeout: 500,
      }).store,
    ).toBe(store);
  });

  it('is named in the unknown-store message', () => {
    expect(() => resolveSessionOptions({ secretKey: SECRET_A, store: {} as never })).toThrow(
      /new FlaskCookieStore\(\)/,
    );
  });
});

describe('SessionTestKit on FlaskCookieStore', () => {
  const kit = () =>
    SessionTestKit.forOptions({ secretKey: SECRET_A, store: new FlaskCookieStore() });

  it('makes cookies the store reads, aged by signedAt', async () => {
    const pair = await kit().cookieWith({ username: 'ana' }, { signedAt: SIGNED_AT_MS });
    const session = strategy().flask.load(pair.slice('session='.length), SIGNED_AT_MS + 1000);
    expect(session.isNew).toBe(false);
    expect(session.get('username')).toBe('ana');
  });

  it('refuses issuedAt, which the format cannot carry, instead of ignoring it', async () => {
    await expect(kit().cookieWith({ a: 1 }, { issuedAt: Date.now() })).rejects.toThrow(
      /FlaskCookieStore's cookie carries no issue time/,
    );
  });
});
