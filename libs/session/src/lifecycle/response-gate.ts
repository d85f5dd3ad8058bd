import { ServerResponse } from 'node:http';
import { HeldResponseCallError } from '../session.errors.js';
import { applyWriteHeadHeaders } from './write-head-headers.js';

type Method = 'writeHead' | 'write' | 'end';
type AnyFunction = (...args: unknown[]) => unknown;

/** What one response must do before its first byte leaves, and where that stands. */
export interface ResponseGate {
  /** Commits the session; a promise holds the response back until it settles. */
  commit(res: ServerResponse): void | Promise<void>;
  /** Answers instead of the handler when commit throws or rejects. */
  fail(res: ServerResponse, error: unknown): void;
  /**
   * 'closed' until the first write, 'held' while an asynchronous commit runs, then 'open'; or
   * 'failed' once the commit failed and the failure was answered instead.
   */
  gate: 'closed' | 'held' | 'open' | 'failed';
  /** Calls held back while an asynchronous commit runs. */
  held: HeldCalls | undefined;
}

/** Calls held back while an asynchronous commit runs, and what they weigh. */
export class HeldCalls {
  readonly calls: Array<[Method, unknown[]]> = [];
  /** Bytes of the held writes. */
  bytes = 0;
  /** A held write answered false: the writer waits for a 'drain'. */
  owesDrain = false;

  /**
   * The calls from `from` on will never be made (the response failed): each callback a write or
   * end was given learns it with an error, on a later tick as a stream's would, so a handler
   * awaiting one does not wait forever.
   */
  abandon(from: number): void {
    for (let i = from; i < this.calls.length; i++) {
      const args = this.calls[i][1];
      const callback = args[args.length - 1];
      if (typeof callback === 'function') {
        process.nextTick(callback, abandoned());
      }
    }
  }
}

function abandoned(): Error {
  return Object.assign(new Error('The response failed before this write was made'), {
    code: 'ERR_STREAM_DESTROYED',
  });
}

/**
 * Each response's gate. A WeakMap rather than a property on the response: a symbol property
 * grows every response's property store (measured: about 4 % more allocation per request, and
 * no faster; `npm run bench` and --trace-gc-nvp on bench/server.ts). A gate must
 * not refer back to its request or response: V8's young-generation GC keeps a WeakMap value
 * alive, and what it refers to, for as long as the table does, so a back reference would carry
 * every finished request into the old generation (measured with --trace-gc-nvp: twice the
 * scavenge time). The response comes in as an argument instead.
 */
const gates = new WeakMap<ServerResponse, ResponseGate>();
/** ServerResponse's own writeHead, write and end, once patched. */
let originals: Record<Method, AnyFunction> | undefined;

/**
 * Runs the gate's commit when the response is about to leave, whatever produced it (a returned
 * value, an exception filter, @Res(), a redirect, a stream): at the first writeHead, write or
 * end. ServerResponse.prototype is patched once (wrapping each response's own methods costs
 * closures and reshapes it); responses without a gate pass straight through.
 */
export function commitBeforeFirstWrite(res: ServerResponse, gate: ResponseGate): void {
  if (originals === undefined) patchServerResponse();
  gates.set(res, gate);
}

/** The gate registered for a response. */
export function gateOf(res: object): ResponseGate | undefined {
  return gates.get(res as ServerResponse);
}

function patchServerResponse(): void {
  const proto = ServerResponse.prototype as unknown as Record<Method, AnyFunction>;
  originals = { writeHead: proto.writeHead, write: proto.write, end: proto.end };
  for (const method of ['writeHead', 'write', 'end'] as const) {
    const original = originals[method];
    Object.defineProperty(proto, method, {
      configurable: true,
      writable: true,
      value: function gated(this: ServerResponse): unknown {
        const gate = gates.get(this);
        // `arguments` goes on as it is: V8 passes it through apply without building an array.
        // Array.from(arguments) here cost more than the rest of the gate: ~3 % of the cookie
        // store's throughput (bench/ab.sh, the build with it against the build without).
        /* eslint-disable prefer-rest-params */
        if (gate === undefined || gate.gate === 'open')
          return original.apply(this, arguments as unknown as unknown[]);
        return intercept(this, gate, method, arguments);
        /* eslint-enable prefer-rest-params */
      },
    });
  }
}

