import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Injectable,
  type INestApplication,
  type LoggerService,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
  Param,
  Post,
  Query,
  Redirect,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { IncomingMessage, Server } from 'node:http';
import {
  type CookieOptions,
  Cookies,
  CookiesService,
  Flash,
  FlashService,
  Session,
  SessionModule,
  type SessionModuleOptions,
} from 'nestjs-flask-session';
import { type Platform, initApp } from './platform.js';
import { nodeResponse } from './test-app.js';

// A small app for the cookies beside the session (@Cookies(), CookiesService) and the flash
// messages (@Flash(), FlashService): test/cookies-and-flash.e2e-spec.ts.

/** The platform's response object (Express's Response, Fastify's FastifyReply). */
type PlatformResponse = object;

/** What a handler is asked to set: a cookie of the request's choosing. */
interface CookieToSet {
  name: string;
  value: string;
  options?: CookieOptions;
}

/** A provider that reaches the request's cookies and flashes only through the services. */
@Injectable()
export class Preferences {
  constructor(
    private readonly cookies: CookiesService,
    private readonly flash: FlashService,
  ) {}

  remember(theme: string): void {
    this.cookies.set('theme', theme, { httpOnly: false });
    this.cookies.setSigned('owner', 'ana');
    this.flash.add(`Theme set to ${theme}`, 'success');
  }

  read(): { theme: string | null; owner: string | null; flashes: string[]; pending: boolean } {
    const pending = this.flash.pending;
    return {
      theme: this.cookies.get('theme') ?? null,
      owner: this.cookies.getSigned('owner') ?? null,
      flashes: this.flash.messages(),
      pending,
    };
  }
}

/**
 * Middleware of the app's own, after the session's: sets a cookie when the request asks for it
 * (header X-Early-Cookie), before any guard has run.
 */
@Injectable()
export class EarlyCookieMiddleware implements NestMiddleware {
  constructor(private readonly cookies: CookiesService) {}

  use(req: IncomingMessage, _res: unknown, next: () => void): void {
    if (req.headers['x-early-cookie'] !== undefined) this.cookies.set('early', '1');
    next();
  }
}

