import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { isInjectedAnywhere } from './lifecycle/service-injection.js';
import { SessionCookieLines } from './cookie/cookie-header.js';
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
  /**
   * Whether requests run inside AsyncLocalStorage, which SessionService needs. On Node 20 that
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
  }

  onModuleInit(): void {
    this.asyncContext =
      this.options.asyncContext ?? isInjectedAnywhere(this.modules, SessionService);
  }

  /** Stops the store's timers and connections it owns. */
  async onApplicationShutdown(): Promise<void> {
    await this.strategy.close();
  }
}
