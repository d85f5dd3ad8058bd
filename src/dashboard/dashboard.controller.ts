import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { LoggedInGuard } from 'nestjs-flask-session';
import { page } from '../common/html.js';

@Controller('dashboard')
@UseGuards(LoggedInGuard)
export class DashboardController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  show(): string {
    return page('Dashboard', '<h1>Welcome to the dashboard!</h1><p><a href="/">Home</a></p>');
  }
}
