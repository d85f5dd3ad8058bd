import { Module } from '@nestjs/common';
import { Pages } from '../common/pages.js';
import { Replies } from '../common/replies.js';
import { AuthController } from './auth.controller.js';
import { UsersService } from './users.service.js';

@Module({ controllers: [AuthController], providers: [UsersService, Replies, Pages] })
export class AuthModule {}
