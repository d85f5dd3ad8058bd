// The `nestjs-flask-session/redis` entry point: the only one that loads ioredis, so an app on
// another store needs no Redis client installed.
export { RedisStore, type RedisStoreOptions } from './stores/redis-store.js';
