import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { PLATFORMS } from './support/platform.js';
import { type DemoHandle, startDemo } from './support/demo.js';

// Real headless Chromium against the demo over loopback: what a browser keeps and sends.

describe.each(PLATFORMS)('the demo on %s in a real browser (headless Chromium)', (platform) => {
  let browser: Browser;
  let demo: DemoHandle;
  let base: string;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await startDemo('cookie', {}, platform);
    await new Promise<void>((resolve) => demo.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(demo.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('logs in through the form with "remember me", keeps the session, and logs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // A guarded page sends the browser to the login form, remembering where it was going.
    await page.goto(`${base}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/dashboard');

    await page.goto(`${base}/login?next=%2Fdashboard`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'admin');
    await page.check('input[name=remember]');
    await Promise.all([page.waitForURL(`${base}/dashboard`), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Welcome to the dashboard!');
    // The login's flash message came across the redirect, shown once.
    expect(await page.textContent('.flash.flash-success')).toBe('Logged in as admin');
    await page.reload();
    expect(await page.locator('.flash').count()).toBe(0);

    // The browser kept a persistent, HttpOnly cookie that scripts cannot read.
    const [cookie] = await context.cookies();
    expect(cookie.name).toBe('session');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.expires).toBeGreaterThan(Date.now() / 1000 + 30 * 24 * 3600);
    expect(await page.evaluate('document.cookie')).toBe('');

    await page.goto(`${base}/`);
    expect(await page.textContent('h1')).toBe('Welcome, admin!');

    // A plain cookie beside the session: the page's scripts post the theme, every page shows it.
    expect(await page.getAttribute('body', 'class')).toBe('theme-light');
    const saved = await page.evaluate(async () => {
      const res = await fetch('/preferences', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ theme: 'dark' }),
      });
      return res.json();
    });
    expect(saved).toEqual({ theme: 'dark' });
    expect(await page.evaluate('document.cookie')).toBe('theme=dark'); // not HttpOnly; the session is
    await page.reload();
    expect(await page.getAttribute('body', 'class')).toBe('theme-dark');

    await Promise.all([
      page.waitForURL(`${base}/login`),
      page.click('form[action="/logout"] button'),
    ]);
    expect((await context.cookies()).map((c) => c.name)).toEqual(['theme']);
    await page.goto(`${base}/profile`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  }, 30_000);

  it('a session without "remember me" is a browser-session cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'admin');
    await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
    const [cookie] = await context.cookies();
    expect(cookie.expires).toBe(-1); // no Expires/Max-Age: gone when the browser closes
    await context.close();
  }, 30_000);
});
