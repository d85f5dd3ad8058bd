import { Injectable } from '@nestjs/common';
import { activeContext, sessionOf } from './lifecycle/session-context.js';
import type { Session } from './session.js';

/**
 * The current request's session, for any provider. A singleton: the request is found through
 * AsyncLocalStorage (as nestjs-cls does), so injecting it does not make the injecting class
 * request-scoped, and concurrent requests never see each other's session.
 */
@Injectable()
export class SessionService<TData extends object = Record<string, any>> {
  /** The session of the request being handled; throws outside a request. */
  get current(): Session<TData> {
    return sessionOf(activeContext('SessionService')) as unknown as Session<TData>;
  }

  get<K extends keyof TData & string>(key: K): TData[K] | undefined {
    return this.current.get(key);
  }

  set<K extends keyof TData & string>(key: K, value: TData[K]): void {
    this.current.set(key, value);
  }

  has(key: keyof TData & string): boolean {
    return this.current.has(key);
  }
}
