import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DemoConfig } from '../common/demo-config.js';
import { DEMO_CONFIG } from '../common/demo-config.token.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** The demo's users (DEMO_USERS). Passwords are compared in constant time. */
@Injectable()
export class UsersService {
  private readonly users: Map<string, Buffer>;

  constructor(@Inject(DEMO_CONFIG) config: DemoConfig) {
    this.users = new Map([...config.users].map(([name, password]) => [name, digest(password)]));
  }

  /** True when the name exists and the password matches; as slow for unknown names. */
  check(username: string, password: string): boolean {
    const expected = this.users.get(username);
    const matches = timingSafeEqual(digest(password), expected ?? digest(`\0${password}`));
    return expected !== undefined && matches;
  }
}
