import type { X509Certificate } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LedgerCounts } from '../ledger/ledger.js';
import type { RequestContext } from '../rpc/request-context.js';
import type { TrustSnapshot } from '../tls/client-trust.js';
import type { Metrics, PolicyRefusalReason, RequestOutcome } from './metrics.js';
import { RequestStats } from './request-stats.js';

/** What the service lets the metrics read at scrape time (nothing is computed between scrapes). */
export interface MetricSources {
  openConnections(): number;
  trust(): TrustSnapshot | undefined;
  serverCertificate(): X509Certificate | undefined;
  /** Embedded mode; undefined in node mode. */
  ledgerCounts(): LedgerCounts | undefined;
}

const DAY_MS = 86_400_000;

/** Bounded label values: the CN of a trusted certificate (the trust directory bounds them), or a fixed word. */
function clientLabel(context: RequestContext): string {
  const identity = context.client();
  return identity === undefined ? 'anonymous' : (identity.commonName ?? 'no_cn');
}

/** Every metric name the endpoint exposes (besides prom-client's process_* and nodejs_* defaults). */
export const METRIC_NAMES = [
  'nano_rpc_requests_total',
  'nano_rpc_request_duration_seconds',
  'nano_rpc_tls_handshakes_total',
  'nano_rpc_open_connections',
  'nano_rpc_policy_refusals_total',
  'nano_rpc_cache_lookups_total',
  'nano_rpc_trusted_clients',
  'nano_rpc_certificate_expiry_days',
  'nano_rpc_ledger_blocks',
  'nano_rpc_ledger_cemented_blocks',
  'nano_rpc_ledger_unchecked_blocks',
  'nano_rpc_ledger_accounts',
  'nano_rpc_upstream_up',
  'nano_rpc_upstream_latency_seconds',
] as const;

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly requests: RequestStats;
  private readonly handshakes: Counter<'outcome'>;
  private readonly refusals: Counter<'reason' | 'client'>;
  private readonly cache: Counter<'action' | 'result'>;
  private readonly upstreamUp: Gauge<'upstream'>;
  private readonly upstreamSeconds: Histogram<'upstream'>;
  private readonly upstreams = new Map<string, boolean>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new RequestStats(this.registry);
    this.handshakes = new Counter({
      name: 'nano_rpc_tls_handshakes_total',
      help: 'Mutual-TLS clients admitted (accepted) or refused, by refusal reason',
      labelNames: ['outcome'],
      registers,
    });
    this.refusals = new Counter({
      name: 'nano_rpc_policy_refusals_total',
      help: 'Requests refused by the per-client policy, by reason (not_allowed, control, rate_limited, in_flight) and client CN',
      labelNames: ['reason', 'client'],
      registers,
    });
    this.cache = new Counter({
      name: 'nano_rpc_cache_lookups_total',
      help: 'Answer cache lookups of read-only actions, by action and result (hit, miss)',
      labelNames: ['action', 'result'],
      registers,
    });
    new Gauge({
      name: 'nano_rpc_open_connections',
      help: 'Open RPC connections',
      registers,
      collect() {
        this.set(sources.openConnections());
      },
    });
    new Gauge({
      name: 'nano_rpc_trusted_clients',
      help: 'Certificates in the client trust directory',
      registers,
      collect() {
        this.set(sources.trust()?.certificates.length ?? 0);
      },
    });
    new Gauge({
      name: 'nano_rpc_certificate_expiry_days',
      help: 'Days until a certificate expires (negative: expired), for the server certificate and each trusted client certificate',
      labelNames: ['role', 'cn', 'fingerprint'],
      registers,
      collect() {
        this.reset();
        const now = Date.now();
        const days = (cert: X509Certificate): number => (Date.parse(cert.validTo) - now) / DAY_MS;
        const server = sources.serverCertificate();
        if (server) this.set({ role: 'server', cn: server.subject.match(/CN=([^\n]*)/)?.[1] ?? '', fingerprint: server.fingerprint256 }, days(server));
        for (const entry of sources.trust()?.certificates ?? []) {
          this.set({ role: 'client', cn: entry.identity.commonName ?? '', fingerprint: entry.fingerprint256 }, days(entry.cert));
        }
      },
    });
    const ledgerGauge = (name: string, help: string, pick: (counts: LedgerCounts) => bigint): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const counts = sources.ledgerCounts();
          if (counts) this.set(Number(pick(counts)));
        },
      });
    };
    ledgerGauge('nano_rpc_ledger_blocks', 'Blocks in the embedded ledger', (c) => c.blocks);
    ledgerGauge('nano_rpc_ledger_cemented_blocks', 'Cemented blocks in the embedded ledger', (c) => c.cemented);
    ledgerGauge('nano_rpc_ledger_unchecked_blocks', 'Unchecked blocks in the embedded ledger', (c) => c.unchecked);
    ledgerGauge('nano_rpc_ledger_accounts', 'Accounts in the embedded ledger', (c) => c.accounts);
    this.upstreamUp = new Gauge({
      name: 'nano_rpc_upstream_up',
      help: 'Node mode: 1 if the upstream node answered its last request or probe',
      labelNames: ['upstream'],
      registers,
    });
    this.upstreamSeconds = new Histogram({
      name: 'nano_rpc_upstream_latency_seconds',
      help: 'Node mode: time an upstream node took to answer a forwarded request',
      labelNames: ['upstream'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
  }

  answered(action: string | undefined, outcome: RequestOutcome, seconds: number, client: RequestContext): void {
    this.requests.record(action ?? 'none', outcome, clientLabel(client), seconds);
  }

  policyRefused(reason: PolicyRefusalReason, client: RequestContext): void {
    this.refusals.inc({ reason, client: clientLabel(client) });
  }

  cacheLookup(action: string, hit: boolean): void {
    this.cache.inc({ action, result: hit ? 'hit' : 'miss' });
  }

  handshakeRefused(kind: string): void {
    this.handshakes.inc({ outcome: kind });
  }

  handshakeAccepted(): void {
    this.handshakes.inc({ outcome: 'accepted' });
  }

  upstreamHealth(upstream: string, healthy: boolean): void {
    this.upstreams.set(upstream, healthy);
    this.upstreamUp.set({ upstream }, healthy ? 1 : 0);
  }

  upstreamLatency(upstream: string, seconds: number): void {
    this.upstreamSeconds.observe({ upstream }, seconds);
  }

  /** Node mode: some upstream answered its last request. */
  anyUpstreamHealthy(): boolean {
    for (const healthy of this.upstreams.values()) if (healthy) return true;
    return false;
  }
}
