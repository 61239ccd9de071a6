import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { RpcConfig } from './config/load.js';
import { openLedger, type Ledger } from './ledger/ledger.js';
import { ACTIONS, NODE_CONTROL_ACTIONS } from './rpc/action-table.js';
import { createDispatcher } from './rpc/dispatch.js';
import { buildHttpApp } from './rpc/http-app.js';
import { startIpcListener } from './ipc/listener.js';
import { openNodeBackend } from './upstream/node-backend.js';
import { listenLoopbackTwin, loopbackTwinOf, type LoopbackTwin } from './listen/loopback-twin.js';
import { ClientTrust } from './tls/client-trust.js';
import { filesSignature } from './tls/file-signature.js';
import { loadServerMaterial } from './tls/material.js';
import { connectionLimitsFor } from './tls/descriptor-budget.js';
import { SecureServer } from './tls/secure-server.js';
import { watchForChanges, type ChangeWatcher } from './tls/watch.js';
import { startupSummary } from './log/startup-summary.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from './version.js';
import { startObservability } from './metrics/wiring.js';
import { startPolicy } from './policy/wiring.js';
import { Wallets } from './wallet/wallets.js';
import { serveWebsocket, type RunningWebsocket } from './websocket/serve-websocket.js';
import { createWorkPool } from './work/work-pool.js';
import type { ServerMaterial } from './tls/material.js';

export interface RunningService {
  /** e.g. https://[::1]:7076/ */
  readonly url: string;
  readonly address: AddressInfo;
  /** The confirmation websocket's URL (wss:// with TLS) when `[websocket] enable = true`. */
  readonly websocketUrl?: string;
  /** Where the embedded ledger answers the node's IPC protocol (`[ipc_listener] enable`). */
  readonly ipcAddress?: AddressInfo;
  /** Graceful: stops accepting, lets in-flight requests finish, closes the ledger. */
  stop(): Promise<void>;
  /** Settles once the service has stopped, whoever asked (`stop` action, signal, caller). */
  readonly stopped: Promise<void>;
  /** SIGHUP: re-reads the policy file and the trust directory (open connections are re-judged). */
  reload(): Promise<void>;
  /** The metrics listener's URL, when [metrics] enable = true. */
  readonly metricsUrl: string | undefined;
}

export interface ServiceOptions {
  /** How often the trust directory and certificate files are re-checked when no fs event comes. */
  readonly pollMs?: number;
  readonly keepAliveTimeoutMs?: number;
  /** How often open mutual-TLS connections are checked for a client certificate that has expired since. */
  readonly expiryCheckMs?: number;
  /** How long `stop` waits for in-flight requests before closing their connections. */
  readonly drainTimeoutMs?: number;
  /** How often repeated TLS refusals are summarised (default 5 s). */
  readonly refusalSummaryMs?: number;
}

/**
 * Wires the layers in their one direction: config → TLS → RPC → ledger. Everything that can be
 * checked is checked before a socket is bound; a failure here means nothing was left open.
 */
