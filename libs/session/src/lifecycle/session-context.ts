import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import type { RequestSession } from '../session.js';
import type { ReleaseLock } from '../stores/session-store.js';
import { type ResponseGate, gateOf } from './response-gate.js';

/** Who saves a context's session when its response is about to leave. */
export interface SessionCommitter {
  commit(context: SessionContext, res: ServerResponse): void | Promise<void>;
  fail(res: ServerResponse, error: unknown): void;
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

  constructor(private readonly committer: SessionCommitter) {}

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

/** The request's session; throws the load error, or a setup hint when the middleware never ran. */
export function sessionOf(context: SessionContext | undefined): RequestSession {
  if (context === undefined) {
    throw new Error(
      'No session on this request: import SessionModule.forRoot(...) in the module that serves this route ' +
        '(its middleware loads the session for every route).',
    );
  }
  if (context.session === undefined) throw context.loadError;
  return context.session;
}
