import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestSession } from '../session.js';
import type { ReleaseLock } from '../stores/session-store.js';
import { type ResponseGate, gateOf } from './response-gate.js';

/** Who saves a context's session when its response is about to leave. */
export interface SessionCommitter {
  commit(context: SessionContext): void | Promise<void>;
  fail(context: SessionContext, error: unknown): void;
}

/**
 * One request's session state, reachable from the request object and from AsyncLocalStorage,
 * and the gate of its response (methods, not closures: this runs on every request).
 */
export class SessionContext implements ResponseGate {
  session: RequestSession | undefined;
  /** Why the session could not be loaded (store down): thrown at first use, so only routes that need it fail. */
  loadError: unknown;
  release: ReleaseLock | undefined;
  gate: ResponseGate['gate'] = 'closed';
  held: ResponseGate['held'];

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly committer: SessionCommitter,
  ) {}

  commit(): void | Promise<void> {
    return this.committer.commit(this);
  }

  fail(error: unknown): void {
    this.committer.fail(this, error);
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
