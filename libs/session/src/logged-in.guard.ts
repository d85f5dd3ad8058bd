import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { contextOf, sessionOf } from './lifecycle/session-context.js';
import { rawRequest, rawResponse } from './platform/raw-http.js';
import { MAX_NEXT_LENGTH } from './session.constants.js';
import { LoginRedirectException } from './session.errors.js';
import { SessionRuntime } from './session.runtime.js';
import type { Session } from './session.js';

/**
 * Lets logged-in requests through. Bind it to handlers or controllers with @UseGuards (never
 * path matching). Browsers (Accept names text/html) are sent to the login page with
 * `?next=PATH`; API clients get 401 JSON. Subclass to change the check or the answers.
 */
@Injectable()
export class LoggedInGuard implements CanActivate {
  constructor(protected readonly runtime: SessionRuntime) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.isLoggedIn(sessionOf(contextOf(rawResponse(context))))) return true;
    const req = rawRequest<IncomingMessage & { originalUrl?: string }>(context);
    if (this.wantsHtml(req)) {
      const { loginPath } = this.runtime.options.guard;
      const path = req.originalUrl ?? req.url ?? '/';
      // A longer `next` would make the login form that carries it fail: the user lands on the
      // login page without it, and on the home page after logging in.
      throw new LoginRedirectException(
        path.length <= MAX_NEXT_LENGTH
          ? `${loginPath}?next=${encodeURIComponent(path)}`
          : loginPath,
      );
    }
    throw new UnauthorizedException({ statusCode: 401, message: 'User not logged in' });
  }

  protected isLoggedIn(session: Session): boolean {
    return this.runtime.options.guard.isLoggedIn(session);
  }

  /** Only an Accept header that names text/html explicitly: `*\/*` and no header mean an API client. */
  protected wantsHtml(req: IncomingMessage): boolean {
    return /(^|,)\s*text\/html\s*(;|,|$)/i.test(req.headers.accept ?? '');
  }
}
