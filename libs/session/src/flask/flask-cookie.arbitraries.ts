// fast-check arbitraries for sessions in Flask's format, shared by the unit and e2e property
// specs. Test-only: excluded from the build like the other arbitraries.
import fc from 'fast-check';
import { sessionData, storedForm } from '../session-values.arbitraries.js';

/** Years an HTTP date carries faithfully through Flask. */
const FIRST_MS = Date.UTC(100, 0, 1);
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** A value with every Date brought into the years Flask holds (the same second, when it was). */
function flaskDates(value: unknown): unknown {
  if (value instanceof Date) {
    const ms = value.getTime();
    return ms >= FIRST_MS && ms <= LAST_MS ? value : new Date(FIRST_MS + Math.abs(ms % 1e14));
  }
  if (Array.isArray(value)) return value.map(flaskDates);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value).map((k) => [k, flaskDates((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Session data Flask's format can hold, as session.set() takes it: any session data but the keys
 * `_permanent` (Flask's flag) and '' (not a session key), Dates in range.
 */
export const flaskSessionData: fc.Arbitrary<Record<string, unknown>> = sessionData
  .filter((data) => !Object.hasOwn(data, '_permanent') && !Object.hasOwn(data, ''))
  .map((data) => flaskDates(data) as Record<string, unknown>);

/** What Flask's format keeps of a value: storedForm, with Dates at whole seconds. */
export function flaskStoredForm(value: unknown): unknown {
  if (value instanceof Date) return new Date(Math.floor(value.getTime() / 1000) * 1000);
  if (Array.isArray(value)) return value.map(flaskStoredForm);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value).map((k) => [k, flaskStoredForm((value as Record<string, unknown>)[k])]),
    );
  }
  return storedForm(value);
}
