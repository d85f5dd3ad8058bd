import { type LogLevel, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { DemoConfig } from './common/demo-config.js';
import { createDemoStore } from './common/demo-store.js';

/** Builds the demo app (not listening yet): used by main.ts and by the e2e tests. */
export async function createDemoApp(
  config: DemoConfig,
  logger: LogLevel[] | false = ['error', 'warn'],
): Promise<NestExpressApplication> {
  if (config.randomSecret) {
    new Logger('Demo').warn(
      'SESSION_SECRET is not set: using a random key for this run. Sessions will NOT survive a restart. ' +
        'Set SESSION_SECRET (e.g. `openssl rand -base64 32`) to keep them.',
    );
  }
  const demoStore = createDemoStore(config);
  await demoStore.open();
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forConfig(config, demoStore),
    { logger },
  );
  if (config.trustProxy) app.set('trust proxy', 1);
  return app;
}
