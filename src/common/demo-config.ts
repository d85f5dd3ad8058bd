import { randomBytes } from 'node:crypto';

export type StoreKind = 'cookie' | 'memory' | 'file' | 'redis' | 'flask';
export type HttpAdapterKind = 'express' | 'fastify';

/** The demo's settings, read from the environment (listed in the README's Set-up). */
export interface DemoConfig {
  port: number;
  host: string;
  secrets: string[];
  /** True when no SESSION_SECRET was given and a random one was made for this run. */
  randomSecret: boolean;
  store: StoreKind;
  fileDir: string;
  redisUrl: string;
  /** Key prefix in Redis (REDIS_PREFIX, default 'session:'). */
  redisPrefix: string;
  lifetimeMs: number;
  /**
   * SESSION_ABSOLUTE_LIFETIME in ms (default 90 days); undefined on the flask store, whose
   * cookie format carries no issue time to count it from.
   */
  absoluteLifetimeMs: number | undefined;
  /** SESSION_IDLE_TIMEOUT in ms; undefined: none. */
  idleTimeoutMs: number | undefined;
  trustProxy: boolean;
  /** TRUSTED_ORIGINS: other origins allowed to send unsafe requests (POST...), as browsers send them. */
  trustedOrigins: string[];
  users: Map<string, string>;
  /** HTTP_ADAPTER: the Nest platform the app runs on. */
  httpAdapter: HttpAdapterKind;
}

const STORES: readonly StoreKind[] = ['cookie', 'memory', 'file', 'redis', 'flask'];
const HTTP_ADAPTERS: readonly HttpAdapterKind[] = ['express', 'fastify'];

/** The origin of an http(s) URL as browsers write it (lower case, no default port), if it is one. */
function originOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Reads and checks the environment; throws one Error listing every problem and how to fix it. */
export function loadDemoConfig(env: NodeJS.ProcessEnv): DemoConfig {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';

  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT: must be a port number, got "${env.PORT}"`);

  let secrets = (env.SESSION_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const randomSecret = secrets.length === 0;
  if (randomSecret) {
    if (production) {
      problems.push(
        'SESSION_SECRET: required when NODE_ENV=production; set it to the output of `openssl rand -base64 32`',
      );
    }
    secrets = [randomBytes(32).toString('base64url')];
  }

  const store = (env.SESSION_STORE ?? 'cookie') as StoreKind;
  if (!STORES.includes(store))
    problems.push(`SESSION_STORE: must be one of ${STORES.join(', ')}, got "${env.SESSION_STORE}"`);

  const lifetimeSeconds = Number(env.SESSION_LIFETIME ?? 2678400);
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
    problems.push(
      `SESSION_LIFETIME: must be a positive whole number of seconds, got "${env.SESSION_LIFETIME}"`,
    );
  }

  const absoluteSeconds = Number(env.SESSION_ABSOLUTE_LIFETIME ?? 7776000);
  if (!Number.isInteger(absoluteSeconds) || absoluteSeconds <= 0) {
    problems.push(
      `SESSION_ABSOLUTE_LIFETIME: must be a positive whole number of seconds, got "${env.SESSION_ABSOLUTE_LIFETIME}"`,
    );
  }
  const flask = store === 'flask';
  if (flask && env.SESSION_ABSOLUTE_LIFETIME !== undefined) {
    problems.push(
      "SESSION_ABSOLUTE_LIFETIME: the flask store cannot enforce it (Flask's cookie carries no issue time); " +
        'unset it, and bound sessions with SESSION_LIFETIME and SESSION_IDLE_TIMEOUT',
    );
  }
  const idleSeconds =
    env.SESSION_IDLE_TIMEOUT === undefined || env.SESSION_IDLE_TIMEOUT === ''
      ? undefined
      : Number(env.SESSION_IDLE_TIMEOUT);
  if (idleSeconds !== undefined && (!Number.isInteger(idleSeconds) || idleSeconds <= 0)) {
    problems.push(
      `SESSION_IDLE_TIMEOUT: must be a positive whole number of seconds, or unset for none, got "${env.SESSION_IDLE_TIMEOUT}"`,
    );
  }

  const users = new Map<string, string>();
  for (const pair of (env.DEMO_USERS ?? 'admin:admin').split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0 || colon === pair.length - 1)
      problems.push(`DEMO_USERS: "${pair.split(':')[0]}:..." is not a name:password pair`);
    else users.set(pair.slice(0, colon).trim(), pair.slice(colon + 1));
  }

  const httpAdapter = (env.HTTP_ADAPTER ?? 'express') as HttpAdapterKind;
  if (!HTTP_ADAPTERS.includes(httpAdapter)) {
    problems.push(
      `HTTP_ADAPTER: must be one of ${HTTP_ADAPTERS.join(', ')}, got "${env.HTTP_ADAPTER}"`,
    );
  }

  const trustedOrigins = (env.TRUSTED_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const origin of trustedOrigins) {
    const canonical = originOf(origin);
    if (canonical !== origin) {
      problems.push(
        `TRUSTED_ORIGINS: "${origin}" is not an origin; write scheme://host[:port] with no path or trailing slash, ` +
          `separated by commas, e.g. ${canonical ?? 'https://app.example.com'}`,
      );
    }
  }

  if (problems.length > 0)
    throw new Error(`The demo cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    secrets,
    randomSecret,
    store,
    fileDir: env.SESSION_FILE_DIR ?? './.sessions',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: env.REDIS_PREFIX ?? 'session:',
    lifetimeMs: lifetimeSeconds * 1000,
    absoluteLifetimeMs: flask ? undefined : absoluteSeconds * 1000,
    idleTimeoutMs: idleSeconds === undefined ? undefined : idleSeconds * 1000,
    trustProxy: env.TRUST_PROXY === '1',
    trustedOrigins,
    users,
    httpAdapter,
  };
}
