import { Injectable } from '@nestjs/common';
import { activeContext } from '../lifecycle/session-context.js';
import type { CookieLocation, CookieOptions } from './cookie-options.js';
import type { Cookies } from './request-cookies.js';

/**
 * The current request's cookies beside the session, for any provider: a singleton that finds the
 * request through AsyncLocalStorage, as SessionService does.
 */
@Injectable()
export class CookiesService implements Cookies {
  /** The cookies of the request being handled; throws outside a request. */
  get current(): Cookies {
    return activeContext('CookiesService').requestCookies();
  }

  get(name: string): string | undefined {
    return this.current.get(name);
  }

  all(): Record<string, string> {
    return this.current.all();
  }

  set(name: string, value: string, options?: CookieOptions): void {
    this.current.set(name, value, options);
  }

  delete(name: string, options?: CookieLocation): void {
    this.current.delete(name, options);
  }

  getSigned(name: string): string | undefined {
    return this.current.getSigned(name);
  }

  setSigned(name: string, value: string, options?: CookieOptions): void {
    this.current.setSigned(name, value, options);
  }
}
