import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { isInjectedAnywhere } from './lifecycle/service-injection.js';
import { SessionCookieLines } from './cookie/cookie-header.js';
import type { CookieJarSettings } from './app-cookies/request-cookies.js';
import { CookiesService } from './app-cookies/cookies.service.js';
import { SignedValues } from './app-cookies/signed-values.js';
import { FlashService } from './flash/flash.service.js';
import type { SessionStrategy } from './lifecycle/session-strategy.js';
import { strategyForStore } from './lifecycle/strategy-for-store.js';
import { SESSION_OPTIONS } from './session.constants.js';
import { SessionDiagnostics } from './session.diagnostics.js';
import type { ResolvedSessionOptions } from './session-options.js';
import { SessionService } from './session.service.js';

/** The validated options and the strategy of the configured store, shared by middleware, guard and service. */
@Injectable()
export class SessionRuntime implements OnModuleInit, OnApplicationShutdown {
  readonly diagnostics = new SessionDiagnostics();
  readonly strategy: SessionStrategy;
  readonly cookieLines: SessionCookieLines;
  /** What `@Cookies()` of every request shares: the signer of signed cookies, the reserved name. */
  readonly cookieJar: CookieJarSettings;
  /**
   * Whether requests run inside AsyncLocalStorage, which SessionService (FlashService,
   * CookiesService) needs. On Node 20 that
   * costs every promise of every request, so it is on only where SessionService is injected
   * (or `asyncContext: true` says so).
   */
  asyncContext = true;

  constructor(
    @Inject(SESSION_OPTIONS) readonly options: ResolvedSessionOptions,
    private readonly modules: ModulesContainer,
  ) {
    this.cookieLines = new SessionCookieLines(options.cookie, options.permanentLifetime);
    this.strategy = strategyForStore(options, this.diagnostics, this.cookieLines);
    this.cookieJar = {
      signed: new SignedValues(options.secrets),
      sessionCookieName: options.cookie.name,
    };
  }

  onModuleInit(): void {
    this.asyncContext =
      this.options.asyncContext ??
      [SessionService, FlashService, CookiesService].some((service) =>
        isInjectedAnywhere(this.modules, service),
      );
  }

  /** Stops the store's timers and connections it owns. */
  async onApplicationShutdown(): Promise<void> {
    await this.strategy.close();
  }
}
