import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { PLATFORMS } from './support/platform.js';
import { type DemoHandle, startDemo } from './support/demo.js';

// Login CSRF in a real browser: a page on one origin auto-submits a login form to the demo on
// another. Headless Chromium sets Sec-Fetch-Site and Origin itself, as for any visitor.
const REFUSED = '{"statusCode":403,"message":"Cross-origin request refused"}';

/** A page that posts the demo's login form to `action` as soon as it loads. */
function attackPage(action: string): string {
  return `<!doctype html><title>Win a prize</title>
<form method="post" action="${action}">
  <input name="username" value="admin"><input name="password" value="admin">
  <input name="remember" value="on">
</form>
<script>document.forms[0].submit()</script>`;
}

describe.each(PLATFORMS)(
  'cross-origin login forms on %s in a real browser (headless Chromium)',
  (platform) => {
    let browser: Browser;
    let demo: DemoHandle;
    let demoPort: number;
    let attacker: Server;
    let attackerBase: string;

    beforeAll(async () => {
      browser = await launchChromium();
      demo = await startDemo('cookie', {}, platform);
      await new Promise<void>((resolve) => demo.server.listen(0, '127.0.0.1', resolve));
      demoPort = (demo.server.address() as AddressInfo).port;
      // The attacker's site: /to?action=URL serves a page that posts the login form to URL.
      attacker = createServer((req, res) => {
        const action = new URL(req.url ?? '/', 'http://x').searchParams.get('action') ?? '';
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(attackPage(action));
      });
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
      attackerBase = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await browser?.close();
      await demo?.close();
      // Only if it started: a failed launch leaves none, and waiting on none would hang the hook.
      if (attacker) await new Promise((resolve) => attacker.close(resolve));
    });

    it.each([
      // 127.0.0.1 and localhost are different sites to the browser.
      ['cross-site', (port: number) => `http://localhost:${port}/login`],
      // Same host, another port: same site, another origin (a sibling subdomain is the same case).
      ['same-site', (port: number) => `http://127.0.0.1:${port}/login`],
    ])(
      'a %s page that posts the login form gets 403 and the browser keeps no session cookie',
      async (site, target) => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const action = target(demoPort);
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url() === action),
          page.goto(`${attackerBase}/to?action=${encodeURIComponent(action)}`),
        ]);
        const sent = await response.request().allHeaders();
        expect(sent['sec-fetch-site']).toBe(site);
        expect(sent.origin).toBe(attackerBase);
        expect(response.status()).toBe(403);
        expect(await response.text()).toBe(REFUSED);
        expect(await response.headerValue('set-cookie')).toBeNull();
        expect(await context.cookies()).toEqual([]);
        await context.close();
      },
      30_000,
    );
  },
);
