import { Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import { SessionLockTimeoutError } from '../session.errors.js';
import {
  type LockOptions,
  type ReleaseLock,
  type SessionPatch,
  SessionStore,
  type StoredSession,
} from './session-store.js';

export interface RedisStoreOptions {
  /**
   * Your ioredis client (a Cluster works too); the store never closes it. Create it with
   * `enableOfflineQueue: false` so commands fail at once while Redis is down instead of
   * queueing (the module also bounds every operation by `storeTimeout`).
   */
  client: Redis | Cluster;
  /** Prefix of every key the store writes. Default `'session:'`. */
  prefix?: string;
}

// A session is one hash: `d:<name>` holds each value's JSON, `m:permanent`, `m:exp` and `m:iat`
// (issue time, written once by create) the metadata, and the key expires at `m:exp`
// (PEXPIREAT), so Redis drops it by itself.

/** Key-level changes, applied only if the record exists (a logout that won stays won). */
const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '1' then
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(field, 1, 2) == 'd:' then redis.call('HDEL', KEYS[1], field) end
  end
end
local unset = tonumber(ARGV[4])
for i = 5, 4 + unset do redis.call('HDEL', KEYS[1], 'd:' .. ARGV[i]) end
for i = 5 + unset, #ARGV, 2 do redis.call('HSET', KEYS[1], 'd:' .. ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'm:permanent', ARGV[2], 'm:exp', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1`;

const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'm:exp', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1`;

/** Token-checked release: a holder whose lock expired cannot free the next holder's. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});
const SCRIPTS = { update: script(UPDATE), touch: script(TOUCH), release: script(RELEASE) };

/** Sessions in Redis, shared by every instance of the app; survives restarts of the app. */
export class RedisStore extends SessionStore {
  readonly name = 'redis';
  private readonly client: Redis | Cluster;
  private readonly prefix: string;
  private readonly logger = new Logger('RedisStore');

  constructor(options: RedisStoreOptions) {
    super();
    const client = options?.client as Partial<Redis> | undefined;
    if (
      client === undefined ||
      typeof client.hgetall !== 'function' ||
      typeof client.evalsha !== 'function'
    ) {
      throw new TypeError(
        'RedisStore needs an ioredis client: new RedisStore({ client: new Redis(process.env.REDIS_URL) })',
      );
    }
    if (
      options.prefix !== undefined &&
      (typeof options.prefix !== 'string' || options.prefix.length === 0)
    ) {
      throw new TypeError(
        `RedisStore option prefix must be a non-empty string, got ${JSON.stringify(options.prefix)}`,
      );
    }
    this.client = options.client;
    this.prefix = options.prefix ?? 'session:';
  }

  async get(key: string): Promise<StoredSession | undefined> {
    const fields = await this.client.hgetall(this.recordKey(key));
    if (Object.keys(fields).length === 0) return undefined;
    const session = parse(fields);
    if (session === undefined) {
      this.logger.warn(`Unreadable session record ${this.recordKey(key)} deleted`);
      await this.client.del(this.recordKey(key));
      return undefined;
    }
    return session.expiresAt > Date.now() ? session : undefined;
  }

  async create(key: string, session: StoredSession): Promise<void> {
    const recordKey = this.recordKey(key);
    const fields: string[] = [
      'm:permanent',
      session.permanent ? '1' : '0',
      'm:exp',
      String(session.expiresAt),
      'm:iat',
      String(session.issuedAt),
    ];
    for (const [name, json] of Object.entries(session.data)) fields.push(`d:${name}`, json);
    const results = await this.client
      .multi()
      .del(recordKey)
      .hset(recordKey, ...fields)
      .pexpireat(recordKey, session.expiresAt)
      .exec();
    const failed = results?.find(([error]) => error !== null);
    if (results === null || failed !== undefined)
      throw failed?.[0] ?? new Error('Redis transaction aborted');
  }

  async update(key: string, patch: SessionPatch): Promise<boolean> {
    const args: string[] = [
      patch.replace ? '1' : '0',
      patch.permanent ? '1' : '0',
      String(patch.expiresAt),
      String(patch.unset.length),
      ...patch.unset,
    ];
    for (const [name, json] of Object.entries(patch.set)) args.push(name, json);
    return (await this.run(SCRIPTS.update, this.recordKey(key), args)) === 1;
  }

  async touch(key: string, expiresAt: number): Promise<boolean> {
    return (await this.run(SCRIPTS.touch, this.recordKey(key), [String(expiresAt)])) === 1;
  }

  async destroy(key: string): Promise<void> {
    await this.client.del(this.recordKey(key));
  }

  async lock(key: string, { waitMs, ttlMs }: LockOptions): Promise<ReleaseLock> {
    const lockKey = `${this.prefix}lock:${key}`;
    const token = randomBytes(16).toString('base64url');
    const deadline = Date.now() + waitMs;
    for (let pause = 5; ; pause = Math.min(pause * 2, 50)) {
      if ((await this.client.set(lockKey, token, 'PX', ttlMs, 'NX')) === 'OK') break;
      if (Date.now() + pause > deadline) throw new SessionLockTimeoutError();
      await sleep(pause);
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await this.run(SCRIPTS.release, lockKey, [token]);
    };
  }

  override async ping(): Promise<void> {
    await this.client.ping();
  }

  private recordKey(key: string): string {
    return this.prefix + key;
  }

  /** EVALSHA, falling back to EVAL the first time a server has not seen the script. */
  private async run(s: Script, key: string, args: string[]): Promise<unknown> {
    try {
      return await this.client.evalsha(s.sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(s.source, 1, key, ...args);
    }
  }
}

const METADATA = new Set(['m:permanent', 'm:exp', 'm:iat']);

/** The hash as a StoredSession, or undefined when it is not one of ours. */
function parse(fields: Record<string, string>): StoredSession | undefined {
  const expiresAt = Number(fields['m:exp']);
  const issuedAt = Number(fields['m:iat']);
  const permanent = fields['m:permanent'];
  if (!Number.isFinite(expiresAt) || !Number.isFinite(issuedAt)) return undefined;
  if (permanent !== '0' && permanent !== '1') return undefined;
  const data: Record<string, string> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (field.startsWith('d:')) data[field.slice(2)] = value;
    else if (!METADATA.has(field)) return undefined;
  }
  return { data, permanent: permanent === '1', expiresAt, issuedAt };
}
