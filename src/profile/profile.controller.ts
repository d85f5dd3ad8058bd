import { Controller, Get, Headers, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { LoggedInGuard, Session } from 'nestjs-flask-session';
import type { AppSession } from '../common/app-session.js';
import { escapeHtml, page } from '../common/html.js';

@Controller('profile')
@UseGuards(LoggedInGuard)
export class ProfileController {
  @Get()
  show(
    @Session() session: Session<AppSession>,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): string | { username: string } {
    const username = session.get('username', '');
    if (accept?.includes('application/json')) return { username };
    res.type('html');
    return page(
      'Profile',
      `<h1>Profile page of ${escapeHtml(username)}</h1><p><a href="/">Home</a></p>`,
    );
  }
}
