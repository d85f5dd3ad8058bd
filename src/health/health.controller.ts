import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { SessionRuntime } from 'nestjs-flask-session';
import { type PlatformResponse, Replies } from '../common/replies.js';

@Controller('healthz')
export class HealthController {
  constructor(
    private readonly sessions: SessionRuntime,
    private readonly replies: Replies,
  ) {}

  @Get()
  async check(
    @Res({ passthrough: true }) res: PlatformResponse,
  ): Promise<{ status: string; store: string }> {
    const store = this.sessions.strategy.storeName;
    try {
      await this.sessions.strategy.ping();
      return { status: 'ok', store };
    } catch {
      this.replies.status(res, HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'unavailable', store };
    }
  }
}
