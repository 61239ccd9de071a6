import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ClientTrust } from '../tls/client-trust.js';
import type { ServerMaterial } from '../tls/material.js';
import { SecureServer } from '../tls/secure-server.js';
import type { PrometheusMetrics } from './prometheus.js';

export interface MetricsServerOptions {
  readonly address: string;
  readonly port: number;
  readonly metrics: PrometheusMetrics;
  /** `/ready`: the ledger is open (embedded) or an upstream node is healthy (node mode). */
  readonly ready: () => boolean;
  readonly logger: Logger;
  /** The RPC's own certificate and client trust: the scraper needs a trusted client certificate. */
  readonly tls?: { readonly material: ServerMaterial; readonly trust: ClientTrust | undefined; readonly verboseLogging: boolean };
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The metrics listener: `GET /metrics` (Prometheus text), `/health` (the process is up), `/ready`. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    if (path === '/health') return send(res, 200, 'application/json', '{"status":"ok"}\n');
    if (path === '/ready') {
      const ready = options.ready();
      return send(res, ready ? 200 : 503, 'application/json', ready ? '{"status":"ready"}\n' : '{"status":"not ready"}\n');
    }
    if (path !== '/metrics') return send(res, 404, 'text/plain', 'not found: try /metrics, /health or /ready\n');
    options.metrics.registry.metrics().then(
      (text) => send(res, 200, options.metrics.registry.contentType, text),
      (error: unknown) => {
        options.logger.error({ err: error }, 'collecting metrics failed');
        send(res, 500, 'text/plain', 'collecting metrics failed\n');
      },
    );
  };
  const server: Server = options.tls
    ? new SecureServer({ ...options.tls, logger: options.logger, keepAliveTimeoutMs: 65_000, expiryCheckMs: 10_000 }, handler).server
    : createServer({ keepAliveTimeout: 65_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `Error while binding for metrics on ${options.address} port ${options.port}: ${error.code === 'EADDRINUSE' ? 'the address is already in use' : error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen({ host: options.address, port: options.port }, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${address.port}/`;
  options.logger.info({ url }, `metrics listening address: ${url}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
