import {
  Controller,
  Get,
  Injectable,
  type INestApplication,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { Session, SessionModule, SessionService } from 'nestjs-flask-session';
import { SECRET, sessionCookie } from './support/demo.js';
import { PLATFORMS, initApp } from './support/platform.js';

/** The app's own middleware, mounted with the MiddlewareConsumer, using the session. */
@Injectable()
class VisitCounter implements NestMiddleware {
  constructor(private readonly sessions: SessionService<{ visits: number; user: string }>) {}

  use(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
    const visits = (this.sessions.get('visits') ?? 0) + 1;
    this.sessions.set('visits', visits);
    res.setHeader('x-user', this.sessions.get('user') ?? 'anonymous');
    next();
  }
}

@Controller()
class VisitsController {
  @Get('login')
  login(@Session() session: Session<{ user: string }>): string {
    session.set('user', 'ada');
    return 'ok';
  }

  @Get('visits')
  visits(@Session() session: Session<{ visits: number }>): { visits: number | undefined } {
    return { visits: session.get('visits') };
  }
}

// VisitCounter is not a provider: SessionService must be found injected into a middleware alone.
@Module({ controllers: [VisitsController] })
class VisitsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(VisitCounter).forRoutes('*');
  }
}

// The session middleware is mounted on the HTTP platform ahead of every MiddlewareConsumer
// middleware, whatever the module order, so an app's middleware can read and write the session.
describe.each(PLATFORMS)('middleware of the app on %s', (platform) => {
  let app: INestApplication;
  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      // The app's module first: the order of imports must not matter.
      imports: [VisitsModule, SessionModule.forRoot({ secretKey: SECRET })],
    }).compile();
    app = await initApp(moduleRef, platform, { logger: false });
  });
  afterEach(() => app.close());

  it('reads and writes the session through SessionService; the handler sees it and it is saved', async () => {
    const login = await request(app.getHttpServer()).get('/login');
    expect(login.headers['x-user']).toBe('anonymous');
    const cookie = sessionCookie(login)!;
    const first = await request(app.getHttpServer()).get('/visits').set('Cookie', cookie);
    expect(first.headers['x-user']).toBe('ada');
    expect(first.body).toEqual({ visits: 2 });
    const second = await request(app.getHttpServer())
      .get('/visits')
      .set('Cookie', sessionCookie(first)!);
    expect(second.body).toEqual({ visits: 3 });
  });
});
