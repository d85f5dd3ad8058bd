import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { hello } from '@app/session';

@Controller()
class C { @Get() get() { return hello(); } }
@Module({ controllers: [C] })
class M {}

test('works', async () => {
  const mod = await Test.createTestingModule({ imports: [M] }).compile();
  const app = mod.createNestApplication();
  await app.init();
  await request(app.getHttpServer()).get('/').expect(200, 'hi');
  await app.close();
});
