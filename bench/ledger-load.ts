/** Child entry: the ledger suites' load generator. Waits for one LedgerLoadJob over IPC, runs it, exits. */
import { Client, Pool } from 'undici';
import { exitWithParent, fail, sendAndFlush } from './child-ipc.js';
import { runInterleaved } from './ledger-load-interleaved.js';
import { runProcess } from './ledger-load-process.js';
import type { LedgerLoadJob } from './ledger-protocol.js';
import type { TlsClientMaterial } from './load-protocol.js';

exitWithParent(() => undefined, 5 * 60_000);

function tlsOptions(job: TlsClientMaterial): { cert: string; key: string; ca: string; servername: string; rejectUnauthorized: true } {
  return { cert: job.certPem, key: job.keyPem, ca: job.caPem, servername: 'localhost', rejectUnauthorized: true };
}

async function run(job: LedgerLoadJob): Promise<void> {
  if (job.type === 'interleaved') {
    const pool = new Pool(job.origin, { connections: job.connections, pipelining: 1, connect: tlsOptions(job) });
    try {
      await sendAndFlush(await runInterleaved(pool, job));
    } finally {
      await pool.destroy();
    }
    return;
  }
  await runProcess(job, (count) => Array.from({ length: count }, () => new Client(job.origin, { pipelining: 1, connect: tlsOptions(job) })));
}

process.once('message', (job: LedgerLoadJob) => {
  run(job)
    .then(() => process.disconnect())
    .catch(fail);
});
