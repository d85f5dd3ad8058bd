import { SessionPlatformError } from '../session.errors.js';
import { mountOnExpress } from './express-platform.js';
import { mountOnFastify } from './fastify-platform.js';
import type { HttpAdapterLike, RequestHook } from './request-hook.js';

/**
 * Mounts the module's request hook the native way of the app's HTTP platform, ahead of the
 * app's middleware. Any other platform fails the boot: a session that silently never loads would
 * answer 500 on every route.
 */
export function mountRequestHook(
  adapter: HttpAdapterLike | undefined,
  hook: RequestHook,
  appHasMiddleware: () => boolean,
): void {
  // No adapter: an application context without HTTP (NestFactory.createApplicationContext).
  if (adapter === undefined) return;
  const type = typeof adapter.getType === 'function' ? adapter.getType() : undefined;
  if (type === 'express') mountOnExpress(adapter, hook);
  else if (type === 'fastify') mountOnFastify(adapter, hook, appHasMiddleware());
  else throw new SessionPlatformError(type);
}
