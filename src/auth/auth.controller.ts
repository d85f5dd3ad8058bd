import { Body, Controller, Get, Header, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { Flash, Session } from 'nestjs-flask-session';
import type { AppSession } from '../common/app-session.js';
import { escapeHtml } from '../common/html.js';
import { Pages } from '../common/pages.js';
import { HTML, type PlatformResponse, Replies } from '../common/replies.js';
import { isLocalPath } from './local-path.js';
import { LoginDto } from './login.dto.js';
import { UsersService } from './users.service.js';

function loginForm(next: string | undefined, error?: string): string {
  return `<h1>Log in</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <label>Username <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <label><input name="remember" type="checkbox"> Remember me</label>
  ${next ? `<input type="hidden" name="next" value="${escapeHtml(next)}">` : ''}
  <button type="submit">Log in</button>
</form>`;
}

@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly replies: Replies,
    private readonly pages: Pages,
  ) {}

  @Get('login')
  @Header('content-type', HTML)
  form(@Query('next') next: unknown): string {
    // A `next` the login would refuse (over 200 characters) is dropped, not carried into a 400.
    const carried =
      typeof next === 'string' && next.length <= 200 && isLocalPath(next) ? next : undefined;
    return this.pages.render('Log in', loginForm(carried));
  }

  @Post('login')
  login(
    @Body() body: LoginDto,
    @Session() session: Session<AppSession>,
    @Flash() flash: Flash,
    @Res() res: PlatformResponse,
  ): void {
    const next = isLocalPath(body.next) ? body.next : undefined;
    if (!this.users.check(body.username, body.password)) {
      const form = this.pages.render(
        'Log in',
        loginForm(next, 'Login failed: wrong username or password'),
      );
      this.replies.html(res, form, HttpStatus.UNAUTHORIZED);
      return;
    }
    // A fresh session (new id, new cookie) that keeps the anonymous session's data (the cart).
    session.regenerate();
    session.set('username', body.username);
    session.set('logged_in', true);
    session.permanent =
      body.remember === 'on' || body.remember === 'true' || body.remember === true;
    flash.add(`Logged in as ${body.username}`, 'success');
    this.replies.redirect(res, next ?? '/');
  }

  @Get('logout')
  logoutGet(@Session() session: Session<AppSession>, @Res() res: PlatformResponse): void {
    this.logout(session, res);
  }

  @Post('logout')
  logoutPost(@Session() session: Session<AppSession>, @Res() res: PlatformResponse): void {
    this.logout(session, res);
  }

  private logout(session: Session<AppSession>, res: PlatformResponse): void {
    session.destroy();
    this.replies.redirect(res, '/login');
  }
}
