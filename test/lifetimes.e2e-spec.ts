import { PLATFORMS } from './support/platform.js';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import {
  type DemoHandle,
  SECRET,
  STORES,
  login,
  sessionCookie,
  setCookieLine,
  startDemo,
  inCookie,
} from './support/demo.js';
import { forgeClientSession, forgeCookieSession, forgeSignedId, valueOf } from './support/forge.js';

const DAY_MS = 86400_000;

/** A client with a cookie jar: sends its cookie, keeps what the server sets. */
class Client {
  /** How many reads answered with the session cookie again (a refresh). */
  refreshes = 0;

  constructor(
    private readonly server: Server,
    public cookie: string,
  ) {}

  /** GET /profile as an API client: 200 while the session lives, 401 once it has ended. */
  async profile(): Promise<number> {
    const res = await request(this.server)
      .get('/profile')
      .set('Accept', 'application/json')
      .set('Cookie', this.cookie);
    const resent = sessionCookie(res);
    if (resent !== undefined) this.refreshes++;
    this.cookie = resent ?? this.cookie;
    return res.status;
  }

  async addToCart(item: string): Promise<string[]> {
    const res = await request(this.server).post('/cart').set('Cookie', this.cookie).send({ item });
    this.cookie = sessionCookie(res) ?? this.cookie;
    return (res.body as { items: string[] }).items;
  }
}

