import { createServer as createHttpServer, type IncomingMessage, type ServerResponse, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { RpcConfig } from './config/load.js';
import { openLedger, type Ledger } from './ledger/ledger.js';
import { ACTIONS, NODE_CONTROL_ACTIONS } from './rpc/action-table.js';
import { createDispatcher } from './rpc/dispatch.js';
import { buildHttpApp } from './rpc/http-app.js';
import { listenLoopbackTwin, loopbackTwinOf, type LoopbackTwin } from './listen/loopback-twin.js';
import { ClientTrust } from './tls/client-trust.js';
import { filesSignature } from './tls/file-signature.js';
import { loadServerMaterial } from './tls/material.js';
import { SecureServer } from './tls/secure-server.js';
import { watchForChanges, type ChangeWatcher } from './tls/watch.js';
import { startupSummary } from './log/startup-summary.js';
import { PRODUCT_NAME, PRODUCT_VERSION } from './version.js';

export interface RunningService {
  /** e.g. https://[::1]:7076/ */
  readonly url: string;
  readonly address: AddressInfo;
  /** Graceful: stops accepting, lets in-flight requests finish, closes the ledger. */
  stop(): Promise<void>;
  /** Settles once the service has stopped, whoever asked (`stop` action, signal, caller). */
  readonly stopped: Promise<void>;
}

export interface ServiceOptions {
  /** How often the trust directory and certificate files are re-checked when no fs event comes. */
  readonly pollMs?: number;
  readonly keepAliveTimeoutMs?: number;
  /** How often open mutual-TLS connections are checked for a client certificate that has expired since. */
  readonly expiryCheckMs?: number;
  /** How long `stop` waits for in-flight requests before closing their connections. */
  readonly drainTimeoutMs?: number;
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
    let trustedClients = (): number => 0;
    let serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => HttpServer;

    if (config.secure.enable) {
      const material = await loadServerMaterial(config.secure, config.file);
      for (const warning of material.warnings) logger.warn(warning);
      const trust = config.secure.clientCertsPath ? await ClientTrust.open(config.secure.clientCertsPath, logger, pollMs) : undefined;
      if (trust) {
        cleanups.push(() => trust.close());
        trustedClients = () => trust.current().certificates.length;
      }
      serverFactory = (handler) => {
        secureServer = new SecureServer({ material, trust, verboseLogging: config.secure.verboseLogging, logger, keepAliveTimeoutMs, expiryCheckMs }, handler);
        return secureServer.server as unknown as HttpServer;
      };
    } else {
      serverFactory = (handler) => createHttpServer({ keepAliveTimeout: keepAliveTimeoutMs }, handler);
    }

    const ledger: Ledger = await openLedger({
      path: config.ledgerPath,
      onWriteHealth: (event) =>
        event.failing
          ? logger.error({ ledgerPath: config.ledgerPath, reason: event.reason }, 'ledger writes are failing: blocks are refused until the disk accepts writes again; reads continue')
          : logger.info({ ledgerPath: config.ledgerPath }, 'ledger writes succeed again'),
    });
    cleanups.push(() => ledger.close());

    let stopRequested = false;
    let stopping: Promise<void> | undefined;
    const dispatch = createDispatcher({
      actions: ACTIONS,
      controlActions: NODE_CONTROL_ACTIONS,
      enableControl: config.enableControl,
      maxJsonDepth: config.maxJsonDepth,
      context: {
        ledger,
        node: { vendor: `${PRODUCT_NAME} ${PRODUCT_VERSION}`, startedAt: process.hrtime.bigint() },
        requestStop: () => {
          stopRequested = true;
        },
      },
    });

    const app = buildHttpApp({
      dispatch,
      maxRequestSize: config.maxRequestSize,
      logger,
      logRpc: config.logRpc,
      serverFactory,
      identify: (socket) => secureServer?.identify(socket),
      isStopRequested: () => stopRequested,
      isClosing: () => stopping !== undefined,
      onStopRequested: () => void stop(),
    });
    cleanups.push(() => closeWithin(app.close(), drainTimeoutMs, () => app.server.closeAllConnections()));
    await app.ready();

    if (secureServer && config.secure.serverCertPem === undefined && config.secure.serverKeyPem === undefined) {
      const watcher = await watchMaterial(config, logger, secureServer, pollMs);
      cleanups.push(() => watcher.close());
    }

    const twin = await listen(app, config.address, config.port, loopbackTwinOf(config.address));
    if (twin) cleanups.push(() => twin.close());
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `${config.secure.enable ? 'https' : 'http'}://${host}:${address.port}/`;
    logger.info({ url, tls: config.secure.enable, clientCertificates: Boolean(config.secure.clientCertsPath), ...(twin ? { alsoOn: twin.address } : {}) }, `RPC listening address: ${url}`);
    const summary = startupSummary({
      mode: 'embedded ledger',
      url,
      ...(twin ? { alsoOn: `${twin.address}:${twin.port}` } : {}),
      tls: config.secure.enable,
      ...(config.secure.enable && config.secure.clientCertsPath ? { trust: { dir: config.secure.clientCertsPath, clients: trustedClients() } } : {}),
      ledger: { path: config.ledgerPath, blocks: ledger.counts().blocks },
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
    return { url, address, stop, stopped };
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
async function listen(app: { listen(options: { host: string; port: number }): Promise<unknown>; server: HttpServer }, host: string, port: number, twinHost: string | undefined): Promise<LoopbackTwin | undefined> {
  const bindError = (at: string, atPort: number, error: unknown): Error => {
    const code = (error as { code?: string }).code;
    return new Error(`Error while binding for RPC on ${at} port ${atPort}: ${code === 'EADDRINUSE' ? 'the address is already in use' : String(error)}`, { cause: error });
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
async function watchMaterial(config: RpcConfig, logger: Logger, server: SecureServer, pollMs: number): Promise<ChangeWatcher> {
  const files = [config.secure.serverCertPath, config.secure.serverKeyPath, config.secure.serverDhPath].filter(Boolean);
  return watchForChanges({
    folders: [...new Set(files.map((file) => dirname(file)))],
    signature: () => filesSignature(files),
    pollMs,
    onChange: async () => {
      try {
        const material = await loadServerMaterial(config.secure, config.file);
        server.replaceMaterial(material);
        for (const warning of material.warnings) logger.warn(warning);
        logger.info({ subject: material.leaf.subject, validTo: material.leaf.validTo, fingerprint256: material.leaf.fingerprint256 }, 'server certificate reloaded');
      } catch (error) {
        logger.error({ reason: error instanceof Error ? error.message : String(error) }, 'the renewed server certificate/key did not load; the previous one stays in service');
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
