import { Injectable } from '@nestjs/common';
import {
  CookiesService,
  type FlashMessage,
  FlashService,
  SessionStoreError,
} from 'nestjs-flask-session';
import { page } from './html.js';
import { themeOf } from '../preferences/theme.js';

/**
 * Renders the demo's HTML pages in their frame: the theme from the `theme` cookie, and the
 * flashed messages waiting in the session (shown once, then gone), as a Flask base template does
 * with `get_flashed_messages()`. Reached through the services, so any controller can render.
 */
@Injectable()
export class Pages {
  constructor(
    private readonly flash: FlashService,
    private readonly cookies: CookiesService,
  ) {}

  render(title: string, body: string): string {
    return page(title, body, {
      theme: themeOf(this.cookies.get('theme')),
      flashes: this.waiting(),
    });
  }

  /**
   * The waiting messages. While the session store is down a page still renders, without them:
   * they stay in the session for the next page.
   */
  private waiting(): FlashMessage[] {
    try {
      return this.flash.consume();
    } catch (error) {
      if (error instanceof SessionStoreError) return [];
      throw error;
    }
  }
}
