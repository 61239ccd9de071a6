import type { Logger } from 'pino';
import type { BackendConfig, UpstreamConfig } from '../config/types.js';
import type { Forward } from '../rpc/dispatch.js';
import { RpcError } from '../rpc/errors.js';
import { HttpUpstream } from './http-upstream.js';
import { IpcUpstream } from './ipc-client.js';
import { NODE_READ_ONLY_ACTIONS } from '../rpc/action-table.js';
import { needsControlForParams, withSendId } from './node-actions.js';
import type { Upstream } from './upstream.js';
import { UpstreamError } from './upstream.js';
import { UpstreamSet, type UpstreamSetOptions } from './upstream-set.js';

export interface NodeBackend {
  /** The dispatcher's last step in node mode: forwards what passed the front checks. */
  readonly forward: Forward;
  /** The upstreams' names, for the start-up line. */
  readonly upstreams: readonly string[];
  close(): Promise<void>;
}

export interface NodeBackendOptions {
  readonly config: Extract<BackendConfig, { mode: 'node' }>;
  readonly logger: Logger;
  /** Called after the node answered `stop`: like nano_rpc, the front stops too. */
  readonly requestStop: () => void;
  readonly metrics?: UpstreamSetOptions['metrics'];
}

/** Node mode: the upstreams, their health, and the forward step plugged into the dispatcher. */
export async function openNodeBackend(options: NodeBackendOptions): Promise<NodeBackend> {
  const { config, logger } = options;
  const upstreams: Upstream[] = await Promise.all(config.upstreams.map((upstream) => openUpstream(upstream, config.maxAnswerSize)));
  const set = new UpstreamSet({
    upstreams,
    requestTimeoutMs: config.requestTimeoutMs,
    probeIntervalMs: config.probeIntervalMs,
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  logger.info({ upstreams: upstreams.map((u) => u.name) }, 'node mode: forwarding to the upstream nodes');

  const forward: Forward = {
    needsControl: needsControlForParams,
    send: (action, request, body) => {
      const payload = action === 'send' ? withSendId(body, request) : body;
      return set.forward(payload, NODE_READ_ONLY_ACTIONS.has(action), action).then(
        (raw) => {
          if (action === 'stop') options.requestStop();
          return raw;
        },
        (error: unknown) => {
          throw error instanceof UpstreamError ? new RpcError(error.code, { cause: error }) : error;
        },
      );
    },
  };
  return { forward, upstreams: upstreams.map((u) => u.name), close: () => set.close() };
}

function openUpstream(upstream: UpstreamConfig, maxAnswerSize: number): Promise<Upstream> {
  if (upstream.kind === 'ipc') {
    return Promise.resolve(
      new IpcUpstream({ name: upstream.name, host: upstream.host, port: upstream.port, connections: upstream.connections, maxAnswerSize }),
    );
  }
  return HttpUpstream.open({
    name: upstream.name,
    url: upstream.url,
    connections: upstream.connections,
    maxAnswerSize,
    caPath: upstream.caPath,
    certPath: upstream.certPath,
    keyPath: upstream.keyPath,
  });
}
