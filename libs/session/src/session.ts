import { DATE_TAG, assertStorable, toSessionJson } from './session-json.js';
import { SessionKeyError } from './session.errors.js';

/** Keys of TData as strings: session keys are always strings. */
type Key<TData> = keyof TData & string;

/**
 * The current request's session: Flask's `session`, typed. Values are JSON values plus Date.
 * Changes, nested ones included, are detected and saved before the response leaves.
 */
export interface Session<TData extends object = Record<string, any>> {
  get<K extends Key<TData>>(key: K): TData[K] | undefined;
  get<K extends Key<TData>>(key: K, defaultValue: TData[K]): TData[K];
  /** Stores a value; refuses (SessionValueError, naming the key) what cannot be stored faithfully. */
  set<K extends Key<TData>>(key: K, value: TData[K]): void;
  has(key: Key<TData>): boolean;
  /** Removes and returns a value; a missing key without a default throws SessionKeyError. */
  pop<K extends Key<TData>>(key: K): TData[K];
  pop<K extends Key<TData>, D>(key: K, defaultValue: D): TData[K] | D;
  /** Returns the value, storing `defaultValue` first if the key is missing. */
  setdefault<K extends Key<TData>>(key: K, defaultValue: TData[K]): TData[K];
  update(values: Partial<TData>): void;
  keys(): Key<TData>[];
  /** Removes every key; an empty session has its cookie (and record) removed. */
  clear(): void;
  /** New id (server-side stores), data kept, old record deleted. Call it at login. */
  regenerate(): void;
  /** Clears the session, deletes its record and expires its cookie. Call it at logout. */
  destroy(): void;
  /** True for a session that did not come from the client. */
  readonly isNew: boolean;
  /** Whether this request changed the session (nested mutations included). Set true to force a save. */
  modified: boolean;
  /** True: the cookie lasts `permanentLifetime`; false: it ends with the browser session. */
  permanent: boolean;
  /** Whether this request read or wrote the session; drives `Vary: Cookie`. */
  readonly accessed: boolean;
  /** The session id, for server-side stores; undefined for the cookie store or before the first save. */
  readonly id: string | undefined;
}

/** What a store loads: data plus metadata. `original` holds each key's stored JSON, when known. */
export interface LoadedSessionState {
  data: Record<string, unknown>;
  permanent: boolean;
  /** False when the loaded data is known to hold no Date (serialising it can skip the Date replacer). */
  mayHoldDates?: boolean;
  id?: string;
  original?: Record<string, string>;
  /** When the session was issued (first write, or regenerate()), ms. */
  issuedAt?: number;
  /** When the client's cookie was signed (its last refresh), ms. */
  signedAt?: number;
}

/** The key-level change set of one request, for server-side stores. */
export interface SessionChanges {
  /** Every stored key is replaced (after clear(), or a forced save). */
  replace: boolean;
  set: Map<string, unknown>;
  unset: string[];
}

/** Unless the store says otherwise, loaded data may hold Dates; a new session's data all comes through set(), which notices them. */
function mayHoldDates(state: LoadedSessionState | undefined): boolean {
  return state === undefined ? false : (state.mayHoldDates ?? true);
}

export class RequestSession<TData extends object = Record<string, any>> implements Session<TData> {
  accessed = false;
  destroyed = false;
  regenerated = false;
  private data: Record<string, unknown>;
  private permanentFlag: boolean;
  private permanentChanged = false;
  private forced = false;
  private cleared = false;
  // Created on first write: most requests only read.
  private written: Set<string> | undefined;
  private removed: Set<string> | undefined;
  /** JSON of each object value when first handed out: the baseline for nested-change detection. */
  private snapshots: Map<string, string> | undefined;
  private original: Record<string, string> | undefined;
  /** Whether any value may hold a Date; false lets serialisation skip the Date replacer. */
  mayHoldDates: boolean;

  isNew: boolean;
  id: string | undefined;
  /** When the loaded session was issued; undefined for a new one (its first save issues it). */
  issuedAt: number | undefined;
  /** When the client's cookie was signed; undefined for a new session. */
  signedAt: number | undefined;
  /** The store's own form of what was loaded (the cookie store's packed body), for a cheap refresh. */
  source: string | undefined;

  constructor(isNew: boolean, state: LoadedSessionState | undefined) {
    this.isNew = isNew;
    this.id = state?.id;
    this.issuedAt = state?.issuedAt;
    this.signedAt = state?.signedAt;
    this.data = state?.data ?? {};
    this.permanentFlag = state?.permanent ?? false;
    this.original = state?.original;
    this.mayHoldDates = mayHoldDates(state);
  }

  /**
   * Replaces the loaded state with a fresh read (taken under the per-session lock), keeping
   * nothing of what this request did before. `undefined`: the record is gone, a new session.
   */
  reset(state: LoadedSessionState | undefined): void {
    this.isNew = state === undefined;
    this.id = state?.id;
    this.issuedAt = state?.issuedAt;
    this.data = state?.data ?? {};
    this.permanentFlag = state?.permanent ?? false;
    this.original = state?.original;
    this.mayHoldDates = mayHoldDates(state);
    this.permanentChanged = this.forced = this.cleared = false;
    this.written = undefined;
    this.removed = undefined;
    this.snapshots = undefined;
  }

  get<K extends Key<TData>>(key: K, defaultValue?: TData[K]): TData[K] | undefined {
    this.accessed = true;
    if (!Object.hasOwn(this.data, key)) return defaultValue;
    const value = this.data[key];
    if (value !== null && typeof value === 'object' && !(value instanceof Date))
      this.watch(key, value);
    return value as TData[K];
  }

