import { PLATFORMS } from './support/platform.js';
import request from 'supertest';
import {
  type DemoHandle,
  STORES,
  SECRET,
  login,
  sessionCookie,
  startDemo,
  inCookie,
} from './support/demo.js';
import { forgeClientSession, forgeSignedId, valueOf } from './support/forge.js';

const FOREIGN_SECRET = 'someone-elses-secret-0123456789-abcdefgh';
const LIFETIME_MS = 2678400 * 1000;

function flip(text: string, at: number): string {
  const c = text[at];
  return text.slice(0, at) + (c === 'A' ? 'B' : 'A') + text.slice(at + 1);
}

describe.each(PLATFORMS)('on %s', (platform) => {
  describe.each(STORES)(
    'a bad session cookie on the %s store is no session, never an error',
    (store) => {
      let demo: DemoHandle;
      let valid: string; // the value of a logged-in session cookie
      beforeAll(async () => {
        demo = await startDemo(store, {}, platform);
        valid = valueOf(await login(demo.server));
      });
      afterAll(() => demo.close());

      const variants: Array<[string, () => string | Promise<string>]> = [
        ['tampered in the payload', () => flip(valid, 3)],
        [
          'tampered in the timestamp',
          () => {
            const parts = valid.split('.');
            parts[parts.length - 2] = (parseInt(parts[parts.length - 2], 36) - 1).toString(36);
            return parts.join('.');
          },
        ],
        ['tampered in the signature', () => flip(valid, valid.length - 5)],
        ['truncated by one character', () => valid.slice(0, -1)],
        ['truncated to its payload', () => valid.slice(0, valid.lastIndexOf('.'))],
        ['signature-stripped', () => valid.split('.')[0]],
        ['with trailing data after the signature', () => `${valid}.AAAA`],
        [
          'with the signature swapped for another length',
          () => `${valid.slice(0, valid.lastIndexOf('.'))}.c2lnbmF0dXJl`,
        ],
        [
          'signed with a foreign key',
          async () =>
            inCookie(store)
              ? await forgeClientSession(
                  store,
                  FOREIGN_SECRET,
                  { username: 'admin', logged_in: true },
                  Date.now(),
                )
              : forgeSignedId(FOREIGN_SECRET, valid.split('.')[0], Date.now()),
        ],
        [
          'expired (signed longer ago than the lifetime)',
          async () =>
            inCookie(store)
              ? await forgeClientSession(
                  store,
                  SECRET,
                  { username: 'admin', logged_in: true },
                  Date.now() - LIFETIME_MS - 5000,
                  true,
                )
              : forgeSignedId(SECRET, valid.split('.')[0], Date.now() - LIFETIME_MS - 5000),
        ],
        [
          'dated in the future',
          async () =>
            inCookie(store)
              ? await forgeClientSession(
                  store,
                  SECRET,
                  { username: 'admin', logged_in: true },
                  Date.now() + 3600_000,
                )
              : forgeSignedId(SECRET, valid.split('.')[0], Date.now() + 3600_000),
        ],
        ['oversized (8 KB)', () => `${valid}${'A'.repeat(8192)}`],
        ['malformed: dots only', () => '...'],
        ['malformed: not base64', () => '%%%%.$$$$.@@@@'],
        [
          'malformed: JSON in clear',
          () => encodeURIComponent('{"username":"admin","logged_in":true}'),
        ],
        ['malformed: empty segments', () => `.${'.'.repeat(3)}${valid.split('.').pop()}`],
        ['malformed: percent-encoding garbage', () => '%E0%A4%A'],
      ];

      it.each(variants)('%s', async (_case, make) => {
        const cookie = `session=${await make()}`;
        const home = await request(demo.server).get('/').set('Cookie', cookie);
        expect(home.status).toBe(302);
        expect(home.headers.location).toBe('/login');
        const profile = await request(demo.server).get('/profile').set('Cookie', cookie);
        expect(profile.status).toBe(401);
        // The session is usable: a write starts a new, valid session with a different cookie.
        const cart = await request(demo.server)
          .post('/cart')
          .set('Cookie', cookie)
          .send({ item: 'x' });
        expect(cart.status).toBe(201);
        expect(cart.body).toEqual({ items: ['x'] });
        expect(sessionCookie(cart)).not.toBe(cookie);
      });

      it('the untouched valid cookie still works (the variants are not failing for another reason)', async () => {
        const res = await request(demo.server)
          .get('/profile')
          .set('Cookie', `session=${valid}`)
          .set('Accept', 'application/json');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ username: 'admin' });
      });

      it('a cookie under another name is ignored, and the exact name is read', async () => {
        const other = await request(demo.server)
          .get('/profile')
          .set('Cookie', `xsession=${valid}; session_=${valid}`);
        expect(other.status).toBe(401);
        const exact = await request(demo.server)
          .get('/profile')
          .set('Cookie', `other=1; session=${valid}`);
        expect(exact.status).toBe(200);
      });
    },
  );

  describe('the memory store never adopts an id the client made up', () => {
    let demo: DemoHandle;
    beforeAll(async () => {
      demo = await startDemo('memory', {}, platform);
    });
    afterAll(() => demo.close());

    it.each([
      ['an unsigned id', () => 'A'.repeat(43)],
      [
        'a correctly signed id with no record',
        () => forgeSignedId(SECRET, 'B'.repeat(43), Date.now()),
      ],
    ])('%s: the first write gets a fresh id', async (_case, make) => {
      const planted = make();
      const res = await request(demo.server)
        .post('/cart')
        .set('Cookie', `session=${planted}`)
        .send({ item: 'x' });
      expect(res.status).toBe(201);
      const issued = valueOf(sessionCookie(res)!);
      expect(issued.split('.')[0]).not.toBe(planted.split('.')[0]);
      expect(issued.split('.')[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('key rotation (cookie store)', () => {
    const NEW = 'brand-new-secret-0123456789-abcdefghijk';

    it('a cookie signed with the old key is accepted after rotation, and the next write signs with the new key', async () => {
      const before = await startDemo('cookie', { SESSION_SECRET: SECRET }, platform);
      const rotated = await startDemo('cookie', { SESSION_SECRET: `${NEW},${SECRET}` }, platform);
      const onlyNew = await startDemo('cookie', { SESSION_SECRET: NEW }, platform);
      const onlyOld = await startDemo('cookie', { SESSION_SECRET: SECRET }, platform);
      try {
        const oldCookie = await login(before.server);
        // rotated app verifies the old key
        const res = await request(rotated.server)
          .get('/profile')
          .set('Cookie', oldCookie)
          .set('Accept', 'application/json');
        expect(res.body).toEqual({ username: 'admin' });
        // the app without the old key does not
        expect(
          (await request(onlyNew.server).get('/profile').set('Cookie', oldCookie)).status,
        ).toBe(401);
        // what the rotated app writes is signed with the new (first) key only
        const write = await request(rotated.server)
          .post('/cart')
          .set('Cookie', oldCookie)
          .send({ item: 'x' });
        const newCookie = sessionCookie(write)!;
        expect(
          (await request(onlyNew.server).get('/profile').set('Cookie', newCookie)).status,
        ).toBe(200);
        expect(
          (await request(onlyOld.server).get('/profile').set('Cookie', newCookie)).status,
        ).toBe(401);
      } finally {
        await Promise.all([before.close(), rotated.close(), onlyNew.close(), onlyOld.close()]);
      }
    });
  });
});
