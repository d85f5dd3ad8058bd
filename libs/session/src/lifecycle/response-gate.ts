import type { ServerResponse } from 'node:http';

type Method = 'writeHead' | 'write' | 'end';
type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Runs `commit` when the response is about to leave, whatever produced it (a returned value,
 * an exception filter, @Res(), a redirect, a stream): at the first writeHead, write or end.
 * A commit that returns a promise holds those calls back until it settles, so a store write
 * finishes before the client sees the response. A commit that throws or rejects hands the
 * response to `fail`, which answers instead of the handler.
 */
export function commitBeforeFirstWrite(
  res: ServerResponse,
  commit: () => void | Promise<void>,
  fail: (error: unknown) => void,
): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  let held: Array<[Method, unknown[]]> | undefined;

  const restore = (): void => {
    res.writeHead = original.writeHead;
    res.write = original.write;
    res.end = original.end;
  };
  const call = (method: Method, args: unknown[]): unknown =>
    (res[method] as AnyFunction).apply(res, args);
  const answer = (method: Method): unknown => (method === 'write' ? true : res);

  const intercept = (method: Method) =>
    function intercepted(...args: unknown[]): unknown {
      if (held !== undefined) {
        held.push([method, args]);
        return answer(method);
      }
      let pending: void | Promise<void>;
      try {
        pending = commit();
      } catch (error) {
        restore();
        fail(error);
        return answer(method);
      }
      if (pending === undefined) {
        restore();
        return call(method, args);
      }
      held = [[method, args]];
      pending.then(
        () => {
          restore();
          for (const [m, a] of held as Array<[Method, unknown[]]>) call(m, a);
        },
        (error: unknown) => {
          restore();
          fail(error);
        },
      );
      return answer(method);
    };

  res.writeHead = intercept('writeHead') as ServerResponse['writeHead'];
  res.write = intercept('write') as ServerResponse['write'];
  res.end = intercept('end') as ServerResponse['end'];
}
