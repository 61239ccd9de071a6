import { fixed, ratioText, table, whole, type Summary } from './report.js';
import { ACCOUNT_SLOT_MS, INGEST_BATCH, INGEST_IN_FLIGHT, type LedgerResults } from './ledger-suites.js';
import { PROCESS_CHAINS } from './ledger-cache.js';

function atLeast(value: number, target: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${whole(value)} ${unit} (target ≥ ${whole(target)}: ${value >= target ? 'met' : 'NOT met'})`;
}

const perCoreSecond = (r: Summary): number => 1e6 / r.serverCpuMicrosPerOp;
const row = (rows: readonly Summary[], label: string): Summary | undefined => rows.find((r) => r.label === label);

const VERIFY_NAMES: Readonly<Record<string, string>> = {
  ours: 'ours: ed25519-blake2b `verify` (libsodium point ops)',
  libsodium: 'libsodium `crypto_sign_verify_detached` (ed25519-SHA-512)',
};

function verifySection(r: LedgerResults): string[] {
  const ours = row(r.verify, 'ours');
  const sodium = row(r.verify, 'libsodium');
  const lines = [
    `### 4. Signature verification, one thread pinned to CPU 0 (${whole(r.triples)} pre-made triples, cycled)`,
    '',
    ...table(
      ['verifier', 'verifies/s', 'per core-second', 'CPU µs/verify', 'core %', 'other core %', 'rounds', 'errors'],
      r.verify.map((s) => [
        VERIFY_NAMES[s.label] ?? s.label,
        whole(s.perSecond),
        whole(perCoreSecond(s)),
        fixed(s.serverCpuMicrosPerOp, 1),
        fixed(s.serverCorePct, 0),
        fixed(s.backgroundCorePct, 0),
        String(s.rounds),
        String(s.errors),
      ]),
    ),
    '',
  ];
  if (ours) lines.push(`- ours: ${atLeast(perCoreSecond(ours), 4000, 'verifies per core-second')}`);
  if (ours && sodium)
    lines.push(
      `- ours/libsodium: verifies/s ${ratioText(ours.perSecond, sodium.perSecond)}; CPU µs/verify ${ratioText(ours.serverCpuMicrosPerOp, sodium.serverCpuMicrosPerOp)}`,
    );
  return lines;
}

const INGEST_NAMES: Readonly<Record<string, string>> = {
  processBatch: `ledger \`processBatch\` (${INGEST_BATCH} blocks/commit)`,
  processAsync: `ledger \`processAsync\` (${INGEST_IN_FLIGHT} in flight, group commit)`,
  lmdb: `raw LMDB \`putSync\` (${INGEST_BATCH} records/txn, same sizes, no validation)`,
};

function ingestSection(r: LedgerResults): string[] {
  const batch = row(r.ingest, 'processBatch');
  const async = row(r.ingest, 'processAsync');
  const lmdb = row(r.ingest, 'lmdb');
  const lines = [
    `### 5. Ledger ingest of ${whole(r.ingestBlocks)} pre-built valid state blocks (sends, opens, receives), fresh ledger per round, one thread pinned to CPU 0`,
    '',
    ...table(
      ['path', 'blocks/s', 'CPU µs/block', 'core %', 'other core %', 'rounds', 'errors'],
      r.ingest.map((s) => [
        INGEST_NAMES[s.label] ?? s.label,
        whole(s.perSecond),
        fixed(s.serverCpuMicrosPerOp, 1),
        fixed(s.serverCorePct, 0),
        fixed(s.backgroundCorePct, 0),
        String(s.rounds),
        String(s.errors),
      ]),
    ),
    '',
  ];
  if (batch) lines.push(`- processBatch: ${atLeast(batch.perSecond, 3000, 'blocks/s')}`);
  if (async) lines.push(`- processAsync: ${atLeast(async.perSecond, 3000, 'blocks/s')}`);
  if (batch && lmdb) {
    lines.push(
      `- processBatch/raw LMDB: blocks/s ${ratioText(batch.perSecond, lmdb.perSecond)}; validation and ledger bookkeeping cost ${fixed(batch.serverCpuMicrosPerOp - lmdb.serverCpuMicrosPerOp, 1)} µs/block of CPU over storing one record (the ledger also writes ≈ 5 more small records per block: predecessor's successor, account, pending, weight, counters)`,
    );
  }
  return lines;
}

