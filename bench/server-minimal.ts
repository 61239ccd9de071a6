/**
 * Child entry: the same work as our block_count without our framework: node:https with mutual
 * TLS, read the body, JSON.parse it, read the counters from an LMDB ledger, answer.
 * argv: CERT KEY CLIENT_CERT LEDGER_DIR. Reports {type:'listening', port} over IPC.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { openLedger } from '../src/ledger/ledger.js';
import { allowPartialTrustChain } from '../src/tls/node-internals.js';
import { exitWithParent, fail, send } from './child-ipc.js';

const HARD_LIMIT_MS = 15 * 60_000;

async function main(): Promise<void> {
  const [certPath, keyPath, clientCertPath, ledgerDir] = process.argv.slice(2);
  if (!certPath || !keyPath || !clientCertPath || !ledgerDir) throw new Error('usage: server-minimal.js CERT KEY CLIENT_CERT LEDGER_DIR');
  const ledger = await openLedger({ path: ledgerDir });
  const server = createServer(
    {
      cert: readFileSync(certPath, 'utf8'),
      key: readFileSync(keyPath, 'utf8'),
      ca: [readFileSync(clientCertPath, 'utf8')],
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      keepAliveTimeout: 65_000,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let body: string;
        try {
          const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { action?: unknown };
          if (request.action === 'block_count') {
            const counts = ledger.counts();
            body = JSON.stringify({ count: String(counts.blocks), unchecked: String(counts.unchecked), cemented: String(counts.cemented) });
          } else {
            body = '{"error":"Unknown command"}';
          }
        } catch {
          body = '{"error":"Unable to parse JSON"}';
        }
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    },
  );
  // The trusted client leaf anchors the chain, as in our server (OpenSSL X509_V_FLAG_PARTIAL_CHAIN):
  // Node 20's https.Server doesn't pass the allowPartialTrustChain option through, so the same
  // one-line helper our server uses sets the flag. Same TLS work as ours, none of our framework.
  allowPartialTrustChain(server);
  exitWithParent(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ledger.close();
  }, HARD_LIMIT_MS);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
}

main().catch(fail);
