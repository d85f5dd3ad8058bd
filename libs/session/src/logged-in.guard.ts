import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { contextOf, sessionOf } from './lifecycle/session-context.js';
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
    const http = context.switchToHttp();
    if (this.isLoggedIn(sessionOf(contextOf(http.getResponse<object>())))) return true;
    const req = http.getRequest<IncomingMessage & { originalUrl?: string }>();
    if (this.wantsHtml(req)) {
      const next = encodeURIComponent(req.originalUrl ?? req.url ?? '/');
      throw new LoginRedirectException(`${this.runtime.options.guard.loginPath}?next=${next}`);
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
