import type { Registry } from 'prom-client';

/** Latency buckets (seconds) of nano_rpc_request_duration_seconds. */
const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

interface Counted {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

interface Timed {
  readonly action: string;
  /** Per bucket, not cumulative; the last slot is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/**
 * The per-request counter and latency histogram, kept as plain numbers and turned into
 * Prometheus families only when scraped. prom-client's own Counter/Histogram hash a label object
 * on every update (about 1 µs per request for the two); here a request costs a map lookup and a
 * few additions. Label values are bounded: fixed actions and outcomes, trusted clients' CNs.
 */
export class RequestStats {
  private readonly counted = new Map<string, Counted>();
  private readonly timed = new Map<string, Timed>();

  constructor(registry: Registry) {
    const counted = this.counted;
    const timed = this.timed;
    registry.registerMetric({
      name: 'nano_rpc_requests_total',
      help: 'RPC requests answered, by action, outcome (ok, error, refused) and client CN',
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({
        name: 'nano_rpc_requests_total',
        help: 'RPC requests answered, by action, outcome (ok, error, refused) and client CN',
        type: 'counter',
        aggregator: 'sum',
        values: [...counted.values()].map((entry): MetricValue => ({ value: entry.value, labels: { ...entry.labels } })),
      }),
    } as unknown as Parameters<Registry['registerMetric']>[0]);
    const histogramHelp = 'Time from request body read to answer written, by action';
    registry.registerMetric({
      name: 'nano_rpc_request_duration_seconds',
      help: histogramHelp,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => {
        const values: MetricValue[] = [];
        for (const entry of timed.values()) {
          let cumulative = 0;
          BUCKETS.forEach((le, i) => {
            cumulative += entry.counts[i]!;
            values.push({ metricName: 'nano_rpc_request_duration_seconds_bucket', labels: { le, action: entry.action }, value: cumulative });
          });
          values.push({ metricName: 'nano_rpc_request_duration_seconds_bucket', labels: { le: '+Inf', action: entry.action }, value: entry.count });
          values.push({ metricName: 'nano_rpc_request_duration_seconds_sum', labels: { action: entry.action }, value: entry.sum });
          values.push({ metricName: 'nano_rpc_request_duration_seconds_count', labels: { action: entry.action }, value: entry.count });
        }
        return { name: 'nano_rpc_request_duration_seconds', help: histogramHelp, type: 'histogram', aggregator: 'sum', values };
      },
    } as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  record(action: string, outcome: string, client: string, seconds: number): void {
    const key = `${action}\u0000${outcome}\u0000${client}`;
    let counted = this.counted.get(key);
    if (counted === undefined) {
      counted = { labels: { action, outcome, client }, value: 0 };
      this.counted.set(key, counted);
    }
    counted.value++;

    let timed = this.timed.get(action);
    if (timed === undefined) {
      timed = { action, counts: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.timed.set(action, timed);
    }
    let slot = 0;
    while (slot < BUCKETS.length && seconds > BUCKETS[slot]!) slot++;
    timed.counts[slot]!++;
    timed.sum += seconds;
    timed.count++;
  }
}
