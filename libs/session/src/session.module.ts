import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggedInGuard } from './logged-in.guard.js';
import { LoginRedirectFilter } from './login-redirect.filter.js';
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
    SessionService,
    LoggedInGuard,
    SessionLockInterceptor,
    { provide: APP_FILTER, useClass: LoginRedirectFilter },
  ],
  exports: [SessionService, LoggedInGuard, SessionLockInterceptor, SessionRuntime],
})
export class SessionModule extends ConfigurableSessionModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
