import { type INestApplication, type LogLevel, Logger } from '@nestjs/common';
import { type AbstractHttpAdapter, NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import type { DemoConfig } from './common/demo-config.js';
import { createDemoStore } from './common/demo-store.js';

/**
 * The HTTP_ADAPTER's Nest adapter, trusting one proxy hop with TRUST_PROXY=1. Fastify is imported
 * only when chosen: an Express app never loads it.
 */
async function httpAdapterFor(config: DemoConfig): Promise<AbstractHttpAdapter> {
  if (config.httpAdapter === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    // One hop, as Express's 'trust proxy' 1: the peer that connected is the proxy.
    return new FastifyAdapter({ trustProxy: config.trustProxy && ((_address, hop) => hop === 0) });
  }
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  const adapter = new ExpressAdapter();
  if (config.trustProxy) adapter.set('trust proxy', 1);
  return adapter;
}

/**
 * Builds the demo app (not listening yet) on the HTTP_ADAPTER's platform: used by main.ts and by
 * the e2e tests. Ready for requests once init() and ready() ran (listen() does both).
 */
export async function createDemoApp(
  config: DemoConfig,
  logger: LogLevel[] | false = ['error', 'warn'],
): Promise<INestApplication> {
  if (config.randomSecret) {
    new Logger('Demo').warn(
      'SESSION_SECRET is not set: using a random key for this run. Sessions will NOT survive a restart. ' +
        'Set SESSION_SECRET (e.g. `openssl rand -base64 32`) to keep them.',
    );
  }
  const demoStore = createDemoStore(config);
  await demoStore.open();
  return NestFactory.create(AppModule.forConfig(config, demoStore), await httpAdapterFor(config), {
    logger,
  });
}
