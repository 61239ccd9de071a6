/**
 * Only the ledger suites (sections 4–7 of `npm run bench`), printed, bench/results.md untouched:
 * `npm run build && node dist/bench/ledger-main.js [--quick] [--no-pin]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canPin, environmentLine } from './environment.js';
import { ledgerSections, ledgerSummaries } from './ledger-report.js';
import { runLedgerSuites } from './ledger-suites.js';
import { parseOptions } from './options.js';
import { makeBenchPki } from './pki.js';
import { armWatchdog, killAllChildrenNow, stopAllChildren } from './procs.js';
import { errorNotes } from './report.js';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  armWatchdog(10 * 60_000);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const pinned = options.pin && canPin();
  log(environmentLine(pinned));
  const dir = await mkdtemp(join(tmpdir(), 'nano-rpc-bench-ledger-'));
  try {
    const pki = await makeBenchPki();
    const client = { certPem: pki.client.certPem, keyPem: pki.client.keyPem, caPem: pki.ca.certPem };
    const results = await runLedgerSuites({ options, client, loadPin: pinned ? 1 : undefined, serverPin: pinned ? 0 : undefined, log, dir, pki });
    const notes = errorNotes(ledgerSummaries(results));
    log('');
    log([...ledgerSections(results, options.connections), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n'));
  } finally {
    await stopAllChildren();
    await rm(dir, { recursive: true, force: true });
  }
}

process.on('exit', killAllChildrenNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAllChildren().finally(() => process.exit(130)));
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopAllChildren();
  process.exitCode = 1;
});
