import { Body, Controller, Get, Post } from '@nestjs/common';
import { Session, SessionLock } from 'nestjs-flask-session';
import type { AppSession } from '../common/app-session.js';
import { CartItemDto } from './cart-item.dto.js';

/** A list kept in the session; anonymous sessions allowed. */
@Controller('cart')
export class CartController {
  @Get()
  list(@Session() session: Session<AppSession>): { items: string[] } {
    return { items: session.get('cart', []) };
  }

  /** Appends in place: the module notices the nested change by itself. The lock makes concurrent adds take turns. */
  @Post()
  @SessionLock()
  add(@Body() body: CartItemDto, @Session() session: Session<AppSession>): { items: string[] } {
    const items = session.setdefault('cart', []);
    items.push(body.item);
    return { items };
  }
}
