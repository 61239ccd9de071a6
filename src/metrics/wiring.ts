import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { clientIdentityOf } from '../identity/client-identity.js';
import type { RpcConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { ClientTrust } from '../tls/client-trust.js';
import type { ServerMaterial } from '../tls/material.js';
import type { SecureServer } from '../tls/secure-server.js';
import { watchCertificateExpiry, type WatchedCertificate } from './expiry.js';
import { NO_METRICS, type Metrics } from './metrics.js';
import { PrometheusMetrics } from './prometheus.js';
import { startMetricsServer } from './server.js';

export interface Observability {
  /** NO_METRICS when [metrics] enable = false: every call is a no-op. */
  readonly metrics: Metrics;
  readonly onHandshake: (outcome: string) => void;
  /** Once the RPC listens: the metrics listener (if enabled) and the expiry warnings; returns its URL. */
  listen(parts: ListenParts): Promise<string | undefined>;
}

export interface ListenParts {
  readonly server: Server;
  readonly secureServer: () => SecureServer | undefined;
  readonly tls: { readonly material: ServerMaterial; readonly trust: ClientTrust | undefined; readonly verboseLogging: boolean } | undefined;
  readonly ledger: Ledger | undefined;
  readonly ready: () => boolean;
  readonly cleanups: Array<() => unknown>;
}

/** Metrics, health and certificate-expiry warnings, plugged in at the composition root. */
export function startObservability(config: RpcConfig, logger: Logger): Observability {
  let openConnections = 0;
  let parts: ListenParts | undefined;
  const prometheus = config.metrics.enable
    ? new PrometheusMetrics({
        openConnections: () => openConnections,
        trust: () => parts?.secureServer()?.trust(),
        serverCertificate: () => parts?.secureServer()?.serverCertificate,
        ledgerCounts: () => parts?.ledger?.counts(),
      })
    : undefined;
  const metrics: Metrics = prometheus ?? NO_METRICS;
  return {
    metrics,
    onHandshake: (outcome) => (outcome === 'accepted' ? metrics.handshakeAccepted() : metrics.handshakeRefused(outcome)),
    async listen(given) {
      parts = given;
      const expiry = watchCertificateExpiry(logger, () => {
        const secure = given.secureServer();
        if (!secure) return [];
        const list: WatchedCertificate[] = [
          { role: 'server', cert: secure.serverCertificate, commonName: clientIdentityOf(secure.serverCertificate).commonName },
        ];
        for (const entry of secure.trust()?.certificates ?? []) list.push({ role: 'client', cert: entry.cert, commonName: entry.identity.commonName });
        return list;
      });
      given.cleanups.push(() => expiry.close());
      if (!prometheus) return undefined;
      given.server.on('connection', (socket) => {
        openConnections++;
        socket.once('close', () => openConnections--);
      });
      const server = await startMetricsServer({
        address: config.metrics.address,
        port: config.metrics.port,
        metrics: prometheus,
        ready: () => given.ready() && (given.ledger !== undefined || prometheus.anyUpstreamHealthy()),
        logger,
        ...(config.metrics.tls && given.tls ? { tls: given.tls } : {}),
      });
      given.cleanups.push(() => server.close());
      return server.url;
    },
  };
}
