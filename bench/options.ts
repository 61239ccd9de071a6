/** Durations and round counts: the full run (≈ 4 min) or `--quick` (≈ 1 min). */
export interface BenchOptions {
  readonly quick: boolean;
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
  for (const arg of argv) {
    if (arg !== '--quick' && arg !== '--no-pin') throw new Error(`unknown option ${arg} (known: --quick, --no-pin)`);
  }
  const quick = argv.includes('--quick');
  return {
    quick,
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
