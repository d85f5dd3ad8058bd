import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import { type CookieJarSettings, RequestCookies } from '../app-cookies/request-cookies.js';
import { FlashMessages } from '../flash/flash-messages.js';
import type { RequestSession } from '../session.js';
import type { ReleaseLock } from '../stores/session-store.js';
import { type ResponseGate, gateOf } from './response-gate.js';

/** Who saves a context's session when its response is about to leave. */
export interface SessionCommitter {
  commit(context: SessionContext, res: ServerResponse): void | Promise<void>;
  fail(res: ServerResponse, error: unknown): void;
  /** What the request's cookies beside the session share. */
  readonly cookieJar: CookieJarSettings;
}

/**
 * One request's session state, reachable from its response (see response-gate.ts) and from
 * AsyncLocalStorage, and the gate of that response (methods, not closures: this runs on every
 * request). It holds no reference to the request or the response, on purpose: see
 * response-gate.ts.
 */
export class SessionContext implements ResponseGate {
  session: RequestSession | undefined;
  /** Why the session could not be loaded (store down): thrown at first use, so only routes that need it fail. */
  loadError: unknown;
  release: ReleaseLock | undefined;
  /**
   * An unsafe cross-origin request (see cross-origin.ts): its session is not saved, unless
   * CrossOriginGuard clears this for a route with @AllowCrossOrigin().
   */
  crossOriginRefused = false;
  gate: ResponseGate['gate'] = 'closed';
  held: ResponseGate['held'];
  /** The request's Cookie header, for `@Cookies()` (a string: no reference to the request). */
  cookieHeader: string | undefined;
  /** The cookies beside the session, made when first used. */
  cookies: RequestCookies | undefined;
  /** The flash messages, made when first used (they hold what this request consumed). */
  flash: FlashMessages | undefined;

  constructor(private readonly committer: SessionCommitter) {}

  /** The request's cookies beside the session. */
  requestCookies(): RequestCookies {
    return (this.cookies ??= new RequestCookies(this.cookieHeader, this.committer.cookieJar, this));
  }

  commit(res: ServerResponse): void | Promise<void> {
    return this.committer.commit(this, res);
  }

  fail(res: ServerResponse, error: unknown): void {
    this.committer.fail(res, error);
  }
}

export const sessionContextStorage = new AsyncLocalStorage<SessionContext>();

/** The session context of a response (the one its middleware registered as the response's gate). */
export function contextOf(res: object): SessionContext | undefined {
  const gate = gateOf(res);
  return gate instanceof SessionContext ? gate : undefined;
}

/** The context of the request being handled (AsyncLocalStorage), for the services. */
export function activeContext(service: string): SessionContext {
  const context = sessionContextStorage.getStore();
  if (context === undefined) {
    throw new Error(
      `${service} used outside a request, or in an app where no class injects SessionService, FlashService or ` +
        'CookiesService by constructor or property (it was reached some other way, e.g. moduleRef.get): set ' +
        'SessionModule option asyncContext: true.',
    );
  }
  return context;
}

/** The request's flash messages (Flask's flash() and get_flashed_messages()). */
export function flashOf(context: SessionContext): FlashMessages {
  return (context.flash ??= new FlashMessages(sessionOf(context)));
}

/** The context of a request, or a setup hint when the module's middleware never ran. */
export function requireContext(context: SessionContext | undefined): SessionContext {
  if (context !== undefined) return context;
  throw new Error(
    'No session on this request: import SessionModule.forRoot(...) in the module that serves this route ' +
      '(its middleware loads the session for every route).',
  );
}

/** The request's session; throws the load error, or a setup hint when the middleware never ran. */
export function sessionOf(context: SessionContext | undefined): RequestSession {
  const { session, loadError } = requireContext(context);
  if (session === undefined) throw loadError;
  return session;
}
