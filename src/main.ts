import 'reflect-metadata';
import { hello } from '@app/session';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
@Module({})
class M {}
const app = await NestFactory.create(M, { logger: false });
await app.close();
console.log(hello());
