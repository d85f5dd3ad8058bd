import { Controller, Get, Headers, Res, UseGuards } from '@nestjs/common';
import { LoggedInGuard, Session } from 'nestjs-flask-session';
import type { AppSession } from '../common/app-session.js';
import { escapeHtml } from '../common/html.js';
import { Pages } from '../common/pages.js';
import { HTML, type PlatformResponse, Replies } from '../common/replies.js';

@Controller('profile')
@UseGuards(LoggedInGuard)
export class ProfileController {
  constructor(
    private readonly replies: Replies,
    private readonly pages: Pages,
  ) {}

  @Get()
  show(
    @Session() session: Session<AppSession>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: PlatformResponse,
  ): string | { username: string } {
    const username = session.get('username', '');
    if (accept?.includes('application/json')) return { username };
    this.replies.header(res, 'content-type', HTML);
    return this.pages.render(
      'Profile',
      `<h1>Profile page of ${escapeHtml(username)}</h1><p><a href="/">Home</a></p>`,
    );
  }
}
