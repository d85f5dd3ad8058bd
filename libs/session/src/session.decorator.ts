import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import { contextOf, sessionOf } from './lifecycle/session-context.js';
import { rawResponse } from './platform/raw-http.js';
import type { Session as SessionShape } from './session.js';

/**
 * `@Session() session: Session<AppSession>`: the current request's session in a handler.
 * (Not `@nestjs/common`'s untyped `Session`, which reads express-session's `req.session`.)
 */
export const Session = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  sessionOf(contextOf(rawResponse(context))),
);

/** The session type, under the decorator's name: `@Session() session: Session<AppSession>`. */
export type Session<TData extends object = Record<string, any>> = SessionShape<TData>;
