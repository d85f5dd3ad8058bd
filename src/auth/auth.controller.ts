import { Body, Controller, Get, HttpStatus, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Session } from 'nestjs-flask-session';
import type { AppSession } from '../common/app-session.js';
import { escapeHtml, page } from '../common/html.js';
import { isLocalPath } from './local-path.js';
import { LoginDto } from './login.dto.js';
import { UsersService } from './users.service.js';

function loginForm(next: string | undefined, error?: string): string {
  return page(
    'Log in',
    `<h1>Log in</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <label>Username <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <label><input name="remember" type="checkbox"> Remember me</label>
  ${next ? `<input type="hidden" name="next" value="${escapeHtml(next)}">` : ''}
  <button type="submit">Log in</button>
</form>`,
  );
}

@Controller()
export class AuthController {
  constructor(private readonly users: UsersService) {}

  @Get('login')
  form(@Query('next') next: unknown, @Res() res: Response): void {
    // A `next` the login would refuse (over 200 characters) is dropped, not carried into a 400.
    const carried =
      typeof next === 'string' && next.length <= 200 && isLocalPath(next) ? next : undefined;
    res.type('html').send(loginForm(carried));
  }

  @Post('login')
  login(
    @Body() body: LoginDto,
    @Session() session: Session<AppSession>,
    @Res() res: Response,
  ): void {
    const next = isLocalPath(body.next) ? body.next : undefined;
    if (!this.users.check(body.username, body.password)) {
      res
        .status(HttpStatus.UNAUTHORIZED)
        .type('html')
        .send(loginForm(next, 'Login failed: wrong username or password'));
      return;
    }
    // A fresh session (new id, new cookie) that keeps the anonymous session's data (the cart).
    session.regenerate();
    session.set('username', body.username);
    session.set('logged_in', true);
    session.permanent =
      body.remember === 'on' || body.remember === 'true' || body.remember === true;
    res.redirect(HttpStatus.FOUND, next ?? '/');
  }

  @Get('logout')
  logoutGet(@Session() session: Session<AppSession>, @Res() res: Response): void {
    this.logout(session, res);
  }

  @Post('logout')
  logoutPost(@Session() session: Session<AppSession>, @Res() res: Response): void {
    this.logout(session, res);
  }

  private logout(session: Session<AppSession>, res: Response): void {
    session.destroy();
    res.redirect(HttpStatus.FOUND, '/login');
  }
}
