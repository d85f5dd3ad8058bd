import 'reflect-metadata';
import type { Server } from 'node:http';
import { loadDemoConfig } from './common/demo-config.js';
import { createDemoApp } from './create-app.js';

async function main(): Promise<void> {
  const config = loadDemoConfig(process.env);
  const app = await createDemoApp(config);
  // SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the session store.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.port, config.host);
  const address = (app.getHttpServer() as Server).address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  console.log(
    `Demo listening on http://${config.host}:${port} (session store: ${config.store}, platform: ${config.httpAdapter})`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
