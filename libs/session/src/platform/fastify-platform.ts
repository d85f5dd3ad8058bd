import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpAdapterLike, RequestHook } from './request-hook.js';

/** The part of a Fastify instance this file uses (no import of fastify: it is an optional peer). */
interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (
      request: { raw: IncomingMessage },
      reply: { raw: ServerResponse },
      done: (error?: Error) => void,
    ) => void,
  ): unknown;
}

/**
 * Runs the hook for every route and the not-found handler, before body parsing and any handler,
 * on Node's own request and response. Nest's middleware on Fastify (MiddlewareConsumer) runs in
 * @fastify/middie's onRequest hook, which Nest adds when the app is created, before any module
 * can add its own: where the app has middleware, the hook goes first in middie's list, so that
 * middleware can use the session as it does on Express. Where it has none, it is a plain
 * onRequest hook: middie with one middleware costs about 8 % more instructions per request
 * (bench/instructions.sh).
 */
export function mountOnFastify(
  adapter: HttpAdapterLike,
  hook: RequestHook,
  appHasMiddleware: boolean,
): void {
  if (appHasMiddleware) {
    adapter.use(hook);
    return;
  }
  const fastify = adapter.getInstance() as FastifyLike;
  fastify.addHook('onRequest', (request, reply, done) =>
    hook(request.raw, reply.raw, done as (error?: unknown) => void),
  );
}
