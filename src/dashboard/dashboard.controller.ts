import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { LoggedInGuard } from 'nestjs-flask-session';
import { Pages } from '../common/pages.js';

@Controller('dashboard')
@UseGuards(LoggedInGuard)
export class DashboardController {
  constructor(private readonly pages: Pages) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  show(): string {
    return this.pages.render(
      'Dashboard',
      '<h1>Welcome to the dashboard!</h1><p><a href="/">Home</a></p>',
    );
  }
}
