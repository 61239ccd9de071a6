/** Child entry: builds one block set (ledger-chains.ts) and writes it atomically. argv: ingest|process OUT_FILE N M. */
import { rename, writeFile } from 'node:fs/promises';
import { exitWithParent, fail } from './child-ipc.js';
import { buildIngestSet, buildProcessSet } from './ledger-chains.js';

exitWithParent(() => undefined, 10 * 60_000);

async function main(): Promise<void> {
  const [kind, out, first, second] = process.argv.slice(2);
  const n = Number(first);
  const m = Number(second);
  if (!out || !Number.isInteger(n) || !Number.isInteger(m) || n <= 0 || m <= 0) throw new Error('usage: ledger-build.js ingest|process OUT N M');
  const set = kind === 'ingest' ? await buildIngestSet(n, m) : kind === 'process' ? await buildProcessSet(n, m) : undefined;
  if (set === undefined) throw new Error(`unknown set kind ${kind}`);
  await writeFile(`${out}.${process.pid}.tmp`, JSON.stringify(set));
  await rename(`${out}.${process.pid}.tmp`, out);
  process.exit(0);
}

main().catch(fail);
