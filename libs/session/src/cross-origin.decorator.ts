import { SetMetadata } from '@nestjs/common';

/** Metadata key of @AllowCrossOrigin(). */
export const ALLOW_CROSS_ORIGIN = 'session:allow-cross-origin';

/**
 * Lets unsafe requests from other origins reach this route (or every route of this controller):
 * for endpoints other sites are meant to call with a browser, such as a payment provider's
 * return form. Security: such a route must not rely on the session to authorise what it does.
 * (Webhooks sent server to server carry no Origin and need no opt-out.) This is not CORS: it
 * adds no Access-Control-* header.
 */
export const AllowCrossOrigin = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ALLOW_CROSS_ORIGIN, true);
