import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import { contextOf, requireContext } from '../lifecycle/session-context.js';
import { rawResponse } from '../platform/raw-http.js';
import type { Cookies as CookiesShape } from './request-cookies.js';

/**
 * `@Cookies() cookies: Cookies`: the request's cookies beside the session, and the ones the
 * response sets (written with the session cookie, before the first byte, on every path).
 */
export const Cookies = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  requireContext(contextOf(rawResponse(context))).requestCookies(),
);

/** The cookies type, under the decorator's name. */
export type Cookies = CookiesShape;
