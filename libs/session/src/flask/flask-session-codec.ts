import { SessionValueError } from '../session.errors.js';
import { FlaskJsonError, fromFlaskJson, toFlaskJson } from './tagged-json.js';

/** Where Flask keeps `session.permanent`: a key of the session's own data. */
export const PERMANENT_KEY = '_permanent';

export interface FlaskSessionState {
  data: Record<string, unknown>;
  permanent: boolean;
}

/**
 * A session's data and permanent flag as the JSON of a Flask session: Flask's `session.permanent`
 * is the key `_permanent` of the data, present (true) only for a permanent session here (Flask
 * may also write it false). Throws SessionValueError for a `_permanent` key in the data.
 */
export function encodeFlaskSession(data: Record<string, unknown>, permanent: boolean): string {
  if (Object.hasOwn(data, PERMANENT_KEY)) {
    throw new SessionValueError(
      PERMANENT_KEY,
      PERMANENT_KEY,
      "is Flask's session.permanent flag; set session.permanent instead",
    );
  }
  return toFlaskJson(permanent ? { ...data, [PERMANENT_KEY]: true } : data);
}

/**
 * The data and permanent flag of a Flask session's JSON, `_permanent` popped out of the data.
 * Throws (FlaskJsonError, SyntaxError) for anything but an object whose `_permanent`, if any,
 * is a boolean.
 */
export function decodeFlaskSession(json: string): FlaskSessionState {
  const data = fromFlaskJson(json);
  if (data === null || typeof data !== 'object' || Array.isArray(data) || data instanceof Date)
    throw new FlaskJsonError('a session is an object');
  const record = data as Record<string, unknown>;
  const flag = record[PERMANENT_KEY];
  if (flag !== undefined && typeof flag !== 'boolean')
    throw new FlaskJsonError('_permanent is not a boolean');
  delete record[PERMANENT_KEY];
  return { data: record, permanent: flag === true };
}
