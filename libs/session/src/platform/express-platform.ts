import type { HttpAdapterLike, RequestHook } from './request-hook.js';

/**
 * An Express middleware on the app itself, for every route. Nest calls the module's configure()
 * before it mounts any MiddlewareConsumer middleware, so this one runs ahead of theirs and they
 * can use the session too; going through the consumer would wrap every request in its route
 * matching and bookkeeping, a cost measured with `npm run bench`.
 */
export function mountOnExpress(adapter: HttpAdapterLike, hook: RequestHook): void {
  adapter.use(hook);
}
