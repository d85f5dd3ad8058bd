import type { RequestSession } from '../session.js';

/** One flashed message and its category. */
export interface FlashMessage {
  category: string;
  message: string;
}

/**
 * Where the messages wait: Flask's own key and layout (a list of [category, message] pairs), so
 * flashes cross between a Flask app and this one on the Flask cookie store.
 */
export const FLASHES_KEY = '_flashes';
const DEFAULT_CATEGORY = 'message';

/**
 * Flask's `flash()` and `get_flashed_messages()` for one request. Messages wait in the session
 * until a request reads them; reading takes them all out (those a category filter leaves out are
 * gone too, as in Flask), and every read in the same request sees the same list. A request that
 * neither flashes nor reads writes nothing.
 */
export interface Flash {
  /** Flask's `flash(message, category)`: shown on a later request. Category default `'message'`. */
  add(message: string, category?: string): void;
  /**
   * Flask's `get_flashed_messages(with_categories=True, category_filter=...)`: the waiting
   * messages, which are then gone from the session.
   */
  consume(categories?: readonly string[]): FlashMessage[];
  /** The same, message texts only (Flask's `get_flashed_messages()`). */
  messages(categories?: readonly string[]): string[];
  /** Whether messages wait in the session, without consuming them (once read, only those added after). */
  readonly pending: boolean;
}

export class FlashMessages implements Flash {
  /** What this request consumed: later reads in the request see it again, as Flask's do. */
  private consumed: FlashMessage[] | undefined;

  constructor(private readonly session: RequestSession) {}

  add(message: string, category: string = DEFAULT_CATEGORY): void {
    if (typeof message !== 'string')
      throw new TypeError(`flash message must be a string, got ${typeof message}`);
    if (typeof category !== 'string' || category === '')
      throw new TypeError('flash category must be a non-empty string');
    const waiting = this.session.get(FLASHES_KEY);
    const list = Array.isArray(waiting) ? waiting : [];
    this.session.set(FLASHES_KEY, [...list, [category, message]]);
  }

  consume(categories?: readonly string[]): FlashMessage[] {
    this.consumed ??= this.session.has(FLASHES_KEY)
      ? readFlashes(this.session.pop(FLASHES_KEY))
      : [];
    // As Flask's `if category_filter:`, an empty filter is no filter.
    return categories === undefined || categories.length === 0
      ? [...this.consumed]
      : this.consumed.filter((flash) => categories.includes(flash.category));
  }

  messages(categories?: readonly string[]): string[] {
    return this.consume(categories).map((flash) => flash.message);
  }

  get pending(): boolean {
    return this.session.has(FLASHES_KEY);
  }
}

/**
 * The stored list, as far as it holds [category, message] pairs of strings (a Flask app may have
 * written the list; anything else in it is skipped rather than shown).
 */
function readFlashes(stored: unknown): FlashMessage[] {
  if (!Array.isArray(stored)) return [];
  const flashes: FlashMessage[] = [];
  for (const entry of stored) {
    if (
      Array.isArray(entry) &&
      entry.length === 2 &&
      typeof entry[0] === 'string' &&
      typeof entry[1] === 'string'
    )
      flashes.push({ category: entry[0], message: entry[1] });
  }
  return flashes;
}
