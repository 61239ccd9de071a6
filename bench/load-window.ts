import { percentileSorted } from './stats.js';
import { send } from './child-ipc.js';
import type { LoadResult } from './load-protocol.js';

/**
 * The measuring side of a load generator: a warm-up phase, then one measured window. Samples
 * from requests started during warm-up are dropped; no request starts after the window.
 */
export class LoadWindow {
  private measuring = false;
  private measureStart = 0;
  private cpuStart: NodeJS.CpuUsage = process.cpuUsage();
  private readonly latencies: number[] = [];
  private errors = 0;
  private firstError: string | undefined;
  private resumed = 0;
  readonly endsAt: number;

  constructor(warmupMs: number, durationMs: number) {
    const now = performance.now();
    this.endsAt = now + warmupMs + durationMs;
    setTimeout(() => this.startMeasuring(), warmupMs);
  }

  private startMeasuring(): void {
    this.measuring = true;
    this.measureStart = performance.now();
    this.cpuStart = process.cpuUsage();
    send({ type: 'measuring' });
  }

  /** True while new requests may start. */
  get open(): boolean {
    return performance.now() < this.endsAt;
  }

  /** A token to pass back to `record`: whether this request began in the measured window. */
  begin(): { counted: boolean; startedAt: number } {
    return { counted: this.measuring, startedAt: performance.now() };
  }

  record(token: { counted: boolean; startedAt: number }, outcome: { ok: boolean; error?: string; resumed?: boolean }): void {
    if (!token.counted) return;
    if (!outcome.ok) {
      this.errors++;
      this.firstError ??= outcome.error;
      return;
    }
    this.latencies.push(performance.now() - token.startedAt);
    if (outcome.resumed) this.resumed++;
  }

  result(withResumed: boolean): LoadResult {
    const elapsedMs = performance.now() - this.measureStart;
    const cpu = process.cpuUsage(this.cpuStart);
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      type: 'result',
      ok: this.latencies.length,
      errors: this.errors,
      ...(this.firstError !== undefined ? { firstError: this.firstError } : {}),
      elapsedMs,
      p50Ms: percentileSorted(sorted, 50),
      p99Ms: percentileSorted(sorted, 99),
      clientCpuMicros: cpu.user + cpu.system,
      ...(withResumed ? { resumed: this.resumed } : {}),
    };
  }
}
