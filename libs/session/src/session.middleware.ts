import { HttpException, HttpStatus, Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendSetCookie, isHttps, readCookie, varyOnCookie } from './cookie/cookie-header.js';
import { setCookieLine } from './app-cookies/cookie-options.js';
import type { CookieJarSettings, RequestCookies } from './app-cookies/request-cookies.js';
import { isCrossOriginUnsafe } from './cross-origin.js';
import { commitBeforeFirstWrite } from './lifecycle/response-gate.js';
import {
  type SessionCommitter,
  SessionContext,
  sessionContextStorage,
} from './lifecycle/session-context.js';
import type { CookieAction } from './lifecycle/session-strategy.js';
import {
  HeldResponseCallError,
  SessionStoreError,
  SessionTooLargeError,
} from './session.errors.js';
import { SessionRuntime } from './session.runtime.js';
import type { RequestSession } from './session.js';

/**
 * Loads the session before the handler (signature and age checked before any store lookup) and
 * commits it before the response leaves, on every path.
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware, SessionCommitter {
  readonly cookieJar: CookieJarSettings;

  constructor(private readonly runtime: SessionRuntime) {
    this.cookieJar = runtime.cookieJar;
  }

  use(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    const { strategy, options } = this.runtime;
    const context = new SessionContext(this);
    context.cookieHeader = req.headers.cookie;
    const { crossOrigin } = options;
    if (crossOrigin !== false && isCrossOriginUnsafe(req, crossOrigin, options.trustProxy))
      context.crossOriginRefused = true;
    let loaded: RequestSession | Promise<RequestSession>;
    try {
      loaded = strategy.load(readCookie(req, options.cookie.name), Date.now());
    } catch (error) {
      next(error);
      return;
    }
    if (!(loaded instanceof Promise)) {
      context.session = loaded;
      this.start(context, res, next);
      return;
    }
    loaded.then(
      (session) => {
        context.session = session;
        this.start(context, res, next);
      },
      (error: unknown) => {
        context.loadError = error;
        this.start(context, res, next);
      },
    );
  }

  private start(context: SessionContext, res: ServerResponse, next: () => void): void {
    commitBeforeFirstWrite(res, context);
    if (this.runtime.asyncContext) sessionContextStorage.run(context, next);
    else next();
  }

  /** Runs once, when the response is about to leave (see response-gate.ts). */
  commit(context: SessionContext, res: ServerResponse): void | Promise<void> {
    const session = context.session;
    // A refused cross-origin request changes no session and sets no cookie, whatever ran before the refusal.
    if (context.crossOriginRefused) return this.unlock(context);
    // The app's own cookies need no store: they go out even when the session could not be loaded
    // (a response that fails at commit drops them with the rest of what the handler meant to send).
    if (context.cookies !== undefined) this.writeAppCookies(context.cookies, res);
    if (session === undefined) return this.unlock(context);
    const now = Date.now();
    if (context.release === undefined) {
      const action = this.runtime.strategy.commit(session, now);
      if (action instanceof Promise) return action.then((a) => this.writeHeaders(a, session, res));
      this.writeHeaders(action, session, res);
      return;
    }
    const release = context.release;
    context.release = undefined;
    return Promise.resolve(this.runtime.strategy.commit(session, now))
      .then((a) => this.writeHeaders(a, session, res))
      .finally(release);
  }

  private unlock(context: SessionContext): void | Promise<void> {
    const release = context.release;
    context.release = undefined;
    return release?.();
  }

  private writeAppCookies(cookies: RequestCookies, res: ServerResponse): void {
    if (cookies.read) varyOnCookie(res);
    if (cookies.outgoing === undefined) return;
    const https = isHttps(res.req, this.runtime.options.trustProxy);
    for (const cookie of cookies.outgoing)
      appendSetCookie(res, setCookieLine(cookie, cookie.secure === 'auto' ? https : cookie.secure));
    // As for the session cookie: no shared cache may keep one client's cookies for another.
    res.setHeader('cache-control', 'no-store');
  }

  private writeHeaders(action: CookieAction, session: RequestSession, res: ServerResponse): void {
    const { options, diagnostics } = this.runtime;
    if (session.accessed) varyOnCookie(res);
    if (action.kind === 'none') return;
    const https = isHttps(res.req, options.trustProxy);
    const secure = options.cookie.secure === 'auto' ? https : options.cookie.secure;
    if (secure && !https) {
      diagnostics.warnOnce(
        'secure-over-http',
        'The session cookie is Secure but this request came over plain HTTP: the browser will drop it. ' +
          "Serve over HTTPS, or behind a TLS proxy set trustProxy: true, or use cookie.secure: 'auto'.",
      );
    }
    const { cookieLines } = this.runtime;
    appendSetCookie(
      res,
      action.kind === 'set'
        ? cookieLines.set(action.value, secure, action.permanent)
        : cookieLines.expire(secure),
    );
    res.setHeader('cache-control', 'no-store');
  }

  /** The commit failed: answer with its status instead of the handler's response, and log why. */
  fail(res: ServerResponse, error: unknown): void {
    const { diagnostics } = this.runtime;
    // A store error was logged, with its cause, where it happened (ServerStrategy).
    if (error instanceof SessionTooLargeError) diagnostics.error(error.message);
    else if (error instanceof HeldResponseCallError) diagnostics.error(error.message, error.cause);
    else if (!(error instanceof SessionStoreError))
      diagnostics.error('Session could not be saved', error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status =
      error instanceof HttpException ? error.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    const message =
      error instanceof SessionTooLargeError
        ? 'Session too large to store'
        : error instanceof HeldResponseCallError
          ? 'Internal server error'
          : 'Session could not be saved';
    const response =
      error instanceof HttpException ? error.getResponse() : { statusCode: status, message };
    // Drop what the handler meant to send (its body type, a redirect, a session cookie).
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    const body = JSON.stringify(
      typeof response === 'object' ? response : { statusCode: status, message: response },
    );
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  }
}
