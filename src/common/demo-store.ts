import { CookieStore, MemoryStore, type SessionStore } from '@app/session';
import type { DemoConfig } from './demo-config.js';

/** The session store SESSION_STORE names. */
export function createDemoStore(config: DemoConfig): CookieStore | SessionStore {
  switch (config.store) {
    case 'cookie':
      return new CookieStore();
    case 'memory':
      return new MemoryStore();
    case 'file':
    case 'redis':
      throw new Error(
        `SESSION_STORE=${config.store} is not available in this version yet; use cookie or memory`,
      );
  }
}