export async function startService(config: RpcConfig, logger: Logger, options: ServiceOptions = {}): Promise<RunningService> {
  const pollMs = options.pollMs ?? 500;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 65_000;
  const expiryCheckMs = options.expiryCheckMs ?? 10_000;
  for (const warning of config.warnings) logger.warn(warning);

  const cleanups: Array<() => unknown> = [];
  // Every step runs even if one fails: a watcher that won't close must not keep the ledger open.
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        logger.error({ err: error }, 'a shutdown step failed; continuing with the rest');
      }
    }
  };

  try {
    let secureServer: SecureServer | undefined;
    let trust: ClientTrust | undefined;
    let material: ServerMaterial | undefined;
    const observability = startObservability(config, logger);
    let trustedClients = (): number => 0;
    let serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => HttpServer;

    if (config.secure.enable) {
      material = await loadServerMaterial(config.secure, config.file);
      for (const warning of material.warnings) logger.warn(warning);
      const opened = config.secure.clientCertsPath ? await ClientTrust.open(config.secure.clientCertsPath, logger, pollMs) : undefined;
      trust = opened;
      if (opened) cleanups.push(() => opened.close());
      const tlsMaterial = material;
      const limits = await connectionLimitsFor(config.connections, logger);
      const refusalSummaryMs = options.refusalSummaryMs;
      if (opened) trustedClients = () => opened.current().certificates.length;
      serverFactory = (handler) => {
        secureServer = new SecureServer(
          {
            material: tlsMaterial,
            trust: opened,
            verboseLogging: config.secure.verboseLogging,
            logger,
            keepAliveTimeoutMs,
            expiryCheckMs,
            limits,
            onHandshake: observability.onHandshake,
            ...(refusalSummaryMs !== undefined ? { refusalSummaryMs } : {}),
          },
          handler,
        );
        return secureServer.server;
      };
    } else {
      serverFactory = (handler) => createHttpServer({ keepAliveTimeout: keepAliveTimeoutMs }, handler);
    }

    let stopRequested = false;
    let stopping: Promise<void> | undefined;
    const requestStop = (): void => {
      stopRequested = true;
    };

    // Node mode: a stateless front; the nodes answer (src/upstream). Embedded: our own ledger.
    const nodeBackend =
      config.backend.mode === 'node' ? await openNodeBackend({ config: config.backend, logger, requestStop, metrics: observability.metrics }) : undefined;
    if (nodeBackend) cleanups.push(() => nodeBackend.close());
    const ledger: Ledger | undefined = nodeBackend
      ? undefined
      : await openLedger({
          path: config.ledgerPath,
          onWriteHealth: (event) =>
            event.failing
              ? logger.error(
                  { ledgerPath: config.ledgerPath, reason: event.reason },
                  'ledger writes are failing: blocks are refused until the disk accepts writes again; reads continue',
                )
              : logger.info({ ledgerPath: config.ledgerPath }, 'ledger writes succeed again'),
        });
    if (ledger) cleanups.push(() => ledger.close());
    const work = createWorkPool();
    cleanups.push(() => work.close());
    // Wallets and the confirmation websocket live on the embedded ledger; a real node has its own.
    const wallets = ledger ? await Wallets.open({ path: join(config.ledgerPath, 'wallets'), ledger, work, logger }) : undefined;
    if (wallets) cleanups.push(() => wallets.close());
    let websocket: RunningWebsocket | undefined;
    if (config.websocket.enable && ledger && wallets) {
      websocket = await serveWebsocket({
        config,
        logger,
        ledger,
        material,
        trust,
        keepAliveTimeoutMs,
        expiryCheckMs,
        isLocalAccount: (key) => wallets.holders(key).length > 0,
      });
      cleanups.push(() => websocket?.close());
    } else if (config.websocket.enable) {
      logger.warn("[websocket] is served only with the embedded ledger; in node mode, use the node's own websocket");
    }

    const policy = await startPolicy(config, logger, observability.metrics, pollMs);
    cleanups.push(() => policy.close());
    const dispatch = createDispatcher({
      actions: ACTIONS,
      controlActions: NODE_CONTROL_ACTIONS,
      enableControl: config.enableControl,
      maxJsonDepth: config.maxJsonDepth,
      gate: policy.gate,
      context: {
        get ledger(): Ledger {
          if (ledger === undefined) throw new Error('node mode has no embedded ledger');
          return ledger;
        },
        get wallets(): Wallets {
          if (wallets === undefined) throw new Error('node mode has no embedded wallets');
          return wallets;
        },
        work,
        settings: config.node,
        node: { vendor: `${PRODUCT_NAME} ${PRODUCT_VERSION}`, startedAt: process.hrtime.bigint() },
        requestStop,
      },
      ...(nodeBackend ? { forward: nodeBackend.forward } : {}),
    });

    const app = buildHttpApp({
      dispatch,
      maxRequestSize: config.maxRequestSize,
      logger,
      logRpc: config.logRpc,
      serverFactory,
      identify: (socket) => secureServer?.identify(socket),
      certificate: (socket) => secureServer?.certificate(socket),
      metrics: observability.metrics,
      isStopRequested: () => stopRequested,
      isClosing: () => stopping !== undefined,
      onStopRequested: () => void stop(),
    });
    cleanups.push(() => closeWithin(app.close(), drainTimeoutMs, () => app.server.closeAllConnections()));
    await app.ready();

    if (secureServer && config.secure.serverCertPem === undefined && config.secure.serverKeyPem === undefined) {
      const watcher = await watchMaterial(config, logger, [secureServer, ...(websocket?.secureServer ? [websocket.secureServer] : [])], pollMs);
      cleanups.push(() => watcher.close());
    }

    const twin = await listen(app, config.address, config.port, loopbackTwinOf(config.address));
    if (twin) cleanups.push(() => twin.close());
    const metricsUrl = await observability.listen({
      server: app.server,
      secureServer: () => secureServer,
      tls: material ? { material, trust, verboseLogging: config.secure.verboseLogging } : undefined,
      ledger,
      ready: () => stopping === undefined,
      cleanups,
    });
    const ipc = config.ipcListener.enable
      ? await startIpcListener({
          host: config.ipcListener.address,
          port: config.ipcListener.port,
          dispatch,
          maxRequestSize: config.maxRequestSize,
          logger,
          logRpc: config.logRpc,
          isStopRequested: () => stopRequested,
          onStopRequested: () => void stop(),
        })
      : undefined;
    if (ipc) cleanups.push(() => ipc.close());
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `${config.secure.enable ? 'https' : 'http'}://${host}:${address.port}/`;
    logger.info(
      { url, tls: config.secure.enable, clientCertificates: Boolean(config.secure.clientCertsPath), ...(twin ? { alsoOn: twin.address } : {}) },
      `RPC listening address: ${url}`,
    );
    const summary = startupSummary({
      mode: ledger ? 'embedded ledger' : 'node mode',
      url,
      ...(twin ? { alsoOn: `${twin.address}:${twin.port}` } : {}),
      tls: config.secure.enable,
      ...(config.secure.enable && config.secure.clientCertsPath ? { trust: { dir: config.secure.clientCertsPath, clients: trustedClients() } } : {}),
      ...(ledger ? { ledger: { path: config.ledgerPath, blocks: ledger.counts().blocks } } : {}),
      ...(nodeBackend ? { upstreams: nodeBackend.upstreams } : {}),
    });
    logger.info(summary.fields, summary.msg);

    let markStopped!: () => void;
    const stopped = new Promise<void>((resolve) => {
      markStopped = resolve;
    });
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        logger.info('stopping: finishing in-flight requests');
        await cleanup();
        logger.info('stopped');
        markStopped();
      })();
      return stopping;
    };
    const reload = async (): Promise<void> => {
      await policy.reload();
      await trust?.rescan();
    };
    return {
      url,
      address,
      ...(websocket ? { websocketUrl: websocket.url } : {}),
      ...(ipc ? { ipcAddress: ipc.address } : {}),
      stop,
      stopped,
      reload,
      metricsUrl,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Binds the RPC on `host`:`port` and, for the loopback `::1`, the same port on 127.0.0.1 too (so
 * `localhost` works whichever family a client's resolver returns first). With port 0 the twin binds
 * first and picks the port; the rare port taken on the other family is retried with a new one.
 */
async function listen(
  app: { listen(options: { host: string; port: number }): Promise<unknown>; server: HttpServer },
  host: string,
  port: number,
  twinHost: string | undefined,
): Promise<LoopbackTwin | undefined> {
  const bindError = (at: string, atPort: number, error: unknown): Error => {
    const code = (error as { code?: string }).code;
    return new Error(`Error while binding for RPC on ${at} port ${atPort}: ${code === 'EADDRINUSE' ? 'the address is already in use' : String(error)}`, {
      cause: error,
    });
  };
  if (twinHost === undefined) {
    try {
      await app.listen({ host, port });
    } catch (error) {
      throw bindError(host, port, error);
    }
    return undefined;
  }
  for (let attempt = 1; ; attempt++) {
    let twin: LoopbackTwin;
    try {
      twin = await listenLoopbackTwin(app.server, twinHost, port);
    } catch (error) {
      throw bindError(twinHost, port, error);
    }
    try {
      await app.listen({ host, port: twin.port });
      return twin;
    } catch (error) {
      await twin.close();
      if (port === 0 && (error as { code?: string }).code === 'EADDRINUSE' && attempt < 5) continue;
      throw bindError(host, twin.port, error);
    }
  }
}

/** Puts a renewed certificate/key/DH file in service; a renewal that doesn't load leaves the old one. */
async function watchMaterial(config: RpcConfig, logger: Logger, servers: readonly SecureServer[], pollMs: number): Promise<ChangeWatcher> {
  const files = [config.secure.serverCertPath, config.secure.serverKeyPath, config.secure.serverDhPath].filter(Boolean);
  return watchForChanges({
    folders: [...new Set(files.map((file) => dirname(file)))],
    signature: () => filesSignature(files),
    pollMs,
    onChange: async () => {
      try {
        const material = await loadServerMaterial(config.secure, config.file);
        for (const server of servers) server.replaceMaterial(material);
        for (const warning of material.warnings) logger.warn(warning);
        logger.info(
          { subject: material.leaf.subject, validTo: material.leaf.validTo, fingerprint256: material.leaf.fingerprint256 },
          'server certificate reloaded',
        );
      } catch (error) {
        logger.error(
          { reason: error instanceof Error ? error.message : String(error) },
          'the renewed server certificate/key did not load; the previous one stays in service',
        );
      }
    },
    onError: (error) => logger.error({ err: error }, 'watching the server certificate files failed'),
  });
}

/** Waits for a graceful close, but not for ever: a client that never finishes its request can't hold the stop. */
async function closeWithin(closing: Promise<unknown>, timeoutMs: number, force: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      force();
      resolve();
    }, timeoutMs);
    timer.unref();
  });
  await Promise.race([closing, deadline]);
  clearTimeout(timer);
  await closing;
}
