import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Injectable,
  type LoggerService,
  type INestApplication,
  Module,
  Param,
  Post,
  Query,
  Redirect,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Session,
  SessionLock,
  SessionModule,
  type SessionModuleOptions,
  SessionRuntime,
  SessionService,
} from 'nestjs-flask-session';
import { type Platform, initApp } from './platform.js';

/** The platform's response object (Express's Response, Fastify's FastifyReply), used through the adapter. */
type PlatformResponse = object;

/** Node's response under the platform's: Fastify's reply wraps it, Express's response is it. */
export function nodeResponse(res: PlatformResponse): ServerResponse {
  const raw = (res as { raw?: ServerResponse }).raw;
  if (raw === undefined) return res as ServerResponse;
  // Fastify must not answer a reply the handler writes itself.
  (res as { hijack(): void }).hijack();
  return raw;
}

/** The pieces as Buffers, `gapMs` apart. */
async function* piecesOverTime(pieces: string[], gapMs: number): AsyncGenerator<Buffer> {
  for (const piece of pieces) {
    yield Buffer.from(piece);
    await sleep(gapMs);
  }
}

/** A provider that reaches the session only through SessionService (a singleton). */
@Injectable()
export class WhoAmI {
  constructor(private readonly sessions: SessionService<{ user: string }>) {}

  async user(delayMs: number): Promise<string | undefined> {
    await sleep(delayMs);
    return this.sessions.get('user');
  }
}

