import { Controller, Get, Res } from '@nestjs/common';
import { Session } from 'nestjs-flask-session';
import type { AppSession } from '../common/app-session.js';
import { escapeHtml } from '../common/html.js';
import { Pages } from '../common/pages.js';
import { type PlatformResponse, Replies } from '../common/replies.js';

@Controller()
export class HomeController {
  constructor(
    private readonly replies: Replies,
    private readonly pages: Pages,
  ) {}

  @Get()
  index(@Session() session: Session<AppSession>, @Res() res: PlatformResponse): void {
    if (session.get('logged_in') !== true) {
      this.replies.redirect(res, '/login');
      return;
    }
    const name = escapeHtml(session.get('username', ''));
    this.replies.html(
      res,
      this.pages.render(
        'Home',
        `<h1>Welcome, ${name}!</h1>
<p><a href="/profile">Profile</a> · <a href="/dashboard">Dashboard</a> · <a href="/cart">Cart</a></p>
<form method="post" action="/logout"><button type="submit">Log out</button></form>`,
      ),
    );
  }
}
