import {
  type LockOptions,
  MemoryStore,
  type ReleaseLock,
  type SessionPatch,
  type StoredSession,
} from 'nestjs-flask-session';

/** A MemoryStore that can be switched off (every operation rejects) or slowed down, like a Redis that went away. */
export class FlakyStore extends MemoryStore {
  down = false;
  /**
   * Saves fail (create, update, touch, destroy) while reads, locks and pings still work, like a
   * Redis that failed over to a read-only replica: a session loads and locks, then cannot be saved.
   */
  writesDown = false;
  /** Every operation hangs this long first (to test the per-operation timeout). */
  hangMs = 0;

  private async gate(write = false): Promise<void> {
    if (this.hangMs > 0) await new Promise((resolve) => setTimeout(resolve, this.hangMs).unref());
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    if (write && this.writesDown)
      throw new Error("READONLY You can't write against a read only replica.");
  }

  override async get(key: string): Promise<StoredSession | undefined> {
    await this.gate();
    return super.get(key);
  }
  override async create(key: string, session: StoredSession, replaces?: string): Promise<void> {
    await this.gate(true);
    return super.create(key, session, replaces);
  }
  override async update(key: string, patch: SessionPatch): Promise<boolean> {
    await this.gate(true);
    return super.update(key, patch);
  }
  override async touch(key: string, expiresAt: number): Promise<boolean> {
    await this.gate(true);
    return super.touch(key, expiresAt);
  }
  override async destroy(key: string): Promise<void> {
    await this.gate(true);
    return super.destroy(key);
  }
  override async lock(key: string, options: LockOptions): Promise<ReleaseLock> {
    await this.gate();
    return super.lock(key, options);
  }
  override async ping(): Promise<void> {
    await this.gate();
  }
}
