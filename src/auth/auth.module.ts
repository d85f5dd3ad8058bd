import { Module } from '@nestjs/common';
import { Replies } from '../common/replies.js';
import { AuthController } from './auth.controller.js';
import { UsersService } from './users.service.js';

@Module({ controllers: [AuthController], providers: [UsersService, Replies] })
export class AuthModule {}
