import request from 'supertest';
import { type DemoHandle, login, setCookieLine, startDemo } from './support/demo.js';
import { PLATFORMS } from './support/platform.js';
import { RedisServer } from './support/redis-server.js';

describe.each(PLATFORMS)('demo on Redis when Redis goes away, on %s', (platform) => {
  let redis: RedisServer;
  let demo: DemoHandle;
  beforeEach(async () => {
    redis = await RedisServer.start();
    demo = await startDemo('redis', { REDIS_URL: redis.url }, platform);
  });
  afterEach(async () => {
    await demo.close();
    await redis.stop();
  });

  it('a stopped Redis gives 503 (not a logout), and the app recovers when it is back', async () => {
    const cookie = await login(demo.server);
    expect((await request(demo.server).get('/profile').set('Cookie', cookie)).status).toBe(200);

    await redis.kill();
    const started = Date.now();
    const profile = await request(demo.server).get('/profile').set('Cookie', cookie);
    expect(profile.status).toBe(503);
    expect(profile.body).toEqual({ statusCode: 503, message: 'Session store unavailable' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(setCookieLine(profile)).toBeUndefined();
    expect((await request(demo.server).get('/healthz')).status).toBe(503);
    // Logging in while the store is down sets no cookie.
    const loginDown = await request(demo.server)
      .post('/login')
      .send({ username: 'admin', password: 'admin' });
    expect(loginDown.status).toBe(503);
    expect(setCookieLine(loginDown)).toBeUndefined();
    // What needs no store still works: the login form renders (without its flashes, which wait
    // in the session), and the theme cookie is set.
    const form = await request(demo.server).get('/login').set('Cookie', cookie);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form method="post" action="/login">');
    const theme = await request(demo.server)
      .post('/preferences')
      .set('Cookie', cookie)
      .send({ theme: 'dark' });
    expect(theme.status).toBe(200);
    expect(theme.headers['set-cookie']).toEqual([
      'theme=dark; Path=/; Max-Age=31536000; SameSite=Lax',
    ]);

    await redis.restart();
    let health = 0;
    for (let i = 0; i < 60 && health !== 200; i++) {
      health = (await request(demo.server).get('/healthz')).status;
      if (health !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health).toBe(200);
    const back = await request(demo.server)
      .get('/profile')
      .set('Cookie', cookie)
      .set('Accept', 'application/json');
    expect(back.status).toBe(200);
    expect(back.body).toEqual({ username: 'admin' });
  }, 20_000);

  it('a hung Redis fails requests within a few seconds instead of hanging them', async () => {
    const cookie = await login(demo.server);
    redis.pause();
    try {
      const started = Date.now();
      const res = await request(demo.server)
        .post('/cart')
        .set('Cookie', cookie)
        .send({ item: 'x' });
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(4000);
      expect((await request(demo.server).get('/healthz')).status).toBe(503);
    } finally {
      redis.resume();
    }
    // Once it answers again, the session is there, untouched by the failed write.
    const cart = await request(demo.server).get('/cart').set('Cookie', cookie);
    expect(cart.status).toBe(200);
    expect(cart.body).toEqual({ items: [] });
  }, 20_000);
});
