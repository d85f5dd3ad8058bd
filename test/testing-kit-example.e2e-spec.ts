import {
  Body,
  Controller,
  Get,
  type INestApplication,
  Module,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { LoggedInGuard, Session, SessionModule } from 'nestjs-flask-session';
import { SessionTestKit } from 'nestjs-flask-session/testing';
import request from 'supertest';

// Your app's module and controllers come from src/; a tiny one here keeps the example whole.
interface AppSession {
  username: string;
  logged_in: boolean; // what LoggedInGuard checks by default
  theme: string;
}

@Controller()
class AccountController {
  @Get('profile')
  @UseGuards(LoggedInGuard)
  profile(@Session() session: Session<AppSession>) {
    return { username: session.get('username') };
  }

  @Post('settings')
  @UseGuards(LoggedInGuard)
  settings(
    @Session() session: Session<AppSession>,
    @Body() body: { theme: string; remember: boolean },
  ) {
    session.set('theme', body.theme);
    session.permanent = body.remember;
    return { ok: true };
  }

  @Post('logout')
  logout(@Session() session: Session<AppSession>) {
    session.destroy();
    return { ok: true };
  }
}

@Module({
  imports: [SessionModule.forRoot({ secretKey: 'a-test-secret-of-at-least-32-bytes' })],
  controllers: [AccountController],
})
class AppModule {}

// The same tests on Express and on Fastify: keep the platform your app runs on.
describe.each([
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter()],
])('account on %s', (_platform, adapter) => {
  let app: INestApplication;
  let kit: SessionTestKit;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication(adapter());
    await app.listen(0, '127.0.0.1'); // on Fastify, routes answer once the app listens (or is ready)
    kit = SessionTestKit.for(app);
  });

  afterAll(() => app.close());

  // The session a login would have saved, without going through the login form.
  const loggedIn = () => kit.cookieWith<AppSession>({ username: 'ana', logged_in: true });

  it('refuses the profile without a session', async () => {
    await request(app.getHttpServer()).get('/profile').expect(401);
  });

  it('shows the profile of a logged-in user', async () => {
    await request(app.getHttpServer())
      .get('/profile')
      .set('Cookie', await loggedIn())
      .expect(200, { username: 'ana' });
  });

  it('saves the settings in the session', async () => {
    const res = await request(app.getHttpServer())
      .post('/settings')
      .set('Cookie', await loggedIn())
      .send({ theme: 'dark', remember: true })
      .expect(201);

    const session = await kit.sessionAfter<AppSession>(res);
    expect(session.cookie).toBe('set');
    expect(session.data).toEqual({ username: 'ana', logged_in: true, theme: 'dark' });
    expect(session.permanent).toBe(true);
  });

  it('clears the session cookie at logout', async () => {
    const res = await request(app.getHttpServer())
      .post('/logout')
      .set('Cookie', await loggedIn())
      .expect(201);

    expect((await kit.sessionAfter(res)).cookie).toBe('cleared');
  });
});
