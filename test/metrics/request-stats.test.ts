import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/metrics/prometheus.js';
import type { RequestContext } from '../../src/rpc/request-context.js';

const sources = { openConnections: () => 0, trust: () => undefined, serverCertificate: () => undefined, ledgerCounts: () => undefined };
const client = (commonName?: string): RequestContext => ({ client: () => (commonName === undefined ? undefined : { commonName, fingerprint256: 'AA' }) });

/** The value of one exposition line, found by its exact name and label text. */
function line(text: string, series: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (found === undefined) throw new Error(`no line ${series} in\n${text}`);
  return Number(found.slice(series.length + 1));
}

describe('per-request counter and latency histogram', () => {
  it('count every answer by action, outcome and client, with cumulative buckets, sum and count', async () => {
    const metrics = new PrometheusMetrics(sources);
    metrics.answered('block_count', 'ok', 0.00005, client('a.app'));
    metrics.answered('block_count', 'ok', 0.0003, client('a.app'));
    metrics.answered('block_count', 'refused', 2, client('b.app'));
    metrics.answered(undefined, 'error', 0.001, client());
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE nano_rpc_requests_total counter');
    expect(text).toContain('# TYPE nano_rpc_request_duration_seconds histogram');
    expect(line(text, 'nano_rpc_requests_total{action="block_count",outcome="ok",client="a.app"}')).toBe(2);
    expect(line(text, 'nano_rpc_requests_total{action="block_count",outcome="refused",client="b.app"}')).toBe(1);
    expect(line(text, 'nano_rpc_requests_total{action="none",outcome="error",client="anonymous"}')).toBe(1);
    expect(line(text, 'nano_rpc_request_duration_seconds_bucket{le="0.0001",action="block_count"}')).toBe(1);
    expect(line(text, 'nano_rpc_request_duration_seconds_bucket{le="0.0005",action="block_count"}')).toBe(2);
    expect(line(text, 'nano_rpc_request_duration_seconds_bucket{le="1",action="block_count"}')).toBe(2);
    expect(line(text, 'nano_rpc_request_duration_seconds_bucket{le="5",action="block_count"}')).toBe(3);
    expect(line(text, 'nano_rpc_request_duration_seconds_bucket{le="+Inf",action="block_count"}')).toBe(3);
    expect(line(text, 'nano_rpc_request_duration_seconds_count{action="block_count"}')).toBe(3);
    expect(line(text, 'nano_rpc_request_duration_seconds_sum{action="block_count"}')).toBeCloseTo(2.00035, 9);
  });
});
