import type { Logger } from 'pino';
import { NO_METRICS, type Metrics } from '../metrics/metrics.js';
import { UpstreamError, type Upstream } from './upstream.js';

export interface UpstreamSetOptions {
  readonly upstreams: readonly Upstream[];
  readonly requestTimeoutMs: number;
  readonly probeIntervalMs: number;
  readonly logger: Logger;
  /** Upstream health and answer latency; no-ops when metrics are off. */
  readonly metrics?: Pick<Metrics, 'upstreamHealth' | 'upstreamLatency'>;
}

const PROBE = Buffer.from('{"action":"block_count"}');
/** A failed upstream is probed at the interval, doubling up to this many intervals. */
const MAX_BACKOFF = 8;

interface Member {
  readonly upstream: Upstream;
  readonly index: number;
  healthy: boolean;
  inFlight: number;
  failures: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Several nodes behind one front. Each request goes to the healthy upstream with the fewest
 * requests in flight (ties: the first configured), so a slow node takes less and a dead one
 * none. A transport failure takes an upstream out of service at once (logged once); a periodic
 * `block_count` probe, with backoff while failing, puts it back (logged once). When every
 * upstream is out, requests still go to the least recently failed one, so the client gets the
 * node's error text and a recovered node is used without waiting for the probe.
 */
export class UpstreamSet {
  private readonly members: Member[];
  private readonly metrics: Pick<Metrics, 'upstreamHealth' | 'upstreamLatency'>;
  private closed = false;

  constructor(private readonly options: UpstreamSetOptions) {
    this.metrics = options.metrics ?? NO_METRICS;
    this.members = options.upstreams.map((upstream, index) => ({ upstream, index, healthy: true, inFlight: 0, failures: 0, timer: undefined }));
    for (const member of this.members) {
      this.metrics.upstreamHealth(member.upstream.name, true);
      this.schedule(member, options.probeIntervalMs);
    }
  }

  /**
   * Forwards `body`. `retryable` (a read-only action) may be sent a second time after a failure
   * that gave no answer; any request may go to another upstream when the first certainly never
   * received it (connection refused). Rejects with the last UpstreamError.
   */
  async forward(body: Buffer, retryable: boolean, action: string): Promise<Buffer> {
    const tried = new Set<Member>();
    let resent = false;
    for (;;) {
      const member = this.pick(tried);
      tried.add(member);
      member.inFlight++;
      const started = process.hrtime.bigint();
      try {
        const answer = await member.upstream.request(body, this.options.requestTimeoutMs);
        this.metrics.upstreamLatency(member.upstream.name, Number(process.hrtime.bigint() - started) / 1e9);
        return answer;
      } catch (error) {
        const failure = error instanceof UpstreamError ? error : new UpstreamError('node_connection_failed', true, String(error), { cause: error });
        this.options.logger.warn(
          { upstream: member.upstream.name, action, reason: failure.detail, answer: failure.code },
          failure.kind === 'timeout' ? 'upstream request timed out' : 'upstream request failed',
        );
        if (failure.kind === 'transport') this.markFailed(member, failure);
        if (this.closed) throw failure;
        if (!failure.sent) {
          // It never reached the node: any action may go to a node not tried yet.
          if (tried.size >= this.members.length) throw failure;
          continue;
        }
        // It may have reached the node: only a read-only action is sent again, once, and only
        // when nothing of an answer came back (nano_rpc re-sent anything once, `process` too).
        if (!retryable || resent || failure.kind !== 'transport' || failure.code === 'node_failed_to_read_payload') throw failure;
        resent = true;
        if (tried.size >= this.members.length) tried.clear();
      } finally {
        member.inFlight--;
      }
    }
  }

  private pick(tried: ReadonlySet<Member>): Member {
    let best: Member | undefined;
    for (const member of this.members) {
      if (!member.healthy || tried.has(member)) continue;
      if (best === undefined || member.inFlight < best.inFlight) best = member;
    }
    if (best !== undefined) return best;
    // Nothing healthy left to try: the one that failed longest ago (fewest consecutive failures first).
    for (const member of this.members) {
      if (tried.has(member)) continue;
      if (best === undefined || member.failures < best.failures) best = member;
    }
    return best ?? this.members[0]!;
  }

  private markFailed(member: Member, failure: UpstreamError): void {
    member.failures++;
    if (!member.healthy) return;
    member.healthy = false;
    this.metrics.upstreamHealth(member.upstream.name, false);
    this.options.logger.error({ upstream: member.upstream.name, reason: failure.detail }, 'upstream out of service');
    this.schedule(member, this.options.probeIntervalMs);
  }

  private schedule(member: Member, delayMs: number): void {
    if (this.closed) return;
    clearTimeout(member.timer);
    member.timer = setTimeout(() => void this.probe(member), delayMs);
    member.timer.unref();
  }

  private async probe(member: Member): Promise<void> {
    const interval = this.options.probeIntervalMs;
    try {
      await member.upstream.request(PROBE, Math.max(interval, 1_000));
      member.failures = 0;
      if (!member.healthy) {
        member.healthy = true;
        this.metrics.upstreamHealth(member.upstream.name, true);
        this.options.logger.info({ upstream: member.upstream.name }, 'upstream back in service');
      }
      this.schedule(member, interval);
    } catch (error) {
      if (this.closed) return;
      const failure = error instanceof UpstreamError ? error : new UpstreamError('node_connection_failed', true, String(error));
      // A probe that timed out counts: a node that can't answer block_count in time is not serving.
      this.markFailed(member, failure);
      this.schedule(member, interval * Math.min(MAX_BACKOFF, 2 ** Math.min(member.failures - 1, 3)));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const member of this.members) clearTimeout(member.timer);
    await Promise.all(this.members.map((member) => member.upstream.close()));
  }
}
