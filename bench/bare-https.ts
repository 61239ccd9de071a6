/**
 * What both bare baselines share (server-minimal.ts answering `block_count`, server-minimal-front.ts
 * forwarding): node:https with mutual TLS as our server does it (the trusted client leaf anchors the
 * chain), listening on 127.0.0.1:0, reported to the parent, closed when the parent goes.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { allowPartialTrustChain } from '../src/tls/node-internals.js';
import { exitWithParent, send } from './child-ipc.js';

const HARD_LIMIT_MS = 15 * 60_000;

export interface BareTlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly clientCertPath: string;
}

/** Serves `handler`, reports {type:'listening', port} over IPC; `onStop` runs after the server closed. */
export async function serveBareHttps(
  files: BareTlsFiles,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onStop: () => Promise<void> | void = () => undefined,
): Promise<void> {
  const server = createServer(
    {
      cert: readFileSync(files.certPath, 'utf8'),
      key: readFileSync(files.keyPath, 'utf8'),
      ca: [readFileSync(files.clientCertPath, 'utf8')],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      keepAliveTimeout: 65_000,
    },
    handler,
  );
  // Node 20's https.Server doesn't pass the allowPartialTrustChain option through, so the same
  // one-line helper our server uses sets the flag. Same TLS work as ours, none of our framework.
  allowPartialTrustChain(server);
  exitWithParent(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await onStop();
  }, HARD_LIMIT_MS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
}

/** A JSON answer with the two headers a bare server sends. */
export function answerJson(res: ServerResponse, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
