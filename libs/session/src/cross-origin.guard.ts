import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import { ALLOW_CROSS_ORIGIN } from './cross-origin.decorator.js';
import { isCrossOriginUnsafe } from './cross-origin.js';
import { contextOf } from './lifecycle/session-context.js';
import { rawRequest, rawResponse } from './platform/raw-http.js';
import { CrossOriginRefusedException } from './session.errors.js';
import { SessionRuntime } from './session.runtime.js';

/**
 * Refuses what the session middleware marked as an unsafe cross-origin request, unless the route
 * or its controller has @AllowCrossOrigin(). The middleware, mounted before routing, cannot see
 * the route; a global guard is the first step that can, and it runs before the route's own
 * guards, interceptors, pipes and handler. A marked request that no guard clears (a refused one,
 * a 404, an app middleware that answers itself) does not save its session (see
 * SessionMiddleware.commit). The module registers it as APP_GUARD.
 */
@Injectable()
export class CrossOriginGuard implements CanActivate {
  constructor(
    private readonly runtime: SessionRuntime,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const sessionContext = contextOf(rawResponse(context));
    const refused =
      sessionContext === undefined
        ? this.decide(rawRequest(context))
        : sessionContext.crossOriginRefused;
    if (!refused) return true;
    const allowed = this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_CROSS_ORIGIN, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (allowed !== true) {
      this.tellOnce(rawRequest<IncomingMessage & { originalUrl?: string }>(context));
      throw new CrossOriginRefusedException();
    }
    if (sessionContext !== undefined) sessionContext.crossOriginRefused = false;
    return true;
  }

  /** The first refusal is logged, with the way to allow it: a 403 with no hint is hard to trace. */
  private tellOnce(req: IncomingMessage & { originalUrl?: string }): void {
    const { origin, 'sec-fetch-site': site } = req.headers;
    const path = (req.originalUrl ?? req.url ?? '/').split('?')[0];
    this.runtime.diagnostics.warnOnce(
      'cross-origin-refused',
      `Refused a cross-origin ${req.method} ${path} with 403 (Origin: ${origin ?? 'none'}, ` +
        `Sec-Fetch-Site: ${site ?? 'none'}). If that origin is yours, add it to crossOrigin.trustedOrigins; ` +
        'a route other sites must post to can take @AllowCrossOrigin(). Logged once.',
    );
  }

  /** For a request the middleware did not see (it always does on HTTP; kept for safety). */
  private decide(req: IncomingMessage): boolean {
    const { crossOrigin, trustProxy } = this.runtime.options;
    return crossOrigin !== false && isCrossOriginUnsafe(req, crossOrigin, trustProxy);
  }
}
