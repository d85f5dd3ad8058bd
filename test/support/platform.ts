import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';

/** The HTTP platforms every e2e suite runs on (`describe.each(PLATFORMS)`), as nestjs/throttler does. */
export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A fresh adapter of the platform. */
export function httpAdapter(platform: Platform): AbstractHttpAdapter {
  return platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
}

/** A Nest app of the compiled module on the platform, initialised and ready for requests. */
export async function initApp(
  moduleRef: TestingModule,
  platform: Platform,
  options: NestApplicationOptions = {},
): Promise<INestApplication> {
  const app = moduleRef.createNestApplication(httpAdapter(platform), options);
  await app.init();
  await ready(app);
  return app;
}

/** Fastify routes only once its instance is ready (NestFactory's listen() does this; init() does not). */
export async function ready(app: INestApplication): Promise<void> {
  const instance = app.getHttpAdapter().getInstance() as { ready?: () => PromiseLike<unknown> };
  if (app.getHttpAdapter().getType() === 'fastify') await instance.ready!();
}