describe.each(PLATFORMS)('on %s', (platform) => {
  // Short lifetimes (whole seconds: the demo's settings), so that each test waits a few seconds.
  describe.each(STORES)('lifetimes on the %s store', (store) => {
    if (store === 'flask') {
      // Flask's cookie carries no issue time: the demo says so at start instead of ignoring it.
      it('SESSION_ABSOLUTE_LIFETIME is refused at start, with the reason', async () => {
        await expect(
          startDemo(store, { SESSION_ABSOLUTE_LIFETIME: '2' }, platform),
        ).rejects.toThrow(
          "SESSION_ABSOLUTE_LIFETIME: the flask store cannot enforce it (Flask's cookie carries no issue time)",
        );
      });
    } else
      describe('absolute lifetime (SESSION_ABSOLUTE_LIFETIME=2)', () => {
        let demo: DemoHandle;
        beforeAll(async () => {
          demo = await startDemo(store, { SESSION_ABSOLUTE_LIFETIME: '2' }, platform);
        });
        afterAll(() => demo.close());

        // Permanent (its cookie refreshed on every request) and not, side by side to save time.
        it('a session ends 2 s after login however often it is used; login starts the clock again', async () => {
          await Promise.all(
            ['on', 'off'].map(async (remember) => {
              // Deadlines from before the login request: the session was issued after this moment.
              const beforeLogin = Date.now();
              const user = new Client(demo.server, await login(demo.server, { remember }));
              const stolenCopy = user.cookie;
              const refreshed: string[] = [];
              // Used (read and written) for the first 1.2 s, well inside its 2 s (at least once,
              // however slow the login was).
              for (let i = 0; i === 0 || Date.now() - beforeLogin < 1200; i++) {
                expect(await user.profile()).toBe(200);
                expect(await user.addToCart(`item-${i}`)).toHaveLength(i + 1);
                refreshed.push(user.cookie);
                await sleep(300);
              }
              // A permanent session's cookie is re-sent on every read (refreshEachRequest); its
              // value may still repeat, since it is signed in whole seconds.
              if (remember === 'on')
                expect(user.refreshes).toBeGreaterThanOrEqual(refreshed.length);
              await sleep(beforeLogin + 2300 - Date.now());
              // The user, the latest refreshed cookie, and a copy taken at login: all anonymous now.
              const latest = refreshed[refreshed.length - 1];
              expect(await user.profile()).toBe(401);
              expect(await new Client(demo.server, latest).profile()).toBe(401);
              expect(await new Client(demo.server, stolenCopy).profile()).toBe(401);
              const cart = await request(demo.server).get('/cart').set('Cookie', latest);
              expect(cart.body).toEqual({ items: [] });
              // Logging in issues a new session: its clock starts at the login.
              const again = new Client(demo.server, await login(demo.server, { remember }));
              expect(await again.profile()).toBe(200);
            }),
          );
        }, 10_000);
      });

    describe('idle timeout (SESSION_IDLE_TIMEOUT=2)', () => {
      let demo: DemoHandle;
      beforeAll(async () => {
        demo = await startDemo(store, { SESSION_IDLE_TIMEOUT: '2' }, platform);
      });
      afterAll(() => demo.close());

      // The cookie's signing time is in whole seconds, so a cookie may look up to 1 s older than
      // it is: reads 0.4 s apart stay well inside the 2 s, and 2.6 s of silence is past it.
      it('a session used every 0.4 s outlives the timeout; left alone for it, it ends', async () => {
        await Promise.all(
          ['on', 'off'].map(async (remember) => {
            const user = new Client(demo.server, await login(demo.server, { remember }));
            // Reads only: each one moves the idle deadline (the cookie is re-sent as it goes).
            const started = Date.now();
            while (Date.now() - started < 3500) {
              expect(await user.profile()).toBe(200);
              await sleep(400);
            }
            const lastCookie = user.cookie;
            await sleep(2600);
            expect(await new Client(demo.server, lastCookie).profile()).toBe(401);
          }),
        );
      }, 15_000);
    });
  });

  describe.each(STORES)('the idle deadline on the %s store (SESSION_IDLE_TIMEOUT=60)', (store) => {
    let demo: DemoHandle;
    beforeAll(async () => {
      demo = await startDemo(store, { SESSION_IDLE_TIMEOUT: '60' }, platform);
    });
    afterAll(() => demo.close());

    const read = (cookie: string) =>
      request(demo.server).get('/profile').set('Accept', 'application/json').set('Cookie', cookie);

    it('a read moves it (the cookie re-sent) only once a tenth of the timeout has passed', async () => {
      const cookie = await login(demo.server); // not permanent: nothing else re-sends it
      const soon = await read(cookie);
      expect(soon.status).toBe(200);
      expect(sessionCookie(soon)).toBeUndefined();
      // The same session as if its cookie had been signed 10 s ago (over 6 s: a tenth of 60).
      const value = valueOf(cookie);
      const tenSecondsAgo = Date.now() - 10_000;
      const older = inCookie(store)
        ? await forgeClientSession(
            store,
            SECRET,
            { username: 'admin', logged_in: true },
            tenSecondsAgo,
          )
        : forgeSignedId(SECRET, value.split('.')[0], tenSecondsAgo);
      const later = await read(`session=${older}`);
      expect(later.status).toBe(200);
      const resent = sessionCookie(later);
      expect(resent).toBeDefined();
      expect(setCookieLine(later)).not.toMatch(/Max-Age/); // still ends with the browser
      expect((await read(resent!)).status).toBe(200);
    });
  });

  describe('absolute lifetime on the cookie store, at its default of 90 days', () => {
    let demo: DemoHandle;
    beforeAll(async () => {
      demo = await startDemo('cookie', {}, platform);
    });
    afterAll(() => demo.close());

    const loggedIn = { username: 'admin', logged_in: true };
    const status = async (cookieValue: string): Promise<number> =>
      (
        await request(demo.server)
          .get('/profile')
          .set('Accept', 'application/json')
          .set('Cookie', `session=${cookieValue}`)
      ).status;

    it('a cookie signed just now but issued 91 days ago is refused; one issued 89 days ago is not', async () => {
      const now = Date.now();
      expect(
        await status(await forgeCookieSession(SECRET, loggedIn, now, true, now - 91 * DAY_MS)),
      ).toBe(401);
      expect(
        await status(await forgeCookieSession(SECRET, loggedIn, now, true, now - 89 * DAY_MS)),
      ).toBe(200);
    });

    it('an issue time in the future is refused', async () => {
      const now = Date.now();
      expect(
        await status(await forgeCookieSession(SECRET, loggedIn, now, true, now + DAY_MS)),
      ).toBe(401);
    });
  });
});
