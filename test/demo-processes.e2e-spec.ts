import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SECRET, sessionCookie } from './support/demo.js';
import { DemoProcess } from './support/demo-process.js';
import { PLATFORMS } from './support/platform.js';

// Real processes of the built demo (npm run test:e2e builds first): what `npm start` runs.
describe.each(PLATFORMS)('demo processes on %s sharing a file-store directory', (platform) => {
  let dir: string;
  let processes: DemoProcess[] = [];
  const start = async (): Promise<DemoProcess> => {
    const demo = await DemoProcess.start({
      SESSION_SECRET: SECRET,
      SESSION_STORE: 'file',
      SESSION_FILE_DIR: dir,
      HTTP_ADAPTER: platform,
    });
    processes.push(demo);
    return demo;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sessions-processes-'));
  });
  afterEach(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    processes = [];
    rmSync(dir, { recursive: true, force: true });
  });

  it('log in on one process, open /profile on the other; 20 concurrent adds across both keep 20', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const cookie = await loginAt(a.url);
    const profile = await request(b.url)
      .get('/profile')
      .set('Cookie', cookie)
      .set('Accept', 'application/json');
    expect(profile.body).toEqual({ username: 'admin' });

    const adds = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request((i % 2 ? a : b).url)
          .post('/cart')
          .set('Cookie', cookie)
          .send({ item: `item-${i}` }),
      ),
    );
    expect(adds.map((r) => r.status)).toEqual(Array(20).fill(201));
    const items = (await request(a.url).get('/cart').set('Cookie', cookie)).body.items as string[];
    expect(new Set(items).size).toBe(20);
  }, 30_000);

  it('SIGTERM stops a process cleanly, and its sessions survive the restart', async () => {
    const first = await start();
    const cookie = await loginAt(first.url);
    const ended = await first.stop();
    expect(ended.code === 0 || ended.signal === 'SIGTERM').toBe(true);
    const second = await start();
    const res = await request(second.url)
      .get('/profile')
      .set('Cookie', cookie)
      .set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ username: 'admin' });
  }, 30_000);
});

async function loginAt(url: string): Promise<string> {
  const res = await request(url).post('/login').send({ username: 'admin', password: 'admin' });
  expect(res.status).toBe(302);
  return sessionCookie(res)!;
}