function rpcTable(rows: readonly Summary[]): string[] {
  return table(
    ['request', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'server core %', 'load-gen core %', 'other core %', 'rounds', 'errors'],
    rows.map((s) => [
      s.label,
      whole(s.perSecond),
      fixed(s.p50Ms, 2),
      fixed(s.p99Ms, 2),
      fixed(s.serverCpuMicrosPerOp, 1),
      fixed(s.serverCorePct, 0),
      fixed(s.clientCorePct, 0),
      fixed(s.backgroundCorePct, 0),
      String(s.rounds),
      String(s.errors),
    ]),
  );
}

function processSection(r: LedgerResults): string[] {
  const processRow = row(r.process, 'process');
  const blockCount = row(r.process, 'block_count');
  const lines = [
    `### 6. \`process\` over keep-alive mutual TLS, ours (${PROCESS_CHAINS} connections, one chain of sends/opens each, one request in flight; ${whole(r.measuredProcessBlocks)} measured blocks; fresh server and ledger per round; block_count afterwards over the same connections)`,
    '',
    ...rpcTable(r.process),
    '',
  ];
  if (processRow)
    lines.push(
      `- process: ${atLeast(processRow.perSecond, 1500, 'blocks/s')}; CPU ceiling (one server core fully busy at ${fixed(processRow.serverCpuMicrosPerOp, 0)} µs/block): ${whole(1e6 / processRow.serverCpuMicrosPerOp)} blocks/s`,
    );
  lines.push(
    `- one request in flight per connection: at most ${PROCESS_CHAINS} blocks share a durable commit, so blocks/s ≤ ${PROCESS_CHAINS} / commit latency; a server core % well below 100 means waiting for the disk sync`,
  );
  if (processRow && blockCount)
    lines.push(
      `- process/block_count: req/s ${ratioText(processRow.perSecond, blockCount.perSecond)}; server CPU µs/req ${ratioText(processRow.serverCpuMicrosPerOp, blockCount.serverCpuMicrosPerOp)}`,
    );
  return lines;
}

function accountsSection(r: LedgerResults, connections: number): string[] {
  const blockCount = row(r.accounts, 'block_count');
  const lines = [
    `### 7. Account reads over keep-alive mutual TLS, ours (${connections} connections, pipelining 1; ledger of ${whole(r.accountCount)} opened accounts, a random one per request; the three requests take turns in ${ACCOUNT_SLOT_MS} ms slots on the same connections, server CPU read at every slot boundary)`,
    '',
    ...rpcTable(r.accounts),
    '',
  ];
  for (const label of ['account_balance', 'account_info']) {
    const reads = row(r.accounts, label);
    if (reads && blockCount)
      lines.push(
        `- ${label}/block_count: req/s ${ratioText(reads.perSecond, blockCount.perSecond, { atLeast: 0.8 })}; server CPU µs/req ${ratioText(reads.serverCpuMicrosPerOp, blockCount.serverCpuMicrosPerOp)}`,
      );
  }
  return lines;
}

/** The ledger suites' tables (sections 4–7), for the printed output and bench/results.md. */
export function ledgerSections(r: LedgerResults, connections: number): string[] {
  const lead =
    'Sections 4–7 (the ledger, issue 3): blocks are built once with the independent `nanocurrency` package (hash, signature, dev-threshold work) and cached in the system temp folder; nothing is built while timing. ' +
    'Sections 4–5 run in a child process pinned to the server CPU; its CPU is its own user + system time (all threads, LMDB write thread included). ' +
    'Sections 6–7 use the real service (as in section 1) and the same load-generator layout; the rows of section 6 alternate within every round, those of section 7 take turns in short slots (see there).';
  return [lead, '', ...verifySection(r), '', ...ingestSection(r), '', ...processSection(r), '', ...accountsSection(r, connections)];
}

/** For errorNotes: every ledger row, labelled by suite. */
export function ledgerSummaries(r: LedgerResults): Summary[] {
  const tag = (suite: string, rows: readonly Summary[]): Summary[] => rows.map((s) => ({ ...s, label: `${suite} ${s.label}` }));
  return [...tag('verify', r.verify), ...tag('ingest', r.ingest), ...tag('process', r.process), ...tag('accounts', r.accounts)];
}
