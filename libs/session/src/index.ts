export { SessionModule } from './session.module.js';
export { SESSION_MODULE_OPTIONS } from './session.module-definition.js';
export type {
  SessionModuleOptions,
  SessionCookieOptions,
  LoggedInGuardOptions,
  ResolvedSessionOptions,
} from './session-options.js';
export { Session } from './session.decorator.js';
export { SessionService } from './session.service.js';
export { Flash } from './flash/flash.decorator.js';
export { FlashService } from './flash/flash.service.js';
export type { FlashMessage } from './flash/flash-messages.js';
export { Cookies } from './app-cookies/cookies.decorator.js';
export { CookiesService } from './app-cookies/cookies.service.js';
export type { CookieOptions, CookieLocation } from './app-cookies/cookie-options.js';
export { LoggedInGuard } from './logged-in.guard.js';
export { SessionLock, SessionLockInterceptor } from './session-lock.decorator.js';
export { AllowCrossOrigin } from './cross-origin.decorator.js';
export { CrossOriginGuard } from './cross-origin.guard.js';
export type { CrossOriginOptions, ResolvedCrossOriginOptions } from './cross-origin.js';
export { SessionRuntime } from './session.runtime.js';
export { CookieStore, type CookieStoreOptions } from './stores/cookie-store.js';
export { FlaskCookieStore, type FlaskCookieStoreOptions } from './stores/flask-cookie-store.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
export { FileStore, type FileStoreOptions } from './stores/file-store.js';
export {
  SessionStore,
  type StoredSession,
  type SessionPatch,
  type LockOptions,
  type ReleaseLock,
} from './stores/session-store.js';
export {
  SessionConfigError,
  SessionPlatformError,
  SessionKeyError,
  SessionValueError,
  SessionTooLargeError,
  SessionStoreError,
  CookieError,
  CookieTooLargeError,
  SessionStoreFullError,
  SessionLockTimeoutError,
  LoginRedirectException,
  CrossOriginRefusedException,
} from './session.errors.js';
