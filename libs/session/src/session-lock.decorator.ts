import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { type Observable, from, switchMap } from 'rxjs';
import { contextOf, sessionOf } from './lifecycle/session-context.js';
import { rawResponse } from './platform/raw-http.js';
import { SessionRuntime } from './session.runtime.js';
import type { ReleaseLock } from './stores/session-store.js';

/**
 * Takes the per-session lock before the handler and re-reads the session under it; the lock is
 * released once the session is committed. Concurrent read-modify-write requests of one session
 * (a cart) then take turns and lose nothing. Waits at most 5 s, then 503.
 */
@Injectable()
export class SessionLockInterceptor implements NestInterceptor {
  constructor(private readonly runtime: SessionRuntime) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = rawResponse(context);
    const sessionContext = contextOf(res);
    const session = sessionOf(sessionContext);
    return from(this.runtime.strategy.lock(session)).pipe(
      switchMap((release) => {
        if (release !== undefined && sessionContext !== undefined) {
          const releaseQuietly = this.quiet(release);
          sessionContext.release = releaseQuietly;
          // A client that goes away before the response is written must not keep the lock.
          res.once('close', () => void releaseQuietly());
        }
        return next.handle();
      }),
    );
  }

  /**
   * A release that never rejects: a lock that could not be freed (store down) expires by itself
   * within its TTL, so the failure is logged, never a 500 on a response whose session was saved,
   * nor an unhandled rejection from a 'close' listener that would take the process down.
   */
  private quiet(release: ReleaseLock): ReleaseLock {
    // Through a promise: a release that throws instead of rejecting is caught the same way.
    return () =>
      Promise.resolve()
        .then(release)
        .catch((error: unknown) => {
          this.runtime.diagnostics.error(
            'Session lock could not be released (it expires by itself within 10 s)',
            error,
          );
        });
  }
}

/** Makes concurrent requests of one session take turns on this route (server-side stores). */
export const SessionLock = (): MethodDecorator & ClassDecorator =>
  applyDecorators(UseInterceptors(SessionLockInterceptor));
