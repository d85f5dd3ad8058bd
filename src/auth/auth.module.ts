import { Module } from '@nestjs/common';
import { AuthController } from './auth.controller.js';
import { UsersService } from './users.service.js';

@Module({ controllers: [AuthController], providers: [UsersService] })
export class AuthModule {}
