import request from 'supertest';
import {
  type DemoHandle,
  STORES,
  login,
  sessionCookie,
  setCookieLine,
  startDemo,
  inCookie,
} from './support/demo.js';
import { PLATFORMS } from './support/platform.js';

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(STORES)('demo routes on the %s store', (store) => {
    let demo: DemoHandle;
    beforeEach(async () => {
      demo = await startDemo(store, {}, platform);
    });
    afterEach(() => demo.close());

    describe('GET /', () => {
      it('redirects an anonymous visitor to /login and sets no cookie', async () => {
        const res = await request(demo.server).get('/');
        expect(res.status).toBe(302);
        expect(res.headers.location).toBe('/login');
        expect(setCookieLine(res)).toBeUndefined();
      });

      it('greets a logged-in user by name, HTML-escaped', async () => {
        const demoWithOddName = await startDemo(store, { DEMO_USERS: '<b>&eve:pw' }, platform);
        try {
          const cookie = await login(demoWithOddName.server, { user: '<b>&eve', password: 'pw' });
          const res = await request(demoWithOddName.server).get('/').set('Cookie', cookie);
          expect(res.status).toBe(200);
          expect(res.headers['content-type']).toMatch(/text\/html/);
          expect(res.text).toContain('Welcome, &lt;b&gt;&amp;eve!');
          expect(res.text).not.toContain('<b>&eve');
        } finally {
          await demoWithOddName.close();
        }
      });
    });

    describe('GET /login', () => {
      it('serves the form with username, password and remember, posting to /login', async () => {
        const res = await request(demo.server).get('/login');
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.text).toMatch(/<form[^>]*method="post"[^>]*action="\/login"/);
        for (const field of ['username', 'password', 'remember'])
          expect(res.text).toContain(`name="${field}"`);
        expect(res.text).toMatch(/name="remember" type="checkbox"/);
      });
    });

    describe('POST /login', () => {
      it('logs in with a form body and redirects to /', async () => {
        const res = await request(demo.server)
          .post('/login')
          .type('form')
          .send({ username: 'admin', password: 'admin' });
        expect(res.status).toBe(302);
        expect(res.headers.location).toBe('/');
        const page = await request(demo.server).get('/').set('Cookie', sessionCookie(res)!);
        expect(page.text).toContain('Welcome, admin!');
      });

      it('logs in with a JSON body', async () => {
        const res = await request(demo.server)
          .post('/login')
          .send({ username: 'bob', password: 's3cret', remember: true });
        expect(res.status).toBe(302);
        expect(setCookieLine(res)).toMatch(/Max-Age=2678400/);
      });

      it.each([
        ['missing username', { password: 'admin' }, 'username'],
        ['empty password', { username: 'admin', password: '' }, 'password'],
        ['username of the wrong type', { username: 42, password: 'admin' }, 'username'],
        [
          'password over 200 characters',
          { username: 'admin', password: 'x'.repeat(201) },
          'password',
        ],
        [
          'an unknown remember value',
          { username: 'admin', password: 'admin', remember: 'yes' },
          'remember',
        ],
      ])(
        'answers 400 with Nest validation messages for %s, session untouched',
        async (_case, body, field) => {
          const res = await request(demo.server).post('/login').send(body);
          expect(res.status).toBe(400);
          expect(res.body.statusCode).toBe(400);
          expect(res.body.error).toBe('Bad Request');
          expect(Array.isArray(res.body.message)).toBe(true);
          expect((res.body.message as string[]).some((m) => m.includes(field))).toBe(true);
          expect(setCookieLine(res)).toBeUndefined();
        },
      );

      it('answers 401 "Login failed" on wrong credentials and leaves the existing session as it was', async () => {
        const cart = await request(demo.server).post('/cart').send({ item: 'apple' });
        const cookie = sessionCookie(cart)!;
        const res = await request(demo.server)
          .post('/login')
          .set('Cookie', cookie)
          .type('form')
          .send({ username: 'admin', password: 'nope' });
        expect(res.status).toBe(401);
        expect(res.text).toContain('Login failed');
        expect(setCookieLine(res)).toBeUndefined();
        const after = await request(demo.server).get('/cart').set('Cookie', cookie);
        expect(after.body).toEqual({ items: ['apple'] });
        expect((await request(demo.server).get('/').set('Cookie', cookie)).status).toBe(302);
      });

      it('answers 401 for an unknown user', async () => {
        const res = await request(demo.server)
          .post('/login')
          .send({ username: 'mallory', password: 'admin' });
        expect(res.status).toBe(401);
        expect(setCookieLine(res)).toBeUndefined();
      });

      it('issues a fresh session that keeps the anonymous cart', async () => {
        const cart = await request(demo.server).post('/cart').send({ item: 'pear' });
        const anonymous = sessionCookie(cart)!;
        const loggedIn = await login(demo.server, { cookie: anonymous });
        expect(loggedIn).not.toBe(anonymous);
        const items = await request(demo.server).get('/cart').set('Cookie', loggedIn);
        expect(items.body).toEqual({ items: ['pear'] });
        const profile = await request(demo.server)
          .get('/profile')
          .set('Cookie', loggedIn)
          .set('Accept', 'application/json');
        expect(profile.body).toEqual({ username: 'admin' });
      });

      it.each([
        ['on', true],
        ['true', true],
        ['off', false],
        ['false', false],
        [undefined, false],
      ])('remember=%s makes the session permanent: %s', async (remember, permanent) => {
        const res = await request(demo.server)
          .post('/login')
          .type('form')
          .send({
            username: 'admin',
            password: 'admin',
            ...(remember === undefined ? {} : { remember }),
          });
        expect(res.status).toBe(302);
        const line = setCookieLine(res)!;
        if (permanent) expect(line).toMatch(/Max-Age=2678400/);
        else expect(line).not.toMatch(/Max-Age|Expires/i);
      });

      it.each([
        ['/profile', '/profile'],
        ['/dashboard?tab=1', '/dashboard?tab=1'],
        ['//evil.example/', '/'],
        ['/\\evil.example', '/'],
        ['https://evil.example/', '/'],
        ['evil', '/'],
        ['/ok\u0001', '/'],
      ])(
        'redirects to next=%j only when it is a local path (goes to %s)',
        async (next, location) => {
          const res = await request(demo.server)
            .post('/login')
            .send({ username: 'admin', password: 'admin', next });
          expect(res.status).toBe(302);
          expect(res.headers.location).toBe(location);
        },
      );
    });

    describe('logout', () => {
      it.each(['get', 'post'] as const)(
        '%s /logout clears the session and redirects to /login',
        async (method) => {
          const cookie = await login(demo.server);
          const res = await request(demo.server)[method]('/logout').set('Cookie', cookie);
          expect(res.status).toBe(302);
          expect(res.headers.location).toBe('/login');
          expect(setCookieLine(res)).toMatch(/^session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/);
          if (!inCookie(store)) {
            // Server-side: the old cookie is worthless now, even if a client keeps sending it.
            const again = await request(demo.server).get('/profile').set('Cookie', cookie);
            expect(again.status).toBe(401);
          }
        },
      );

      it('redirects an anonymous visitor to /login without setting a cookie', async () => {
        const res = await request(demo.server).get('/logout');
        expect(res.status).toBe(302);
        expect(res.headers.location).toBe('/login');
        expect(setCookieLine(res)).toBeUndefined();
      });
    });

    describe.each(['/profile', '/dashboard'])('guarded %s', (path) => {
      it('sends an HTML client to /login?next=PATH', async () => {
        const res = await request(demo.server)
          .get(`${path}?a=1&b=%2F`)
          .set('Accept', 'text/html,application/xhtml+xml');
        expect(res.status).toBe(302);
        expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(`${path}?a=1&b=%2F`)}`);
      });

      it.each([undefined, '*/*', 'application/json'])(
        'answers 401 JSON to Accept %s',
        async (accept) => {
          const req = request(demo.server).get(path);
          if (accept !== undefined) void req.set('Accept', accept);
          else void req.unset('Accept');
          const res = await req;
          expect(res.status).toBe(401);
          expect(res.body).toEqual({ statusCode: 401, message: 'User not logged in' });
        },
      );
    });

    describe('logged-in pages', () => {
      it('GET /profile shows the profile page in HTML, or JSON on request', async () => {
        const cookie = await login(demo.server);
        const html = await request(demo.server).get('/profile').set('Cookie', cookie);
        expect(html.status).toBe(200);
        expect(html.text).toContain('Profile page');
        expect(html.text).toContain('admin');
        const json = await request(demo.server)
          .get('/profile')
          .set('Cookie', cookie)
          .set('Accept', 'application/json');
        expect(json.status).toBe(200);
        expect(json.body).toEqual({ username: 'admin' });
      });

      it('GET /dashboard welcomes to the dashboard', async () => {
        const cookie = await login(demo.server);
        const res = await request(demo.server).get('/dashboard').set('Cookie', cookie);
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.text).toContain('Welcome to the dashboard!');
      });
    });

    describe('cart', () => {
      it('GET /cart is an empty list for a new session and creates no session', async () => {
        const res = await request(demo.server).get('/cart');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ items: [] });
        expect(setCookieLine(res)).toBeUndefined();
      });

      it('POST /cart appends in place and the list persists, JSON or form', async () => {
        const first = await request(demo.server).post('/cart').send({ item: 'apple' });
        expect(first.status).toBe(201);
        expect(first.body).toEqual({ items: ['apple'] });
        let cookie = sessionCookie(first)!;
        const second = await request(demo.server)
          .post('/cart')
          .set('Cookie', cookie)
          .type('form')
          .send({ item: 'pear' });
        expect(second.status).toBe(201);
        expect(second.body).toEqual({ items: ['apple', 'pear'] });
        cookie = sessionCookie(second) ?? cookie;
        const list = await request(demo.server).get('/cart').set('Cookie', cookie);
        expect(list.body).toEqual({ items: ['apple', 'pear'] });
      });

      it('POST /cart refuses an invalid item with 400', async () => {
        const res = await request(demo.server).post('/cart').send({ item: '' });
        expect(res.status).toBe(400);
        expect((res.body.message as string[]).some((m) => m.includes('item'))).toBe(true);
      });
    });

    it('GET /healthz reports the store', async () => {
      const res = await request(demo.server).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', store });
    });
  });
});
