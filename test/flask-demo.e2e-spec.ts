import request from 'supertest';
import {
  type DemoHandle,
  OLD_SECRET,
  SECRET,
  consumeFlashes,
  login,
  sessionCookie,
  startDemo,
} from './support/demo.js';
import { FlaskServer } from './support/flask-server.js';
import { PLATFORMS } from './support/platform.js';

// The demo's "Flask interoperability" contract (../shared/spec/demo-app.md): with
// SESSION_STORE=flask, the demo and a real Flask app with the same SECRET_KEY share a login,
// and its flash messages, both ways.

describe.each(PLATFORMS)(
  'the demo on %s with SESSION_STORE=flask and a real Flask app',
  (platform) => {
    let demo: DemoHandle;
    let flask: FlaskServer;
    beforeAll(async () => {
      [demo, flask] = await Promise.all([
        startDemo('flask', {}, platform),
        FlaskServer.start({ secretKey: SECRET, permanentLifetimeSeconds: 31 * 86400 }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([demo?.close(), flask?.close()]);
    });

    const profile = (cookie: string) =>
      request(demo.server).get('/profile').set('Accept', 'application/json').set('Cookie', cookie);

    it('a login at the demo is a login in Flask; its flash is shown by get_flashed_messages()', async () => {
      const cookie = await login(demo.server, { remember: 'on' });
      const whoami = await flask.request('GET', '/whoami', { cookie });
      expect(whoami).toMatchObject({ status: 200, body: { username: 'admin' } });
      const session = await flask.request('GET', '/get', { cookie });
      expect(session.body).toMatchObject({
        data: { username: 'admin', logged_in: true },
        permanent: true,
      });
      const flashes = await flask.request('GET', '/flashes', { cookie });
      expect(flashes.body).toEqual([['success', 'Logged in as admin']]);
      // Flask consumed it: the cookie it sent back holds no flash, and the demo shows none.
      const after = await consumeFlashes(demo.server, `session=${flashes.cookie}`);
      expect(after.messages).toEqual([]);
      expect((await profile(after.cookie)).body).toEqual({ username: 'admin' });
    });

    it('a login in Flask is a login at the demo, and a flash from Flask shows on its pages', async () => {
      const loggedIn = await flask.request('POST', '/login', { json: { username: 'bob' } });
      const flashed = await flask.request('POST', '/flash', {
        cookie: loggedIn.cookie,
        json: { message: 'Saved <b>in</b> Flask', category: 'info' },
      });
      const cookie = `session=${flashed.cookie}`;
      expect((await profile(cookie)).body).toEqual({ username: 'bob' });
      const home = await request(demo.server).get('/').set('Cookie', cookie);
      expect(home.status).toBe(200);
      expect(home.text).toContain('Welcome, bob!');
      expect(home.text).toContain(
        '<p class="flash flash-info" role="status">Saved &lt;b&gt;in&lt;/b&gt; Flask</p>',
      );
      // The demo consumed it, in Flask's format: Flask sees no flash and the same login.
      const next = sessionCookie(home)!;
      expect((await flask.request('GET', '/flashes', { cookie: next })).body).toEqual([]);
      expect((await flask.request('GET', '/whoami', { cookie: next })).body).toEqual({
        username: 'bob',
      });
    });

    it('the cart kept by the demo is a list in Flask; logout at the demo removes the shared cookie', async () => {
      let cookie = await login(demo.server);
      for (const item of ['apple', 'pear']) {
        const res = await request(demo.server).post('/cart').set('Cookie', cookie).send({ item });
        cookie = sessionCookie(res) ?? cookie;
      }
      expect((await flask.request('GET', '/get', { cookie })).body.data.cart).toEqual([
        'apple',
        'pear',
      ]);
      const out = await request(demo.server).post('/logout').set('Cookie', cookie);
      expect(out.headers['set-cookie'][0]).toMatch(/^session=;/);
      // The browser drops the cookie; with no cookie, Flask sees no one.
      expect((await flask.request('GET', '/whoami')).status).toBe(401);
    });

    it('a tampered cookie is refused by both: anonymous here (never a 500), empty in Flask', async () => {
      const cookie = await login(demo.server);
      const value = cookie.slice('session='.length);
      const payloadEnd = value.indexOf('.', 1);
      const flipped = `${value.slice(0, payloadEnd - 2)}${value[payloadEnd - 2] === 'A' ? 'B' : 'A'}${value.slice(payloadEnd - 1)}`;
      expect((await profile(`session=${flipped}`)).status).toBe(401);
      expect((await flask.request('GET', '/whoami', { cookie: flipped })).status).toBe(401);
    });

    it('a cookie from a Flask app with another SECRET_KEY is refused by the demo', async () => {
      const other = await FlaskServer.start({ secretKey: OLD_SECRET });
      try {
        const loggedIn = await other.request('POST', '/login', { json: { username: 'mallory' } });
        expect((await profile(`session=${loggedIn.cookie}`)).status).toBe(401);
      } finally {
        await other.close();
      }
    });

    it('rotation: the demo with SESSION_SECRET=NEW,OLD accepts the old Flask cookie and signs anew', async () => {
      const old = await FlaskServer.start({ secretKey: OLD_SECRET });
      const rotated = await startDemo(
        'flask',
        { SESSION_SECRET: `${SECRET},${OLD_SECRET}` },
        platform,
      );
      try {
        const loggedIn = await old.request('POST', '/login', { json: { username: 'carol' } });
        const res = await request(rotated.server)
          .get('/profile')
          .set('Accept', 'application/json')
          .set('Cookie', `session=${loggedIn.cookie}`);
        expect(res.body).toEqual({ username: 'carol' });
        // A write signs with the new key, which the Flask app on the new key reads.
        const cart = await request(rotated.server)
          .post('/cart')
          .set('Cookie', `session=${loggedIn.cookie}`)
          .send({ item: 'tea' });
        const renewed = sessionCookie(cart)!;
        expect((await flask.request('GET', '/whoami', { cookie: renewed })).body).toEqual({
          username: 'carol',
        });
        expect((await old.request('GET', '/whoami', { cookie: renewed })).status).toBe(401);
      } finally {
        await Promise.all([old.close(), rotated.close()]);
      }
    });
  },
);
