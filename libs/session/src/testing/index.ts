// The `nestjs-flask-session/testing` entry point: sessions for an app's own e2e tests.
export {
  SessionTestKit,
  type SessionAfterResponse,
  type TestSessionInit,
} from './session-test-kit.js';
export type { SetCookieSource } from './set-cookie-source.js';
