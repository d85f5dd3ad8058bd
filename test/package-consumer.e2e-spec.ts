import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { ConsumerApp, type ModuleKind, PLATFORM_PACKAGES } from './support/consumer-app.js';
import type { Platform } from './support/platform.js';
import { freePort } from './support/free-port.js';
import type { NodeServer } from './support/node-server.js';
import { packLibrary, type PackedTarball, STALE_BUILD_FILE } from './support/package-tarball.js';
import { quickStartFiles } from './support/readme-quick-start.js';
import { childEnv, runCommand } from './support/run-command.js';

// What a user gets from `npm install nestjs-flask-session`: the library packed as a publish
// packs it, installed from that tarball into fresh Nest 12 apps (an ES module one and a
// CommonJS one), running the README's quick start as written, driven over real HTTP. It catches
// what the in-repo tests cannot: a file missing from the tarball, an undeclared dependency, an
// export map that does not resolve, a README example that does not compile.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIB = join(ROOT, 'libs/session');
const LOCKFILE = join(ROOT, 'package-lock.json');
const manifest = JSON.parse(readFileSync(join(LIB, 'package.json'), 'utf8')) as {
  version: string;
  exports: unknown;
  main: string;
  types: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

/** The entry points the README tells users to import, and a few names each must export. */
const ENTRY_POINTS: Record<string, string[]> = {
  'nestjs-flask-session': ['SessionModule', 'Session', 'SessionService', 'LoggedInGuard'],
  'nestjs-flask-session/redis': ['RedisStore'],
  'nestjs-flask-session/testing': ['SessionTestKit'],
};

/**
 * Beside the quick start, what an app's own tests do with `nestjs-flask-session/testing`: the
 * kit of the installed package (its types compiled where the app compiles, the same
 * SessionRuntime the app's module registered) makes a logged-in cookie. The HTTP test sends it
 * to the running app, which shares the secret.
 */
const KIT_CHECK = 'src/kit-check.ts';
const KIT_CHECK_SOURCE = `import { NestFactory } from '@nestjs/core';
import { SessionTestKit } from 'nestjs-flask-session/testing';
import { AppModule } from './app.module.js';

async function main(): Promise<void> {
  // No HTTP platform: the kit needs only the module.
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const kit = SessionTestKit.for(app);
  console.log(await kit.cookieWith<{ username: string; logged_in: boolean }>({
    username: 'kit',
    logged_in: true,
  }));
  await app.close();
}
void main();
`;

/**
 * Each module system on one platform, crossed, so both module systems and both platforms run
 * with two installs instead of four: how a package resolves (its export map, require() of ES
 * modules) does not depend on the platform, and what the platform changes (the request hook,
 * Node's response under Fastify's reply) does not depend on the module system.
 */
const PLATFORM_OF: Record<ModuleKind, Platform> = { esm: 'express', cjs: 'fastify' };

const timings: string[] = [];
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  timings.push(`${label} ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

describe('the packed library in fresh Nest 12 apps', () => {
  let work: string;
  let tarball: PackedTarball;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'package-consumer-'));
    tarball = await timed('npm pack (build included)', () => packLibrary(LIB, join(work, 'pack')));
  }, 240_000);

  afterAll(() => {
    if (tarball)
      timings.unshift(`${tarball.files.length} files, ${(tarball.bytes / 1000).toFixed(1)} kB`);
    console.log(`package consumer: ${timings.join('; ')}`);
    rmSync(work, { recursive: true, force: true });
  });

  describe('the tarball', () => {
    it('builds itself when packed (prepack), not shipping a stale dist/', () => {
      expect(tarball.files).not.toContain(STALE_BUILD_FILE);
    });

    it('holds only what users need: package.json, docs, and compiled JS, maps and types', () => {
      const allowed =
        /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/.+\.(js|js\.map|d\.ts))$/;
      const forbidden = /(^|\/)(src|test-support)\/|\.(spec|conformance|arbitraries)\.|tsbuildinfo/;
      expect(tarball.files.filter((f) => !allowed.test(f) || forbidden.test(f))).toEqual([]);
      expect(tarball.files).toEqual(
        expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']),
      );
      // Every module of dist/ ships whole: its code, its types and its source map.
      const modules = new Set(
        tarball.files
          .filter((f) => f.startsWith('dist/'))
          .map((f) => f.replace(/\.(js|js\.map|d\.ts)$/, '')),
      );
      const missing = [...modules].flatMap((m) =>
        [`${m}.js`, `${m}.js.map`, `${m}.d.ts`].filter((f) => !tarball.files.includes(f)),
      );
      expect(missing).toEqual([]);
    });

    it('holds every file package.json points to (exports, main, types)', () => {
      const targets = [...exportTargets(manifest.exports), manifest.main, manifest.types];
      const absent = targets.filter((t) => !tarball.files.includes(t.replace(/^\.\//, '')));
      expect(absent).toEqual([]);
    });

    it('imports only Node built-ins and the packages it declares (dependencies, peers)', () => {
      const declared = new Set(
        Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }),
      );
      // The build prepack just made in libs/session/dist is what the tarball holds.
      const undeclared = tarball.files
        .filter((file) => /\.(js|d\.ts)$/.test(file))
        .flatMap((file) =>
          bareImports(readFileSync(join(LIB, file), 'utf8'))
            .filter((name) => !isBuiltin(name) && !declared.has(packageName(name)))
            .map((name) => `${name} (${file})`),
        );
      expect(undeclared).toEqual([]);
    });
  });

  describe('installed in apps', () => {
    const apps = new Map<
      ModuleKind,
      { app: ConsumerApp; installed: Promise<void>; compiled: Promise<void> }
    >();

    // Both apps install, then compile, at once (npm's cache is safe to share); each test waits
    // only for the step it needs, and a failed step is reported by the tests that need it.
    beforeAll(() => {
      const readme = readFileSync(join(LIB, 'README.md'), 'utf8');
      for (const kind of ['esm', 'cjs'] as const) {
        const dir = join(work, kind);
        const sources = quickStartFiles(readme, PLATFORM_OF[kind]);
        sources.set(KIT_CHECK, KIT_CHECK_SOURCE);
        const app = ConsumerApp.create({
          dir,
          kind,
          platform: PLATFORM_OF[kind],
          tarball: tarball.path,
          sources,
          lockfile: LOCKFILE,
        });
        const installed = timed(`npm install ${kind}`, () => app.install());
        const compiled = installed.then(() => timed(`tsc ${kind}`, () => app.compile()));
        for (const step of [installed, compiled]) step.catch(() => undefined); // awaited below
        apps.set(kind, { app, installed, compiled });
      }
    });
    /** The app once the step is done; rejects with what failed. */
    const after = async (step: 'installed' | 'compiled', kind: ModuleKind) => {
      const entry = apps.get(kind);
      if (!entry) throw new Error(`the ${kind} app was not created (see the first error)`);
      await entry[step];
      return entry.app;
    };

    describe.each([
      { kind: 'esm' as const, title: 'ES module app ("type": "module") on Express' },
      { kind: 'cjs' as const, title: 'CommonJS app (tsc emits require()) on Fastify' },
    ])('the $title', ({ kind }) => {
      let app: ConsumerApp;

      beforeAll(async () => {
        app = await after('installed', kind);
      }, 300_000);

      it('installs the library without ioredis, the other platform, and with the one @nestjs/core of the app', () => {
        const installed = JSON.parse(
          readFileSync(join(app.dir, 'node_modules/nestjs-flask-session/package.json'), 'utf8'),
        );
        expect(installed.version).toBe(manifest.version);
        expect(app.has('node_modules/ioredis')).toBe(false);
        // The package needs neither platform: each app has its own alone.
        const other = PLATFORM_OF[kind] === 'express' ? 'fastify' : 'express';
        expect(app.has(`node_modules/${PLATFORM_PACKAGES[other]}`)).toBe(false);
        expect(app.has(`node_modules/${other}`)).toBe(false);
        expect(app.has(`node_modules/${PLATFORM_PACKAGES[PLATFORM_OF[kind]]}`)).toBe(true);
        expect(app.has('node_modules/nestjs-flask-session/node_modules/@nestjs')).toBe(false);
      });

      it('compiles the quick start to this module system', async () => {
        await after('compiled', kind);
        const compiledModule = readFileSync(join(app.dir, 'dist/app.module.js'), 'utf8');
        expect(compiledModule).toContain(
          kind === 'cjs' ? 'require("nestjs-flask-session")' : "from 'nestjs-flask-session'",
        );
      }, 240_000);

      it('loads every entry point (/redis without ioredis: it imports only its types)', async () => {
        const names = JSON.stringify(Object.keys(ENTRY_POINTS));
        const code =
          kind === 'cjs'
            ? `const out = {}; for (const n of ${names}) out[n] = Object.keys(require(n));`
            : `const out = {}; for (const n of ${names}) out[n] = Object.keys(await import(n));`;
        const loaded = JSON.parse(await app.evaluate(`${code} console.log(JSON.stringify(out));`));
        for (const [entry, exported] of Object.entries(ENTRY_POINTS))
          expect({ entry, exports: loaded[entry] }).toEqual({
            entry,
            exports: expect.arrayContaining(exported),
          });
      }, 30_000);

      describe('its quick start, run as `node dist/main.js`, over HTTP', () => {
        let server: NodeServer | undefined;
        let url: string;
        const secret = randomBytes(32).toString('base64');

        beforeAll(async () => {
          const compiled = await after('compiled', kind);
          const port = await freePort();
          server = await timed(`start ${kind}`, () =>
            compiled.start(port, { SESSION_SECRET: secret }),
          );
          url = server.url;
        }, 300_000);

        afterAll(async () => {
          await server?.stop();
        });

        it('GET /profile without a session: 401 for an API client, 302 to /login for a browser', async () => {
          const api = await request(url).get('/profile').set('Accept', 'application/json');
          expect(api.status).toBe(401);
          expect(api.body).toEqual({ statusCode: 401, message: 'User not logged in' });
          const browser = await request(url).get('/profile').set('Accept', 'text/html');
          expect(browser.status).toBe(302);
          expect(browser.headers.location).toBe('/login?next=%2Fprofile');
        }, 15_000);

        it('POST /login sets the session cookie; GET /profile greets the user (SessionService)', async () => {
          const agent = request.agent(url);
          const login = await agent.post('/login').send({ username: `ada-${kind}` });
          expect(login.status).toBe(201);
          expect(login.headers['set-cookie']?.[0]).toMatch(/^session=[^;]+;.*HttpOnly/);
          const profile = await agent.get('/profile').set('Accept', 'application/json');
          expect(profile.status).toBe(200);
          expect(profile.body).toEqual({ greeting: `Hello, ada-${kind}` });
        }, 15_000);

        it('GET /counter counts 1, 2, 3 across requests that carry the cookie', async () => {
          const agent = request.agent(url);
          const visits: number[] = [];
          for (let i = 0; i < 3; i++) visits.push((await agent.get('/counter')).body.visits);
          expect(visits).toEqual([1, 2, 3]);
        }, 15_000);

        it('a cookie from the installed test kit (nestjs-flask-session/testing) logs in', async () => {
          const script = KIT_CHECK.replace(/^src\/(.*)\.ts$/, 'dist/$1.js');
          const { stdout } = await runCommand(process.execPath, [script], {
            cwd: app.dir,
            timeoutMs: 30_000,
            env: childEnv({ SESSION_SECRET: secret }),
          });
          const cookie = stdout.trim();
          expect(cookie).toMatch(/^session=[^;\s]+$/);
          const profile = await request(url)
            .get('/profile')
            .set('Accept', 'application/json')
            .set('Cookie', cookie);
          expect(profile.status).toBe(200);
          expect(profile.body).toEqual({ greeting: 'Hello, kit' });
        }, 30_000);

        it('POST /logout clears the cookie, and /profile is then 401', async () => {
          const agent = request.agent(url);
          await agent.post('/login').send({ username: 'grace' }).expect(201);
          const logout = await agent.post('/logout');
          expect(logout.status).toBe(201);
          expect(logout.headers['set-cookie']?.[0]).toMatch(/^session=;/);
          const profile = await agent.get('/profile').set('Accept', 'application/json');
          expect(profile.status).toBe(401);
        }, 15_000);
      });
    });
  });
});

/** The file paths in a package.json `exports` value, whatever its nesting of conditions. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets);
  return [];
}

/** The bare specifiers (not relative) a compiled module or declaration file imports. */
function bareImports(code: string): string[] {
  return [...code.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"./][^'"]*)['"]/g)].map((m) => m[1]);
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageName(specifier: string): string {
  return specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
}
