import {
  type DynamicModule,
  Module,
  type OnApplicationShutdown,
  ValidationPipe,
} from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { SessionModule } from 'nestjs-flask-session';
import { AuthModule } from './auth/auth.module.js';
import { CartController } from './cart/cart.controller.js';
import type { DemoConfig } from './common/demo-config.js';
import { DemoConfigModule } from './common/demo-config.module.js';
import { Pages } from './common/pages.js';
import { Replies } from './common/replies.js';
import type { DemoStore } from './common/demo-store.js';
import { FlashesController } from './flashes/flashes.controller.js';
import { PreferencesController } from './preferences/preferences.controller.js';
import { DashboardController } from './dashboard/dashboard.controller.js';
import { HealthController } from './health/health.controller.js';
import { HomeController } from './home/home.controller.js';
import { ProfileController } from './profile/profile.controller.js';

/** Closes the store's connection once the app (and the session module) shut down. */
class StoreConnection implements OnApplicationShutdown {
  constructor(private readonly demoStore: DemoStore) {}

  onApplicationShutdown(): Promise<void> {
    return this.demoStore.close();
  }
}

@Module({})
export class AppModule {
  static forConfig(config: DemoConfig, demoStore: DemoStore): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DemoConfigModule.forConfig(config),
        SessionModule.forRoot({
          secretKey: config.secrets,
          store: demoStore.store,
          permanentLifetime: config.lifetimeMs,
          absoluteLifetime: config.absoluteLifetimeMs,
          idleTimeout: config.idleTimeoutMs,
          trustProxy: config.trustProxy,
          crossOrigin: { trustedOrigins: config.trustedOrigins },
        }),
        AuthModule,
      ],
      controllers: [
        HomeController,
        ProfileController,
        DashboardController,
        CartController,
        HealthController,
        FlashesController,
        PreferencesController,
      ],
      providers: [
        { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true }) },
        { provide: StoreConnection, useValue: new StoreConnection(demoStore) },
        Replies,
        Pages,
      ],
    };
  }
}
