import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { Cookies } from 'nestjs-flask-session';
import { PreferencesDto } from './preferences.dto.js';
import { type Theme, themeOf } from './theme.js';

/** A year, as Max-Age. */
const THEME_COOKIE_LIFETIME_MS = 365 * 24 * 3600 * 1000;

/**
 * A plain cookie beside the session (Flask's `resp.set_cookie` / `request.cookies.get`): the
 * page's theme. It never touches the session.
 */
@Controller('preferences')
export class PreferencesController {
  @Get()
  show(@Cookies() cookies: Cookies): { theme: Theme } {
    return { theme: themeOf(cookies.get('theme')) };
  }

  @Post()
  @HttpCode(200)
  save(@Body() body: PreferencesDto, @Cookies() cookies: Cookies): { theme: Theme } {
    // Not HttpOnly: a page's own scripts may read the theme; nothing secret is in it.
    cookies.set('theme', body.theme, { maxAge: THEME_COOKIE_LIFETIME_MS, httpOnly: false });
    return { theme: body.theme };
  }
}