@Controller()
export class TestController {
  constructor(
    private readonly whoAmI: WhoAmI,
    private readonly runtime: SessionRuntime,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get('health')
  async health(@Res({ passthrough: true }) res: PlatformResponse): Promise<{ ok: boolean }> {
    try {
      await this.runtime.strategy.ping();
      return { ok: true };
    } catch {
      this.adapterHost.httpAdapter.status(res, 503);
      return { ok: false };
    }
  }

  @Get('read/:key')
  read(@Param('key') key: string, @Session() session: Session): { value: unknown } {
    return { value: session.get(key) ?? null };
  }

  @Get('keys')
  keys(@Session() session: Session): { keys: string[]; isNew: boolean; permanent: boolean } {
    return { keys: session.keys(), isNew: session.isNew, permanent: session.permanent };
  }

  @Get('untouched')
  untouched(): string {
    return 'no session used';
  }

  @Post('set/:key')
  async set(
    @Param('key') key: string,
    @Query('value') value: string,
    @Query('delay') delay: string | undefined,
    @Session() session: Session,
  ): Promise<{ ok: true }> {
    if (delay) await sleep(Number(delay));
    session.set(key, value);
    return { ok: true };
  }

  @Post('permanent')
  permanent(@Session() session: Session): { ok: true } {
    session.permanent = true;
    session.set('p', 1);
    return { ok: true };
  }

  @Post('pop/:key')
  pop(@Param('key') key: string, @Session() session: Session): { value: unknown } {
    return { value: session.pop(key, null) };
  }

  @Post('push')
  push(
    @Query('item') item: string,
    @Session() session: Session<{ list: string[] }>,
  ): { list: string[] } {
    const list = session.get('list');
    if (list === undefined) session.set('list', [item]);
    else list.push(item); // in place: no set(), no modified flag
    return { list: session.get('list', []) };
  }

  @Post('push-locked')
  @SessionLock()
  async pushLocked(
    @Query('item') item: string,
    @Session() session: Session<{ list: string[] }>,
  ): Promise<{ n: number }> {
    const list = session.setdefault('list', []);
    await sleep(5); // widen the read-modify-write window
    list.push(item);
    return { n: list.length };
  }

  @Post('date')
  setDate(@Session() session: Session): { ok: true } {
    session.set('when', new Date(Date.UTC(2024, 1, 29, 12, 0, 0)));
    return { ok: true };
  }

  @Get('date')
  getDate(@Session() session: Session): { isDate: boolean; iso: string | null } {
    const when = session.get('when') as unknown;
    return { isDate: when instanceof Date, iso: when instanceof Date ? when.toISOString() : null };
  }

  @Post('bad-value')
  badValue(@Session() session: Session): void {
    session.set('callback', () => 1);
  }

  /** Changes an object after handing it to set(): what JSON would drop must not be lost silently. */
  @Post('mutate-after-set')
  mutateAfterSet(@Query('put') put: string, @Session() session: Session): { ok: true } {
    const profile: Record<string, unknown> = { name: 'ana' };
    session.set('profile', profile);
    if (put === 'function') profile.greet = () => 'hi';
    if (put === 'date') profile.since = new Date(Date.UTC(2024, 1, 29));
    return { ok: true };
  }

  @Get('profile-since')
  profileSince(@Session() session: Session): { isDate: boolean; iso: string | null } {
    const since = (session.get('profile') as { since?: unknown } | undefined)?.since;
    return {
      isDate: since instanceof Date,
      iso: since instanceof Date ? since.toISOString() : null,
    };
  }

  @Post('throw-after-set')
  throwAfterSet(@Session() session: Session): void {
    session.set('thrown', 'yes');
    throw new BadRequestException('handler failed after writing the session');
  }

  @Post('res-after-set')
  resAfterSet(@Session() session: Session, @Res() res: PlatformResponse): void {
    session.set('raw', 'yes');
    this.adapterHost.httpAdapter.reply(res, 'raw response', 202);
  }

  /** Raw writes in pieces, with encodings and a callback: held and replayed as they were. */
  @Post('chunks-after-set')
  chunksAfterSet(@Session() session: Session, @Res() reply: PlatformResponse): void {
    session.set('chunked', 'yes');
    const res = nodeResponse(reply);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('one,');
    res.write(Buffer.from('two,'));
    res.write('74687265652c', 'hex');
    res.write('four', 'utf8', () => undefined);
    res.end(',five');
  }

  /**
   * Raw writes over turns of the event loop: the later ones come after a store that fails at
   * once has failed the response (the gate drops them).
   */
  @Post('chunks-over-time-after-set')
  async chunksOverTimeAfterSet(
    @Session() session: Session,
    @Res() reply: PlatformResponse,
  ): Promise<void> {
    session.set('chunked', 'yes');
    const res = nodeResponse(reply);
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (const piece of ['one,', 'two,']) {
      res.write(piece);
      await sleep(5);
    }
    res.end('three');
  }

  @Post('redirect-after-set')
  redirectAfterSet(@Session() session: Session, @Res() res: PlatformResponse): void {
    session.set('redirected', 'yes');
    this.adapterHost.httpAdapter.redirect(res, 303, '/read/redirected');
  }

  /** The same through Nest's @Redirect(): Nest calls the adapter's redirect after the handler. */
  @Post('redirect-decorator-after-set')
  @Redirect('/read/redirected', 303)
  redirectDecoratorAfterSet(@Session() session: Session): void {
    session.set('redirected', 'yes');
  }

  @Post('stream-after-set')
  streamAfterSet(@Session() session: Session): StreamableFile {
    session.set('streamed', 'yes');
    return new StreamableFile(Buffer.from('streamed body'));
  }

  /**
   * A stream whose chunks come one at a time, over turns of the event loop (as a file's do): a
   * store that fails at once has failed the response before its second chunk, and the pipe stops.
   */
  @Post('slow-stream-after-set')
  slowStreamAfterSet(@Session() session: Session): StreamableFile {
    session.set('streamed', 'yes');
    return new StreamableFile(Readable.from(piecesOverTime(['one,', 'two,', 'three'], 5)));
  }

  @Post('regenerate')
  regenerate(@Session() session: Session): { ok: true } {
    session.regenerate();
    session.set('regenerated', true);
    return { ok: true };
  }

  @Post('destroy')
  destroy(@Session() session: Session): { ok: true } {
    session.destroy();
    return { ok: true };
  }

  @Post('big')
  big(@Query('bytes') bytes: string, @Session() session: Session): { ok: true } {
    // Random-looking text, so compression cannot shrink it below the cookie limit.
    let text = '';
    while (text.length < Number(bytes)) text += Math.random().toString(36).slice(2);
    session.set('big', text.slice(0, Number(bytes)));
    session.set('small', 'x');
    return { ok: true };
  }

  @Get('whoami')
  async whoami(@Query('delay') delay: string): Promise<{ user: string | undefined }> {
    return { user: await this.whoAmI.user(Number(delay)) };
  }

  /** A cookie of the app's own, set through the platform's adapter, beside the session's. */
  @Post('own-cookie')
  ownCookie(
    @Session() session: Session,
    @Res({ passthrough: true }) res: PlatformResponse,
  ): string {
    this.adapterHost.httpAdapter.setHeader(res, 'set-cookie', 'theme=dark; Path=/');
    session.set('own', 'yes');
    return 'ok';
  }

  /** The same after a request body is parsed: on Fastify that ends after the request hooks. */
  @Post('whoami')
  async whoamiAfterBody(@Body() body: { delay: string }): Promise<{ user: string | undefined }> {
    return { user: await this.whoAmI.user(Number(body.delay)) };
  }
}

export interface TestApp {
  app: INestApplication;
  server: Server;
  close(): Promise<void>;
}

/** A LoggerService that keeps what it is told, for tests that assert on diagnostics. */
export class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string }> = [];
  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }
  messages(level: string): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message);
  }
}

/** A real Nest app on the platform (Express unless named) with the session module and the test routes. */
export async function startTestApp(
  options: SessionModuleOptions,
  logger: LoggerService | false = false,
  platform: Platform = 'express',
): Promise<TestApp> {
  @Module({
    imports: [SessionModule.forRoot(options)],
    controllers: [TestController],
    providers: [WhoAmI],
  })
  class TestAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
  const app = await initApp(moduleRef, platform, { logger });
  return { app, server: app.getHttpServer() as Server, close: () => app.close() };
}
