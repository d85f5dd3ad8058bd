import { CLOCK_SKEW_MS } from '../session.constants.js';

/** The lifetimes a session lives by, in ms (see SessionModuleOptions). */
export interface Lifetimes {
  permanentLifetime: number;
  absoluteLifetime: number;
  idleTimeout: number | undefined;
}

/** An idle deadline is moved once this share of the idle timeout has passed, not on every request. */
const IDLE_REFRESH_SHARE = 0.1;

/**
 * The oldest a session cookie may be since it was last signed: the permanent lifetime (which
 * also bounds non-permanent sessions, counted from their last write or refresh), shortened by
 * the idle timeout.
 */
export function cookieMaxAge(lifetimes: Lifetimes): number {
  const { permanentLifetime, idleTimeout } = lifetimes;
  return idleTimeout === undefined ? permanentLifetime : Math.min(permanentLifetime, idleTimeout);
}

/**
 * Whether a session issued at `issuedAt` still lives at `now`, whatever refreshes did since:
 * the one rule of the absolute lifetime, for every store. (The idle timeout and the permanent
 * lifetime are enforced on the cookie's signing time, see cookieMaxAge.) An issue time from
 * the future is as suspect as an old one.
 */
export function withinAbsoluteLifetime(
  issuedAt: number,
  now: number,
  lifetimes: Lifetimes,
): boolean {
  const age = now - issuedAt;
  return age <= lifetimes.absoluteLifetime && age >= -CLOCK_SKEW_MS;
}

/**
 * When a server-side record may be dropped, if nothing refreshes it: its cookie's last possible
 * moment or the absolute lifetime's end, whichever comes first.
 */
export function recordExpiry(issuedAt: number, now: number, lifetimes: Lifetimes): number {
  return Math.min(now + cookieMaxAge(lifetimes), issuedAt + lifetimes.absoluteLifetime);
}

/**
 * Whether the idle deadline should move on this request: once a tenth of the idle timeout has
 * passed since the cookie was signed, so a busy client does not get a new cookie (and a store
 * write) on every request. A session then ends between 0.9 and 1 times the idle timeout after
 * its last request.
 */
export function idleRefreshDue(signedAt: number, now: number, lifetimes: Lifetimes): boolean {
  const { idleTimeout } = lifetimes;
  return idleTimeout !== undefined && now - signedAt >= idleTimeout * IDLE_REFRESH_SHARE;
}
