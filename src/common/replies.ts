import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/** The platform's response object (Express's Response, Fastify's FastifyReply). */
export type PlatformResponse = object;

export const HTML = 'text/html; charset=utf-8';

/**
 * Answers a handler that took `@Res()` through Nest's HTTP adapter, so one controller serves
 * Express and Fastify alike (their response objects differ: `res.redirect(302, url)` on Express,
 * `reply.redirect(url, 302)` on Fastify).
 */
@Injectable()
export class Replies {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  html(res: PlatformResponse, body: string, status = 200): void {
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(res, 'content-type', HTML);
    adapter.reply(res, body, status);
  }

  redirect(res: PlatformResponse, url: string, status = 302): void {
    this.adapterHost.httpAdapter.redirect(res, status, url);
  }

  /** Sets the status of a response the handler's return value will fill (`passthrough: true`). */
  status(res: PlatformResponse, status: number): void {
    this.adapterHost.httpAdapter.status(res, status);
  }

  /** Sets a header of a response the handler's return value will fill (`passthrough: true`). */
  header(res: PlatformResponse, name: string, value: string): void {
    this.adapterHost.httpAdapter.setHeader(res, name, value);
  }
}
