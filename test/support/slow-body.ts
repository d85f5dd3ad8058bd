import { type Server, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * POSTs `body` in a packet of its own, 20 ms after the headers, so the server parses it on a later
 * turn of the event loop than the one that ran its request hooks; resolves with the JSON answer.
 */
export async function postBodyLater(
  server: Server,
  path: string,
  cookie: string,
  type: string,
  body: string,
): Promise<unknown> {
  const listening = server.listening;
  if (!listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          headers: { cookie, 'content-type': type, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      void sleep(20).then(() => req.end(body));
    });
  } finally {
    if (!listening) await new Promise((done) => server.close(done));
  }
}
