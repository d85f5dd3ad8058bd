// The `nestjs-flask-session/redis` entry point: the only one whose types name ioredis (the app
// creates the client and passes it in), so an app on another store needs no Redis client.
export { RedisStore, type RedisStoreOptions } from './stores/redis-store.js';