  set<K extends Key<TData>>(key: K, value: TData[K]): void {
    this.accessed = true;
    checkKey(key);
    if (assertStorable(key, value)) this.mayHoldDates = true;
    this.data[key] = value;
    (this.written ??= new Set()).add(key);
    this.removed?.delete(key);
    this.snapshots?.delete(key);
  }

  has(key: Key<TData>): boolean {
    this.accessed = true;
    return Object.hasOwn(this.data, key);
  }

  pop<K extends Key<TData>, D>(key: K, ...defaultValue: [] | [D]): TData[K] | D {
    this.accessed = true;
    if (!Object.hasOwn(this.data, key)) {
      if (defaultValue.length === 0) throw new SessionKeyError(key);
      return defaultValue[0];
    }
    const value = this.data[key] as TData[K];
    this.remove(key);
    return value;
  }

  setdefault<K extends Key<TData>>(key: K, defaultValue: TData[K]): TData[K] {
    if (!this.has(key)) this.set(key, defaultValue);
    return this.get(key) as TData[K];
  }

  update(values: Partial<TData>): void {
    // Validate everything first so a bad value leaves the session as it was.
    const entries = Object.entries(values);
    for (const [key, value] of entries) {
      checkKey(key);
      assertStorable(key, value);
    }
    for (const [key, value] of entries) this.set(key as Key<TData>, value as TData[Key<TData>]);
  }

  keys(): Key<TData>[] {
    this.accessed = true;
    return Object.keys(this.data) as Key<TData>[];
  }

  clear(): void {
    this.accessed = true;
    this.data = {};
    this.cleared = true;
    this.written = undefined;
    this.removed = undefined;
    this.snapshots = undefined;
  }

  regenerate(): void {
    this.accessed = true;
    this.regenerated = true;
    this.forced = true;
  }

  destroy(): void {
    this.clear();
    this.destroyed = true;
  }

  get permanent(): boolean {
    return this.permanentFlag;
  }

  set permanent(value: boolean) {
    this.accessed = true;
    if (value !== this.permanentFlag) this.permanentChanged = true;
    this.permanentFlag = value === true;
  }

  get modified(): boolean {
    return (
      this.forced ||
      this.cleared ||
      this.permanentChanged ||
      (this.written?.size ?? 0) > 0 ||
      (this.removed?.size ?? 0) > 0 ||
      this.mutatedKeys().length > 0
    );
  }

  set modified(value: boolean) {
    this.forced = value === true;
  }

  get isEmpty(): boolean {
    for (const key in this.data) if (Object.hasOwn(this.data, key)) return false;
    return true;
  }

  /** The whole data object, for stores that save it as one blob. */
  snapshotData(): Record<string, unknown> {
    this.assertHandedOutStorable();
    return this.data;
  }

  /** Key-level changes for server-side stores. A forced save or clear() replaces every key. */
  changes(): SessionChanges {
    this.assertHandedOutStorable();
    const replace = this.forced || this.cleared;
    const set = new Map<string, unknown>();
    const keys = replace
      ? Object.keys(this.data)
      : [...(this.written ?? []), ...this.mutatedKeys()];
    for (const key of keys) set.set(key, this.data[key]);
    return { replace, set, unset: replace ? [] : [...(this.removed ?? [])] };
  }

  /**
   * Bytes the session's values take as stored JSON (names included), given the JSON of the keys
   * this request sets; the others count at their stored size.
   */
  storedBytes(set: Record<string, string>): number {
    let bytes = 0;
    for (const key of Object.keys(this.data)) {
      const json = Object.hasOwn(set, key)
        ? set[key]
        : this.original !== undefined && Object.hasOwn(this.original, key)
          ? this.original[key]
          : toSessionJson(this.data[key], this.mayHoldDates);
      bytes += Buffer.byteLength(key) + Buffer.byteLength(json);
    }
    return bytes;
  }

  /**
   * Refuses what an object was given in place, after set() or once handed out by get(), that
   * JSON would drop or mangle (a function, undefined, NaN, a Map): the values set() refuses,
   * never a silent loss at save. A Date put in later is noticed, so it comes back as a Date.
   */
  private assertHandedOutStorable(): void {
    if (this.written !== undefined) {
      for (const key of this.written) this.recheck(key);
    }
    if (this.snapshots !== undefined) {
      for (const key of this.snapshots.keys()) this.recheck(key);
    }
  }

  private recheck(key: string): void {
    const value = this.data[key];
    if (value !== null && typeof value === 'object' && assertStorable(key, value))
      this.mayHoldDates = true;
  }

  private remove(key: string): void {
    delete this.data[key];
    this.written?.delete(key);
    this.snapshots?.delete(key);
    (this.removed ??= new Set()).add(key);
  }

  private watch(key: string, value: object): void {
    if (this.written?.has(key)) return; // already saved whatever it becomes
    this.snapshots ??= new Map();
    if (!this.snapshots.has(key))
      this.snapshots.set(key, this.original?.[key] ?? toSessionJson(value, this.mayHoldDates));
  }

  private mutatedKeys(): string[] {
    if (this.snapshots === undefined) return [];
    const keys: string[] = [];
    for (const [key, before] of this.snapshots) {
      if (toSessionJson(this.data[key], this.mayHoldDates) !== before) keys.push(key);
    }
    return keys;
  }
}

function checkKey(key: unknown): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new TypeError(
      `Session keys must be non-empty strings, got ${typeof key === 'string' ? 'an empty string' : typeof key}`,
    );
  }
  if (key === '__proto__') throw new TypeError('Session key "__proto__" is not allowed');
  // The tag a Date travels under: alone at the top of a cookie, it would read back as a Date.
  if (key === DATE_TAG) throw new TypeError('Session key "\\u0000date" is reserved');
}