function intercept(
  res: ServerResponse,
  gate: ResponseGate,
  method: Method,
  args: ArrayLike<unknown>,
): unknown {
  if (gate.gate === 'held') return hold(res, gate.held!, method, args);
  if (gate.gate === 'failed') return drop(res, method, args);
  // writeHead's own headers go on the response now, so the commit adds the session's to them.
  if (method === 'writeHead' && args.length > 1) args = applyWriteHeadHeaders(res, args);
  let pending: void | Promise<void>;
  try {
    pending = gate.commit(res);
  } catch (error) {
    gate.gate = 'open';
    failSafely(res, gate, error);
    return drop(res, method, args);
  }
  if (pending === undefined) {
    gate.gate = 'open';
    return callOriginal(res, method, args);
  }
  gate.gate = 'held';
  const held = (gate.held = new HeldCalls());
  pending.then(
    () => release(res, gate, held),
    (error: unknown) => {
      gate.gate = 'open';
      gate.held = undefined;
      failSafely(res, gate, error);
      held.abandon(0);
    },
  );
  return hold(res, held, method, args);
}

/**
 * Keeps a call for when the commit is done. write() answers as a stream would: false once the
 * held bytes reach the high-water mark, so a writer that respects backpressure waits for 'drain'
 * instead of piling its whole body up in memory behind a slow store.
 */
function hold(
  res: ServerResponse,
  held: HeldCalls,
  method: Method,
  args: ArrayLike<unknown>,
): unknown {
  held.calls.push([method, copy(args)]);
  if (method !== 'write') return res;
  held.bytes += byteLength(args[0], args[1]);
  if (held.bytes < res.writableHighWaterMark) return true;
  held.owesDrain = true;
  return false;
}

/** The commit is done: the gate opens and the held calls go out, in order. */
function release(res: ServerResponse, gate: ResponseGate, held: HeldCalls): void {
  gate.gate = 'open';
  gate.held = undefined;
  let made = 0;
  try {
    for (const [method, args] of held.calls) {
      callOriginal(res, method, args);
      made++;
    }
    // A writer that got false waits for 'drain'. Node sends one when the socket the replay
    // filled empties (writableNeedDrain); when nothing filled it (a HEAD request, whose writes
    // Node drops), only the gate can.
    if (held.owesDrain && !res.writableNeedDrain && !res.writableEnded && !res.destroyed) {
      res.emit('drain');
    }
  } catch (error) {
    // A held call that throws (a bad argument) must fail the response, not leave it open with
    // the error lost as an unhandled rejection.
    failSafely(res, gate, new HeldResponseCallError(error));
    held.abandon(made);
  }
}

/**
 * gate.fail; if even that throws, the connection is closed: no error may escape the gate. What
 * the handler's side writes after that is dropped (drop()).
 */
function failSafely(res: ServerResponse, gate: ResponseGate, error: unknown): void {
  try {
    gate.fail(res, error);
  } catch {
    res.destroy();
  }
  gate.gate = 'failed';
}

/**
 * A call made after the response failed, such as the end() Fastify makes after its writeHead()
 * ran the failing commit: dropped, as the held calls were, so it cannot write after the end.
 */
function drop(res: ServerResponse, method: Method, args: ArrayLike<unknown>): unknown {
  const callback = args[args.length - 1];
  if (typeof callback === 'function') process.nextTick(callback, abandoned());
  return method === 'write' ? true : res;
}

/** The call the gate held, made now that it is open: to the method the patch wrapped. */
function callOriginal(res: ServerResponse, method: Method, args: ArrayLike<unknown>): unknown {
  return originals![method].apply(res, args as unknown[]);
}

/** A held call's arguments, kept past the call (a loop: Array.from is slow on `arguments`). */
function copy(args: ArrayLike<unknown>): unknown[] {
  const list: unknown[] = [];
  for (let i = 0; i < args.length; i++) list.push(args[i]);
  return list;
}

/** Bytes a write will send; 0 for a chunk Node will refuse (it throws when replayed). */
function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(
      chunk,
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    );
  }
  return ArrayBuffer.isView(chunk) ? chunk.byteLength : 0;
}
