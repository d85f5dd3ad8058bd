import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SessionRuntime } from 'nestjs-flask-session';

@Controller('healthz')
export class HealthController {
  constructor(private readonly sessions: SessionRuntime) {}

  @Get()
  async check(
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ status: string; store: string }> {
    const store = this.sessions.strategy.storeName;
    try {
      await this.sessions.strategy.ping();
      return { status: 'ok', store };
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'unavailable', store };
    }
  }
}
