export interface CookieStoreOptions {
  /**
   * Encrypt the payload with AES-256-GCM so the client cannot read it (it can never change it:
   * the cookie is signed either way). Costs about 7 µs per request. Default `false`.
   */
  encrypt?: boolean;
}

/**
 * The default store: the whole session in one signed cookie, Flask style. No server state;
 * the session must fit in 4 KB, and a cookie cannot be revoked before it expires (keep the
 * lifetime short, or use a server-side store, if logout must end a session everywhere).
 */
export class CookieStore {
  readonly name = 'cookie';
  readonly encrypt: boolean;

  constructor(options: CookieStoreOptions = {}) {
    if (options.encrypt !== undefined && typeof options.encrypt !== 'boolean') {
      throw new TypeError(
        `CookieStore option encrypt must be true or false, got ${typeof options.encrypt}`,
      );
    }
    this.encrypt = options.encrypt ?? false;
  }
}
