// Run by test/lock-release.e2e-spec.ts against the built package, in a process of its own: a
// store whose lock release rejects, a client that goes away while it holds the lock, and one
// that stays. Prints what the clients saw; the parent checks the process lived to tell. The
// platform is the first argument: express (the default) or fastify.
import 'reflect-metadata';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MemoryStore, Session, SessionLock, SessionModule } from 'nestjs-flask-session';

/** Takes and frees locks like MemoryStore, then reports that freeing failed (Redis went away). */
class ReleaseFailsStore extends MemoryStore {
  async lock(key, options) {
    const release = await super.lock(key, options);
    return async () => {
      await release();
      throw new Error('connection lost while releasing the lock');
    };
  }
}

class LockedController {
  set(session) {
    session.set('n', 0);
    return { ok: true };
  }
  async slow(session) {
    await sleep(300);
    session.set('n', session.get('n', 0) + 1);
    return { n: session.get('n') };
  }
  alive() {
    return 'alive';
  }
}
const method = (name) => Object.getOwnPropertyDescriptor(LockedController.prototype, name);
Reflect.decorate([Post('set')], LockedController.prototype, 'set', method('set'));
Reflect.decorate([Post('slow'), SessionLock()], LockedController.prototype, 'slow', method('slow'));
Reflect.decorate([Get('alive')], LockedController.prototype, 'alive', method('alive'));
Session()(LockedController.prototype, 'set', 0);
Session()(LockedController.prototype, 'slow', 0);
Reflect.decorate([Controller()], LockedController);

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports: [
        SessionModule.forRoot({
          secretKey: 'lock-release-secret-0123456789-abcdefgh',
          store: new ReleaseFailsStore(),
        }),
      ],
      controllers: [LockedController],
    }),
  ],
  AppModule,
);

const platform = process.argv[2] ?? 'express';
const adapter =
  platform === 'fastify'
    ? new (await import('@nestjs/platform-fastify')).FastifyAdapter()
    : platform === 'express'
      ? new (await import('@nestjs/platform-express')).ExpressAdapter()
      : undefined;
if (adapter === undefined) throw new Error(`unknown platform: ${platform}`);
const app = await NestFactory.create(AppModule, adapter, { logger: ['error', 'warn'] });
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();

function send(method, path, cookie, abortAfterMs) {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method,
      path,
      headers: cookie ? { cookie } : {},
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          body,
          cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
        }),
      );
    });
    req.on('error', () => resolve({ status: 'aborted' }));
    if (abortAfterMs !== undefined) setTimeout(() => req.destroy(), abortAfterMs);
    req.end();
  });
}

const { cookie } = await send('POST', '/set');
const aborted = await send('POST', '/slow', cookie, 50);
await sleep(600); // the lock's release has failed by now
const kept = await send('POST', '/slow', cookie);
const alive = await send('GET', '/alive');
console.log(JSON.stringify({ aborted: aborted.status, kept, alive: alive.body }));
await app.close();
