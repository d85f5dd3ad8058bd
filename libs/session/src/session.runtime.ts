import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CookieStrategy } from './lifecycle/cookie-strategy.js';
import { ServerStrategy } from './lifecycle/server-strategy.js';
import type { SessionStrategy } from './lifecycle/session-strategy.js';
import { SESSION_OPTIONS } from './session.constants.js';
import { SessionDiagnostics } from './session.diagnostics.js';
import type { ResolvedSessionOptions } from './session-options.js';
import { CookieStore } from './stores/cookie-store.js';

/** The validated options and the strategy of the configured store, shared by middleware, guard and service. */
@Injectable()
export class SessionRuntime implements OnApplicationShutdown {
  readonly diagnostics = new SessionDiagnostics();
  readonly strategy: SessionStrategy;

  constructor(@Inject(SESSION_OPTIONS) readonly options: ResolvedSessionOptions) {
    const { store } = options;
    this.strategy =
      store instanceof CookieStore
        ? new CookieStrategy(store, options, this.diagnostics)
        : new ServerStrategy(store, options, this.diagnostics);
  }

  /** Stops the store's timers and connections it owns. */
  async onApplicationShutdown(): Promise<void> {
    await this.strategy.close();
  }
}