@Controller()
export class CookieFlashController {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly preferences: Preferences,
  ) {}

  @Get('get/:name')
  get(@Param('name') name: string, @Cookies() cookies: Cookies): { value: string | null } {
    return { value: cookies.get(name) ?? null };
  }

  @Get('all')
  all(@Cookies() cookies: Cookies): Record<string, string> {
    return cookies.all();
  }

  /** Sets what the body says (name, value, options): a bad one throws in the handler. */
  @Post('set')
  set(@Body() body: CookieToSet, @Cookies() cookies: Cookies): string {
    cookies.set(body.name, body.value, body.options);
    return 'set';
  }

  /** The demo's theme cookie, on a route that never touches the session. */
  @Post('theme')
  theme(@Cookies() cookies: Cookies): string {
    cookies.set('theme', 'dark', { maxAge: 31536000_000, httpOnly: false });
    return 'theme set';
  }

  @Post('with-session')
  withSession(@Session() session: Session, @Cookies() cookies: Cookies): string {
    session.set('user', 'ana');
    cookies.set('theme', 'dark');
    return 'both';
  }

  @Post('delete/:name')
  delete(@Param('name') name: string, @Cookies() cookies: Cookies): string {
    cookies.delete(name);
    return 'deleted';
  }

  @Post('signed/:name')
  setSigned(
    @Param('name') name: string,
    @Query('value') value: string,
    @Query('maxAge') maxAge: string | undefined,
    @Cookies() cookies: Cookies,
  ): string {
    cookies.setSigned(name, value, maxAge === undefined ? {} : { maxAge: Number(maxAge) });
    return 'signed';
  }

  /** The signed cookie's value, and what became of the session beside it. */
  @Get('signed/:name')
  getSigned(
    @Param('name') name: string,
    @Cookies() cookies: Cookies,
    @Session() session: Session,
  ): { value: string | null; isNew: boolean; keys: string[] } {
    return {
      value: cookies.getSigned(name) ?? null,
      isNew: session.isNew,
      keys: session.keys(),
    };
  }

  // One route per way a response leaves; each sets `path=<its name>` first.

  @Post('path/returned')
  returned(@Cookies() cookies: Cookies): { ok: true } {
    cookies.set('path', 'returned');
    return { ok: true };
  }

  @Post('path/reply')
  reply(@Cookies() cookies: Cookies, @Res() res: PlatformResponse): void {
    cookies.set('path', 'reply');
    this.adapterHost.httpAdapter.reply(res, 'replied', 202);
  }

  @Post('path/redirect-decorator')
  @Redirect('/get/path', 303)
  redirectDecorator(@Cookies() cookies: Cookies): void {
    cookies.set('path', 'redirect-decorator');
  }

  @Post('path/redirect-adapter')
  redirectAdapter(@Cookies() cookies: Cookies, @Res() res: PlatformResponse): void {
    cookies.set('path', 'redirect-adapter');
    this.adapterHost.httpAdapter.redirect(res, 302, '/get/path');
  }

  @Post('path/throw')
  thrown(@Cookies() cookies: Cookies): never {
    cookies.set('path', 'throw');
    throw new BadRequestException('failed after setting a cookie');
  }

  @Post('path/stream')
  stream(@Cookies() cookies: Cookies): StreamableFile {
    cookies.set('path', 'stream');
    return new StreamableFile(Buffer.from('streamed body'));
  }

  @Post('path/raw')
  raw(@Cookies() cookies: Cookies, @Res() reply: PlatformResponse): void {
    cookies.set('path', 'raw');
    const res = nodeResponse(reply);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('raw ');
    res.end('body');
  }

  /** Sets a cookie after the first byte: the CookieError is the body. */
  @Post('late')
  late(@Cookies() cookies: Cookies, @Res() reply: PlatformResponse): void {
    cookies.set('early', '1');
    const res = nodeResponse(reply);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('started; ');
    try {
      cookies.set('late', '1');
      res.end('no error');
    } catch (error) {
      res.end(`${(error as Error).name}: ${(error as Error).message}`);
    }
  }

  @Get('nothing')
  nothing(): string {
    return 'nothing used';
  }

  @Post('flash')
  @Redirect('/flash', 303)
  addFlash(
    @Query('message') message: string,
    @Query('category') category: string | undefined,
    @Flash() flash: Flash,
  ): void {
    flash.add(message, category);
  }

  @Get('flash')
  showFlash(
    @Query('categories') categories: string | undefined,
    @Flash() flash: Flash,
  ): { flashes: Array<{ category: string; message: string }> } {
    return { flashes: flash.consume(categories?.split(',')) };
  }

  @Post('service')
  @Redirect('/service', 303)
  serviceSet(@Query('theme') theme: string): void {
    this.preferences.remember(theme);
  }

  @Get('service')
  serviceRead(): ReturnType<Preferences['read']> {
    return this.preferences.read();
  }
}

/** A LoggerService that keeps every argument (Nest logs an error's message, then its stack). */
export class FullLogger implements LoggerService {
  readonly lines: Array<{ level: string; text: string }> = [];
  private keep(level: string, args: unknown[]): void {
    this.lines.push({ level, text: args.map(String).join('\n') });
  }
  log(...args: unknown[]): void {
    this.keep('log', args);
  }
  error(...args: unknown[]): void {
    this.keep('error', args);
  }
  warn(...args: unknown[]): void {
    this.keep('warn', args);
  }
  errors(): string {
    return this.lines
      .filter((line) => line.level === 'error')
      .map((line) => line.text)
      .join('\n');
  }
}

export interface CookieFlashApp {
  app: INestApplication;
  server: Server;
  close(): Promise<void>;
}

/** The app on the platform, with the session module configured by `options`. */
export async function startCookieFlashApp(
  options: SessionModuleOptions,
  platform: Platform,
  logger: LoggerService | false = false,
): Promise<CookieFlashApp> {
  @Module({
    imports: [SessionModule.forRoot(options)],
    controllers: [CookieFlashController],
    providers: [Preferences, EarlyCookieMiddleware],
  })
  class CookieFlashModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(EarlyCookieMiddleware).forRoutes(CookieFlashController);
    }
  }
  const moduleRef = await Test.createTestingModule({ imports: [CookieFlashModule] }).compile();
  const app = await initApp(moduleRef, platform, { logger });
  return { app, server: app.getHttpServer() as Server, close: () => app.close() };
}
