/**
 * Child entry: the same work as our block_count without our framework: node:https with mutual
 * TLS, read the body, JSON.parse it, read the counters from an LMDB ledger, answer.
 * argv: CERT KEY CLIENT_CERT LEDGER_DIR. Reports {type:'listening', port} over IPC.
 */
import { openLedger } from '../src/ledger/ledger.js';
import { answerJson, serveBareHttps } from './bare-https.js';
import { fail } from './child-ipc.js';

async function main(): Promise<void> {
  const [certPath, keyPath, clientCertPath, ledgerDir] = process.argv.slice(2);
  if (!certPath || !keyPath || !clientCertPath || !ledgerDir) throw new Error('usage: server-minimal.js CERT KEY CLIENT_CERT LEDGER_DIR');
  const ledger = await openLedger({ path: ledgerDir });
  await serveBareHttps(
    { certPath, keyPath, clientCertPath },
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
        answerJson(res, body);
      });
    },
    () => ledger.close(),
  );
}

main().catch(fail);
