import { Logger } from '@nestjs/common';

/** Why a session might not persist, told to the developer once per cause. */
/** Warned about once per process; errors (each failed a request) are logged every time. */
export type DiagnosticCause = 'secure-over-http' | 'bad-signature' | 'cross-origin-refused';

export class SessionDiagnostics {
  private readonly logger = new Logger('SessionModule');
  private readonly told = new Set<DiagnosticCause>();

  warnOnce(cause: DiagnosticCause, message: string): void {
    if (this.told.has(cause)) return;
    this.told.add(cause);
    this.logger.warn(message);
  }

  badSignature(): void {
    this.warnOnce(
      'bad-signature',
      'A session cookie failed signature checks under every secret key: was the secret changed? ' +
        'Those clients start new sessions. To rotate without logging users out, pass secretKey: [newKey, oldKey].',
    );
  }

  /** Errors are logged every time: each one failed a request. */
  error(message: string, cause?: unknown): void {
    // Duck-typed: an error from another realm (a vm context) is no `instanceof Error`.
    const reason = (cause as { message?: unknown } | undefined)?.message;
    this.logger.error(typeof reason === 'string' ? `${message}: ${reason}` : message);
  }
}
