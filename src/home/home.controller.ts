import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Session } from 'nestjs-flask-session';
import type { AppSession } from '../common/app-session.js';
import { escapeHtml, page } from '../common/html.js';

@Controller()
export class HomeController {
  @Get()
  index(@Session() session: Session<AppSession>, @Res() res: Response): void {
    if (session.get('logged_in') !== true) {
      res.redirect(HttpStatus.FOUND, '/login');
      return;
    }
    const name = escapeHtml(session.get('username', ''));
    res.type('html').send(
      page(
        'Home',
        `<h1>Welcome, ${name}!</h1>
<p><a href="/profile">Profile</a> · <a href="/dashboard">Dashboard</a> · <a href="/cart">Cart</a></p>
<form method="post" action="/logout"><button type="submit">Log out</button></form>`,
      ),
    );
  }
}
