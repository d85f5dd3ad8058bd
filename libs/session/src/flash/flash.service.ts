import { Injectable } from '@nestjs/common';
import { activeContext, flashOf } from '../lifecycle/session-context.js';
import type { Flash, FlashMessage } from './flash-messages.js';

/**
 * Flask's `flash()` and `get_flashed_messages()` for any provider (a layout renderer, a
 * service that reports success): a singleton that finds the request through AsyncLocalStorage.
 */
@Injectable()
export class FlashService implements Flash {
  /** The flash messages of the request being handled; throws outside a request. */
  get current(): Flash {
    return flashOf(activeContext('FlashService'));
  }

  add(message: string, category?: string): void {
    this.current.add(message, category);
  }

  consume(categories?: readonly string[]): FlashMessage[] {
    return this.current.consume(categories);
  }

  messages(categories?: readonly string[]): string[] {
    return this.current.messages(categories);
  }

  get pending(): boolean {
    return this.current.pending;
  }
}
