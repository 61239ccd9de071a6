/** Durations and round counts: the full run (≈ 4 min) or `--quick` (≈ 1 min). */
export interface BenchOptions {
  readonly quick: boolean;
  /** Write the report to the tracked bench/results.md (otherwise it is only printed). */
  readonly writeResults: boolean;
  /** apt-get install nginx when it is missing (otherwise its rows are skipped). */
  readonly installNginx: boolean;
  /** Only the stall suite (stall.ts), to try it quickly. */
  readonly stallOnly: boolean;
  /** How long the stall suite measures. */
  readonly stallMs: number;
  readonly pin: boolean;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly keepAliveRounds: number;
  readonly handshakeRounds: number;
  readonly resumptionRounds: number;
  /** Rounds of each ledger suite (ledger-suites.ts). */
  readonly ledgerRounds: number;
  readonly connections: number;
  readonly handshakeConcurrency: number;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const known = ['--quick', '--no-pin', '--write-results', '--install-nginx', '--stall-only'];
  for (const arg of argv) {
    if (!known.includes(arg)) throw new Error(`unknown option ${arg} (known: ${known.join(', ')})`);
  }
  const quick = argv.includes('--quick');
  return {
    quick,
    writeResults: argv.includes('--write-results'),
    installNginx: argv.includes('--install-nginx'),
    stallOnly: argv.includes('--stall-only'),
    stallMs: quick ? 3000 : 10_000,
    pin: !argv.includes('--no-pin'),
    warmupMs: quick ? 300 : 1000,
    durationMs: quick ? 1000 : 3000,
    keepAliveRounds: quick ? 2 : 5,
    handshakeRounds: quick ? 2 : 4,
    resumptionRounds: quick ? 2 : 4,
    ledgerRounds: quick ? 2 : 5,
    connections: 16,
    handshakeConcurrency: 8,
  };
}
