import type { RequestContext } from '../rpc/request-context.js';

/** How an RPC request ended: an answer, an error answer, or a policy refusal (not allowed, rate, in flight). */
export type RequestOutcome = 'ok' | 'error' | 'refused';

export type PolicyRefusalReason = 'not_allowed' | 'control' | 'rate_limited' | 'in_flight';

/**
 * What the server reports as it works. The service gets either the Prometheus implementation
 * (src/metrics/prometheus.ts) or NO_METRICS, whose methods do nothing: call sites never ask
 * whether metrics are on. Gauges that can be read at scrape time (connections, certificates,
 * ledger counters) are not pushed through here: the Prometheus side reads them when scraped.
 */
export interface Metrics {
  /** One answered RPC request; `client` is read only if metrics are on. */
  answered(action: string | undefined, outcome: RequestOutcome, seconds: number, client: RequestContext): void;
  policyRefused(reason: PolicyRefusalReason, client: RequestContext): void;
  cacheLookup(action: string, hit: boolean): void;
  /** A TLS client refused at or right after the handshake, by refusal kind (`untrusted`, `expired`, `no_certificate`, `handshake_failed`…). */
  handshakeRefused(kind: string): void;
  handshakeAccepted(): void;
  /** Node mode: the last probe or forwarded request of an upstream node succeeded or failed. */
  upstreamHealth(upstream: string, healthy: boolean): void;
  /** Node mode: the time an upstream took to answer one forwarded request. */
  upstreamLatency(upstream: string, seconds: number): void;
}

const nothing = (): void => {};

export const NO_METRICS: Metrics = {
  answered: nothing,
  policyRefused: nothing,
  cacheLookup: nothing,
  handshakeRefused: nothing,
  handshakeAccepted: nothing,
  upstreamHealth: nothing,
  upstreamLatency: nothing,
};
