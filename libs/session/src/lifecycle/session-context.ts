import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestSession } from '../session.js';
import type { ReleaseLock } from '../stores/session-store.js';

/** One request's session state, reachable from the request object and from AsyncLocalStorage. */
export class SessionContext {
  session: RequestSession | undefined;
  /** Why the session could not be loaded (store down): thrown at first use, so only routes that need it fail. */
  loadError: unknown;
  release: ReleaseLock | undefined;
}

export const sessionContextStorage = new AsyncLocalStorage<SessionContext>();

const CONTEXT = Symbol('session:context');

export function attachContext(req: object, context: SessionContext): void {
  (req as { [CONTEXT]?: SessionContext })[CONTEXT] = context;
}

export function contextOf(req: object): SessionContext | undefined {
  return (req as { [CONTEXT]?: SessionContext })[CONTEXT];
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
