import {
  ForbiddenException,
  HttpException,
  HttpStatus,
  ServiceUnavailableException,
} from '@nestjs/common';

/** Boot-time misconfiguration: one message with a `path: problem` line per issue. */
export class SessionConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`SessionModule options are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SessionConfigError';
  }
}

/** The app runs on an HTTP platform the module cannot mount on: the boot fails with this. */
export class SessionPlatformError extends Error {
  constructor(readonly platform: string | undefined) {
    super(
      `SessionModule cannot run on the HTTP platform ${platform === undefined ? '(unknown)' : `"${platform}"`}: ` +
        'it supports @nestjs/platform-express and @nestjs/platform-fastify. Create the app with one of them: ' +
        'NestFactory.create(AppModule) for Express, or NestFactory.create(AppModule, new FastifyAdapter()).',
    );
    this.name = 'SessionPlatformError';
  }
}

/** `session.pop(key)` on a missing key without a default: Flask's KeyError. */
export class SessionKeyError extends Error {
  constructor(readonly key: string) {
    super(`Session has no key "${key}"; pass a default to pop() to allow a missing key`);
    this.name = 'SessionKeyError';
  }
}

/** A value the session cannot store faithfully (function, class instance, cycle, BigInt...). */
export class SessionValueError extends TypeError {
  constructor(
    readonly key: string,
    readonly path: string,
    problem: string,
  ) {
    super(
      `Session value for key "${key}" cannot be stored: ${path} ${problem}. ` +
        'Sessions hold JSON values (objects, arrays, strings, finite numbers, booleans, null) and Date.',
    );
    this.name = 'SessionValueError';
  }
}

/**
 * The session would not fit: in a cookie (the browser would drop it silently), or under a
 * server-side store's `maxSessionBytes`.
 */
export class SessionTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly largestKeys: string[],
    readonly limit?: { maxSessionBytes: number; store: string },
  ) {
    const keys = `largest keys: ${largestKeys.join(', ') || '(none)'}`;
    super(
      limit === undefined
        ? `Session cookie would be ${bytes} bytes, over the 4093-byte limit browsers accept; ${keys}. ` +
            'Store less in the session or use a server-side store (MemoryStore, FileStore, RedisStore).'
        : `Session would take ${bytes} bytes in the ${limit.store} store, over maxSessionBytes ` +
            `(${limit.maxSessionBytes}); ${keys}. Store less in the session or raise maxSessionBytes.`,
    );
    this.name = 'SessionTooLargeError';
  }
}

/**
 * A bounded store (MemoryStore, FileStore) is full of live sessions, so it refused a new one
 * rather than evict a user's: the request answers 503 and the log carries this message.
 */
export class SessionStoreFullError extends Error {
  constructor(
    readonly store: string,
    readonly limit: number,
  ) {
    super(
      `${store} is full: it holds its limit of ${limit} live sessions (maxEntries), so it refused ` +
        'a new one and kept every existing session. Raise maxEntries, or use a server store such ' +
        'as RedisStore.',
    );
    this.name = 'SessionStoreFullError';
  }
}

/**
 * The session store failed or timed out. Mapped to 503: never a silent logout.
 * `cause` carries the store's own error for the log.
 */
export class SessionStoreError extends ServiceUnavailableException {
  constructor(operation: string, cause?: unknown) {
    super(
      { statusCode: HttpStatus.SERVICE_UNAVAILABLE, message: 'Session store unavailable' },
      { cause, description: `session store ${operation} failed` },
    );
    this.name = 'SessionStoreError';
  }
}

/** The per-session lock could not be taken in time (another request holds it). */
export class SessionLockTimeoutError extends ServiceUnavailableException {
  constructor() {
    super({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      message: 'Session is busy, retry the request',
    });
    this.name = 'SessionLockTimeoutError';
  }
}

/**
 * A call the handler made on the response, held while the session was saved, failed when it was
 * made (a bad argument to write()): the session is saved, the response is not. Internal.
 */
export class HeldResponseCallError extends Error {
  constructor(cause: unknown) {
    super('The response could not be written after the session was saved', { cause });
    this.name = 'HeldResponseCallError';
  }
}

/** Thrown by LoggedInGuard for HTML clients; LoginRedirectFilter turns it into a 302. */
export class LoginRedirectException extends HttpException {
  constructor(readonly location: string) {
    super('Login required', HttpStatus.FOUND);
    this.name = 'LoginRedirectException';
  }
}

/** An unsafe cross-origin browser request, refused with 403 before any handler runs. */
export class CrossOriginRefusedException extends ForbiddenException {
  constructor() {
    super({ statusCode: HttpStatus.FORBIDDEN, message: 'Cross-origin request refused' });
    this.name = 'CrossOriginRefusedException';
  }
}

/**
 * A cookie beside the session (`@Cookies()`) that cannot be set as asked: a name or value RFC
 * 6265 does not allow, an option browsers would reject, or a call after the headers left.
 */
export class CookieError extends TypeError {
  constructor(
    readonly cookie: string,
    problem: string,
  ) {
    super(`Cookie "${cookie}" cannot be set: ${problem}`);
    this.name = 'CookieError';
  }
}

/** A cookie whose Set-Cookie line is over the 4,093 bytes browsers keep: never a silent drop. */
export class CookieTooLargeError extends CookieError {
  constructor(
    cookie: string,
    readonly bytes: number,
  ) {
    super(
      cookie,
      `its Set-Cookie line would be ${bytes} bytes, over the 4093-byte limit browsers accept ` +
        '(they drop a bigger cookie silently). Store less in it, or keep the data on the server.',
    );
    this.name = 'CookieTooLargeError';
  }
}
