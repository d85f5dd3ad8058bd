import type { IncomingMessage, ServerResponse } from 'node:http';

/** The module's per-request step, on Node's own request and response, whatever the platform. */
export type RequestHook = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** What the module needs of an HTTP adapter (Nest's AbstractHttpAdapter has it all). */
export interface HttpAdapterLike {
  getType(): string;
  getInstance(): unknown;
  use(...args: unknown[]): unknown;
}
