import { FLASK_SALT } from '../flask/itsdangerous-signer.js';

export interface FlaskCookieStoreOptions {
  /**
   * itsdangerous' salt, Flask's `SecureCookieSessionInterface.salt`. Default `'cookie-session'`;
   * change it only if the Flask app changed it too.
   */
  salt?: string;
}

/**
 * The whole session in one cookie of exactly Flask's format (itsdangerous' URLSafeTimedSerializer
 * over Flask's tagged JSON, HMAC-SHA1 under the salt): a Flask app with the same secret key reads
 * this module's sessions and this module reads Flask's, both ways, logins included. The first of
 * `secretKey` is Flask's SECRET_KEY, the rest its SECRET_KEY_FALLBACKS (Flask 3.1).
 *
 * What the format cannot carry: an issue time (so `absoluteLifetime` cannot be enforced and is
 * refused at boot; `permanentLifetime` and `idleTimeout` are, on the signing time), Dates finer
 * than a second (Flask writes them as HTTP dates: milliseconds are dropped), and the difference
 * between 1 and 1.0 (integer-valued numbers are written as integers). Flask's tuples read as
 * arrays, Markup as strings, UUIDs as dashed hex strings, datetimes as Dates; a cookie holding
 * bytes is refused (nothing in JavaScript round-trips them). The key `_permanent` is Flask's
 * `session.permanent` and is not available as data.
 */
export class FlaskCookieStore {
  readonly name = 'flask';
  readonly salt: string;

  constructor(options: FlaskCookieStoreOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`FlaskCookieStore options must be an object, got ${typeof options}`);
    }
    for (const key of Object.keys(options)) {
      if (key !== 'salt')
        throw new TypeError(`FlaskCookieStore: unknown option ${key} (known: salt)`);
    }
    if (options.salt !== undefined && (typeof options.salt !== 'string' || options.salt === '')) {
      throw new TypeError(
        `FlaskCookieStore option salt must be a non-empty string, got ${
          typeof options.salt === 'string' ? 'an empty string' : typeof options.salt
        }`,
      );
    }
    this.salt = options.salt ?? FLASK_SALT;
  }
}
