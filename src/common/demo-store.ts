import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  CookieStore,
  FileStore,
  FlaskCookieStore,
  MemoryStore,
  type SessionStore,
} from 'nestjs-flask-session';
import { RedisStore } from 'nestjs-flask-session/redis';
import type { DemoConfig } from './demo-config.js';

/** The store SESSION_STORE names, and how to release what it opened. */
export interface DemoStore {
  store: CookieStore | FlaskCookieStore | SessionStore;
  /** Connects where the store needs a connection; a store that is down only warns (healthz says 503). */
  open(): Promise<void>;
  close(): Promise<void>;
}

const nothing = (): Promise<void> => Promise.resolve();

export function createDemoStore(config: DemoConfig): DemoStore {
  switch (config.store) {
    case 'cookie':
      return { store: new CookieStore(), open: nothing, close: nothing };
    case 'memory':
      return { store: new MemoryStore(), open: nothing, close: nothing };
    case 'file':
      return { store: new FileStore({ dir: config.fileDir }), open: nothing, close: nothing };
    case 'redis':
      return redisStore(config.redisUrl, config.redisPrefix);
    case 'flask':
      return { store: new FlaskCookieStore(), open: nothing, close: nothing };
  }
}

/** Host and port of a Redis URL, for logs: never its user name or password. */
export function redisEndpoint(url: string): string {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname || '127.0.0.1'}:${port || '6379'}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

function redisStore(url: string, prefix: string): DemoStore {
  const logger = new Logger('Redis');
  const endpoint = redisEndpoint(url);
  const client = new Redis(url, {
    lazyConnect: true,
    // While Redis is down, fail commands at once (503) instead of queueing them without bound.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // The commands of concurrent requests go out in one write.
    enableAutoPipelining: true,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down)
      logger.warn(
        `Redis at ${endpoint} unreachable (${error.message}); session requests answer 503 until it is back`,
      );
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.log(`Redis at ${endpoint} is back`);
    down = false;
  });
  return {
    store: new RedisStore({ client, prefix }),
    open: () => client.connect().catch(() => undefined),
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
