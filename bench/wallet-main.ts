/**
 * `node dist/bench/wallet-main.js [--quick]`: only the wallet/work/confirmation figures
 * (wallet-suite.ts), for a short look without the whole bench. Prints the markdown section.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions } from './options.js';
import { makeBenchPki } from './pki.js';
import { armWatchdog, stopAllChildren } from './procs.js';
import { runWalletSuite } from './wallet-suite.js';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  armWatchdog(5 * 60_000);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const dir = await mkdtemp(join(tmpdir(), 'nano-rpc-wallet-bench-'));
  try {
    const pki = await makeBenchPki();
    const lines = await runWalletSuite({
      options,
      client: { certPem: pki.client.certPem, keyPem: pki.client.keyPem, caPem: pki.ca.certPem },
      loadPin: undefined,
      log,
      dir,
      pki,
      serverPin: undefined,
    });
    log('');
    log(lines.join('\n'));
  } finally {
    await stopAllChildren();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch(async (error: unknown) => {
  process.stderr.write(`wallet bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopAllChildren();
  process.exitCode = 1;
});
