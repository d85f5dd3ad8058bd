import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { RedisStore } from 'nestjs-flask-session/redis';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { type DemoConfig, loadDemoConfig } from '../../src/common/demo-config.js';
import { createDemoApp } from '../../src/create-app.js';
import { type Platform, ready } from './platform.js';

export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const OLD_SECRET = 'old-test-secret-0123456789-abcdefghijkl';

/** The server-side stores the demo can run on in these tests, plus the default cookie store. */
export const STORES = ['cookie', 'memory', 'file', 'redis', 'flask'] as const;
export type TestStore = (typeof STORES)[number];

/** Whether the store keeps the whole session in the cookie (nothing on the server to revoke). */
export function inCookie(store: string): store is 'cookie' | 'flask' {
  return store === 'cookie' || store === 'flask';
}

export interface DemoHandle {
  app: INestApplication;
  server: Server;
  config: DemoConfig;
  close(): Promise<void>;
}

/**
 * Starts the demo app (as `npm start` would, minus listen) with test settings, on the platform
 * (HTTP_ADAPTER) named, or in `env`, or Express.
 */
export async function startDemo(
  store: TestStore,
  env: NodeJS.ProcessEnv = {},
  platform?: Platform,
): Promise<DemoHandle> {
  const config = loadDemoConfig({
    HTTP_ADAPTER: platform,
    SESSION_SECRET: SECRET,
    SESSION_STORE: store,
    DEMO_USERS: 'admin:admin,bob:s3cret',
    REDIS_URL: process.env.REDIS_URL,
    // Each app its own Redis prefix, removed on close: tests never see each other's keys.
    REDIS_PREFIX: `test:${randomBytes(6).toString('hex')}:`,
    SESSION_FILE_DIR: join(tmpdir(), `sessions-test-${randomBytes(6).toString('hex')}`),
    ...env,
  });
  const app = await createDemoApp(config, false);
  await app.init();
  await ready(app);
  const close = async (): Promise<void> => {
    await app.close();
    // A prefix the caller chose is the caller's to clean up (it may start another app on it).
    if (config.store === 'redis' && env.REDIS_PREFIX === undefined)
      await removeRedisKeys(config.redisUrl, config.redisPrefix);
    if (config.store === 'file' && env.SESSION_FILE_DIR === undefined)
      rmSync(config.fileDir, { recursive: true, force: true });
  };
  return { app, server: app.getHttpServer(), config, close };
}

/** Deletes every key under `prefix`. */
export async function removeRedisKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  try {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    await client.quit();
  }
}

/** A RedisStore on the tests' Redis under a prefix of its own, and how to remove what it wrote. */
export function tempRedisStore(): { store: RedisStore; cleanup(): Promise<void> } {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  const client = new Redis(url);
  return {
    store: new RedisStore({ client, prefix }),
    cleanup: async () => {
      await removeRedisKeys(url, prefix);
      await client.quit();
    },
  };
}

/** The `name=value` pair of the session cookie in a response, if it set one. */
export function sessionCookie(res: request.Response, name = 'session'): string | undefined {
  return setCookieLine(res, name)?.split(';')[0];
}

/** The whole Set-Cookie line of the session cookie, attributes included. */
export function setCookieLine(res: request.Response, name = 'session'): string | undefined {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  return header?.find((line) => line.startsWith(`${name}=`));
}

/**
 * Reads the waiting flash messages (the login's "Logged in as NAME"), which writes the session
 * once; returns the session cookie to send from then on, and the messages.
 */
export async function consumeFlashes(
  server: Server,
  cookie: string,
): Promise<{ cookie: string; messages: Array<{ category: string; message: string }> }> {
  const res = await request(server).get('/flashes').set('Cookie', cookie);
  if (res.status !== 200) throw new Error(`GET /flashes failed: ${res.status} ${res.text}`);
  return { cookie: sessionCookie(res) ?? cookie, messages: res.body.messages };
}

/** Logs in through the real form and returns the session cookie pair. */
export async function login(
  server: Server,
  options: { remember?: string; user?: string; password?: string; cookie?: string } = {},
): Promise<string> {
  const form: Record<string, string> = {
    username: options.user ?? 'admin',
    password: options.password ?? 'admin',
  };
  if (options.remember !== undefined) form.remember = options.remember;
  const req = request(server).post('/login').type('form').send(form);
  if (options.cookie) void req.set('Cookie', options.cookie);
  const res = await req;
  if (res.status !== 302) throw new Error(`login failed: ${res.status} ${res.text}`);
  const cookie = sessionCookie(res);
  if (!cookie) throw new Error('login set no session cookie');
  return cookie;
}
