import type { ExecutionContext } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Node's own request and response under the platform's: Fastify wraps them (`request.raw`,
 * `reply.raw`); Express extends them, so its objects are Node's.
 */
export function rawResponse(context: ExecutionContext): ServerResponse {
  const res = context.switchToHttp().getResponse<ServerResponse & { raw?: ServerResponse }>();
  return res.raw ?? res;
}

export function rawRequest<T extends IncomingMessage = IncomingMessage>(
  context: ExecutionContext,
): T {
  const req = context.switchToHttp().getRequest<T & { raw?: T }>();
  return req.raw ?? req;
}
