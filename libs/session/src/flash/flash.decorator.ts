import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import { contextOf, flashOf, requireContext } from '../lifecycle/session-context.js';
import { rawResponse } from '../platform/raw-http.js';
import type { Flash as FlashShape } from './flash-messages.js';

/** `@Flash() flash: Flash`: Flask's `flash()` and `get_flashed_messages()` in a handler. */
export const Flash = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  flashOf(requireContext(contextOf(rawResponse(context)))),
);

/** The flash type, under the decorator's name. */
export type Flash = FlashShape;
