import { Module, type NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { CookiesService } from './app-cookies/cookies.service.js';
import { FlashService } from './flash/flash.service.js';
import { CrossOriginGuard } from './cross-origin.guard.js';
import { LoggedInGuard } from './logged-in.guard.js';
import { LoginRedirectFilter } from './login-redirect.filter.js';
import { otherModulesConfigureMiddleware } from './platform/app-middleware.js';
import { mountRequestHook } from './platform/mount-request-hook.js';
import type { HttpAdapterLike } from './platform/request-hook.js';
import { SessionLockInterceptor } from './session-lock.decorator.js';
import { SESSION_OPTIONS } from './session.constants.js';
import { SessionMiddleware } from './session.middleware.js';
import { ConfigurableSessionModule, SESSION_MODULE_OPTIONS } from './session.module-definition.js';
import { resolveSessionOptions } from './session-options.js';
import { SessionRuntime } from './session.runtime.js';
import { SessionService } from './session.service.js';

/**
 * `SessionModule.forRoot({ secretKey })` or `.forRootAsync({ useFactory, inject })`. Options are
 * validated at boot, through one path for both; the middleware serves every route.
 */
@Module({
  providers: [
    {
      provide: SESSION_OPTIONS,
      useFactory: resolveSessionOptions,
      inject: [SESSION_MODULE_OPTIONS],
    },
    SessionRuntime,
    SessionMiddleware,
    SessionService,
    FlashService,
    CookiesService,
    LoggedInGuard,
    SessionLockInterceptor,
    { provide: APP_FILTER, useClass: LoginRedirectFilter },
    // Refuses unsafe cross-origin requests on every route without @AllowCrossOrigin().
    { provide: APP_GUARD, useClass: CrossOriginGuard },
  ],
  exports: [
    SessionService,
    FlashService,
    CookiesService,
    LoggedInGuard,
    SessionLockInterceptor,
    SessionRuntime,
  ],
})
export class SessionModule extends ConfigurableSessionModule implements NestModule {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly middleware: SessionMiddleware,
    private readonly modules: ModulesContainer,
  ) {
    super();
  }

  /**
   * Mounts the middleware on the HTTP platform itself (an Express middleware, a Fastify onRequest
   * hook), for every route, before routing. Nest runs configure() while it registers
   * middleware, before any route; an unsupported platform fails the boot here.
   */
  configure(): void {
    const { middleware } = this;
    mountRequestHook(
      this.adapterHost.httpAdapter as HttpAdapterLike | undefined,
      (req, res, next) => middleware.use(req, res, next),
      () => otherModulesConfigureMiddleware(this.modules, this),
    );
  }
}
