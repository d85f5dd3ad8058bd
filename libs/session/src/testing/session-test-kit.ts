import type { INestApplicationContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { SessionCookieLines, readCookie } from '../cookie/cookie-header.js';
import { outgoingCookie } from '../app-cookies/cookie-options.js';
import { SignedValues } from '../app-cookies/signed-values.js';
import { FlaskCookieStrategy } from '../lifecycle/flask-cookie-strategy.js';
import { ServerStrategy } from '../lifecycle/server-strategy.js';
import type { SessionStrategy } from '../lifecycle/session-strategy.js';
import { strategyForStore } from '../lifecycle/strategy-for-store.js';
import { SessionDiagnostics } from '../session.diagnostics.js';
import {
  type ResolvedSessionOptions,
  type SessionModuleOptions,
  resolveSessionOptions,
} from '../session-options.js';
import { SessionRuntime } from '../session.runtime.js';
import { RequestSession } from '../session.js';
import { type CookieIdentity, type SetCookieSource, cookieChange } from './set-cookie-source.js';

/** How the session of a test cookie was made. */
export interface TestSessionInit {
  /** Flask's `session.permanent`: the cookie outlives the browser. Default false. */
  permanent?: boolean;
  /** When its cookie was signed (the last refresh). Default now; an old time tests expiry. */
  signedAt?: Date | number;
  /** When the session was issued (the login), for the absolute lifetime. Default: `signedAt`. */
  issuedAt?: Date | number;
}

/** The session a response left for the client's next request. */
export interface SessionAfterResponse<TData extends object = Record<string, any>> {
  /** What the response did to the session cookie. */
  cookie: 'set' | 'cleared' | 'unchanged';
  /** Whether the next request carries a live session (false: it starts a new, empty one). */
  exists: boolean;
  /** The session's data as the next request will see it; `{}` when none exists. */
  data: Partial<TData>;
  permanent: boolean;
  /** The `name=value` pair to send with the next request; undefined when no session exists. */
  cookiePair: string | undefined;
}

/**
 * Sessions for an app's own e2e tests (Nest's testing module and supertest, or any HTTP client):
 * a cookie holding given data, as if an earlier request had saved it, and the session a response
 * left behind. It works through the app's own store and keys, so a server-side store gets a real
 * record and a changed secret or store shows up in the tests.
 */
export class SessionTestKit {
  /** The session cookie's name (`session` unless `cookie.name` says otherwise). */
  readonly cookieName: string;
  private readonly cookie: CookieIdentity;
  private readonly signedValues: SignedValues;

  private constructor(
    options: ResolvedSessionOptions,
    private readonly strategy: SessionStrategy,
  ) {
    const { name, path, domain } = options.cookie;
    this.cookieName = name;
    this.cookie = { name, path, domain };
    this.signedValues = new SignedValues(options.secrets);
  }

  /** The kit of an app (after `app.init()`), or of a testing module that imports SessionModule. */
  static for(app: INestApplicationContext): SessionTestKit {
    let runtime: SessionRuntime;
    try {
      runtime = app.get(SessionRuntime, { strict: false });
    } catch {
      throw new Error(
        'SessionTestKit.for(app): this app has no SessionModule. Import SessionModule.forRoot(...) ' +
          'in the module the test compiles, then call SessionTestKit.for(app) after app.init().',
      );
    }
    return new SessionTestKit(runtime.options, runtime.strategy);
  }

  /**
   * A kit with options of its own, outside any app: for instance another `secretKey`, to check
   * that the app refuses cookies it did not sign. Pass the app's store to write where it reads.
   */
  static forOptions(options: SessionModuleOptions): SessionTestKit {
    const resolved = resolveSessionOptions(options);
    const lines = new SessionCookieLines(resolved.cookie, resolved.permanentLifetime);
    return new SessionTestKit(
      resolved,
      strategyForStore(resolved, new SessionDiagnostics(), lines),
    );
  }

  /**
   * A `name=value` cookie pair whose session holds `data`, for a request's `Cookie` header. On a
   * server-side store the record is written first. Keys and values are checked as
   * `session.set()` checks them. `TData`, the app's session type, checks the keys at compile time.
   */
  async cookieWith<TData extends object = Record<string, any>>(
    data: Partial<TData>,
    init: TestSessionInit = {},
  ): Promise<string> {
    const session = new RequestSession<TData>(true, undefined);
    session.update(data);
    session.permanent = init.permanent ?? false;
    const signedAt = timeOf(init.signedAt, Date.now());
    if (init.issuedAt !== undefined && this.strategy instanceof FlaskCookieStrategy) {
      throw new Error(
        "SessionTestKit.cookieWith: FlaskCookieStore's cookie carries no issue time, so issuedAt " +
          'cannot be given; use signedAt for an aged cookie.',
      );
    }
    const value = await this.strategy.issue(session, timeOf(init.issuedAt, signedAt), signedAt);
    return `${this.cookieName}=${value}`;
  }

  /**
   * Server-side stores only: a cookie naming session `id`, signed by this kit's keys at
   * `signedAt`, whether or not a record has that id (the id part of a server store's cookie
   * value is the text before its first dot). For tests of unknown, re-signed or aged ids; an
   * id that is not 43 base64url characters is refused by the app before any lookup.
   */
  cookieForId(id: string, init: Pick<TestSessionInit, 'signedAt'> = {}): string {
    if (!(this.strategy instanceof ServerStrategy)) {
      throw new Error(
        `SessionTestKit.cookieForId: the ${this.strategy.storeName} store keeps the session in ` +
          'the cookie, not under an id. Use cookieWith(data) instead.',
      );
    }
    return `${this.cookieName}=${this.strategy.signId(id, timeOf(init.signedAt, Date.now()))}`;
  }

  /**
   * A `name=value` pair of a signed cookie, as `cookies.setSigned(name, value)` would have set
   * it under this kit's keys, for a route that reads it with `cookies.getSigned(name)`.
   * `expiresAt`: when the app stops accepting it (default: never).
   */
  signedCookie(name: string, value: string, init: { expiresAt?: Date | number } = {}): string {
    const expiresAt = init.expiresAt === undefined ? undefined : timeOf(init.expiresAt, 0);
    outgoingCookie(name, value, undefined, this.cookieName); // the checks setSigned makes
    return `${name}=${this.signedValues.sign(name, value, expiresAt)}`;
  }

  /**
   * The session a response left: read from the cookie it set, or, when it set none, from the
   * cookie the request sent (`sentCookie`: the pair, a whole `Cookie` header, or the array given
   * to supertest's `.set('Cookie', ...)`), whose record a server-side store may have changed.
   * The sent cookie is read as the app reads it: when its name repeats, the first live session.
   * `response`: a supertest or `inject()` response, a fetch `Response`, or its Set-Cookie lines;
   * when they set the cookie more than once, the last line wins, as in a browser.
   */
  async sessionAfter<TData extends object = Record<string, any>>(
    response: SetCookieSource,
    sentCookie?: string | readonly string[],
  ): Promise<SessionAfterResponse<TData>> {
    const change = cookieChange(response, this.cookie);
    if (change.kind === 'cleared') return noSession('cleared');
    const cookie = change.kind === 'set' ? 'set' : 'unchanged';
    const values = change.kind === 'set' ? [change.value] : this.sentValues(sentCookie);
    // As the app reads a name that repeats (one may be planted): the first live session wins.
    for (const value of values) {
      const session = await this.strategy.load(value, Date.now());
      if (session.isNew) continue;
      return {
        cookie,
        exists: true,
        data: { ...session.snapshotData() } as Partial<TData>,
        permanent: session.permanent,
        cookiePair: `${this.cookieName}=${value}`,
      };
    }
    return noSession(cookie);
  }

  /** The session cookie's values in a request's Cookie header, as the middleware reads them. */
  private sentValues(sent: string | readonly string[] | undefined): string[] {
    if (sent === undefined) return [];
    const header = typeof sent === 'string' ? sent : sent.join('; ');
    const found = readCookie({ headers: { cookie: header } } as IncomingMessage, this.cookieName);
    return found === undefined ? [] : typeof found === 'string' ? [found] : found;
  }
}

function noSession(cookie: SessionAfterResponse['cookie']): SessionAfterResponse<any> {
  return { cookie, exists: false, data: {}, permanent: false, cookiePair: undefined };
}

function timeOf(time: Date | number | undefined, fallback: number): number {
  if (time === undefined) return fallback;
  const ms = typeof time === 'number' ? time : time.getTime();
  if (!Number.isFinite(ms)) throw new TypeError(`SessionTestKit: not a time: ${String(time)}`);
  return ms;
}
