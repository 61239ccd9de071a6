import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { RpcConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { ClientTrust } from '../tls/client-trust.js';
import type { ServerMaterial } from '../tls/material.js';
import { SecureServer } from '../tls/secure-server.js';
import { ConfirmationWebsocket } from './confirmation-websocket.js';

export interface RunningWebsocket {
  /** e.g. wss://[::1]:7078/ */
  readonly url: string;
  readonly address: AddressInfo;
  /** For certificate renewals (undefined without TLS). */
  readonly secureServer: SecureServer | undefined;
  close(): Promise<void>;
}

export interface WebsocketServeOptions {
  readonly config: RpcConfig;
  readonly logger: Logger;
  readonly ledger: Ledger;
  readonly isLocalAccount: (publicKey: Buffer) => boolean;
  /** The RPC's own material and trust: the websocket admits exactly the clients the RPC admits. */
  readonly material: ServerMaterial | undefined;
  readonly trust: ClientTrust | undefined;
  readonly keepAliveTimeoutMs: number;
  readonly expiryCheckMs: number;
}

/** Plain requests on the websocket port get 426: only upgrades are served here. */
function upgradeRequired(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' }).end('websocket only\n');
}

/** Listens on `[websocket] address/port`, over TLS (and mutual TLS) when the RPC uses it. */
export async function serveWebsocket(options: WebsocketServeOptions): Promise<RunningWebsocket> {
  const { config, logger } = options;
  const secureServer =
    config.secure.enable && options.material !== undefined
      ? new SecureServer(
          {
            material: options.material,
            trust: options.trust,
            verboseLogging: config.secure.verboseLogging,
            logger,
            keepAliveTimeoutMs: options.keepAliveTimeoutMs,
            expiryCheckMs: options.expiryCheckMs,
          },
          upgradeRequired,
        )
      : undefined;
  const server = (secureServer?.server ?? createHttpServer(upgradeRequired)) as HttpServer;
  const websocket = new ConfirmationWebsocket({ server, ledger: options.ledger, logger, isLocalAccount: options.isLocalAccount });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `Error while binding for the websocket on ${config.websocket.address} port ${config.websocket.port}: ${error.code === 'EADDRINUSE' ? 'the address is already in use' : String(error)}`,
          { cause: error },
        ),
      ),
    );
    server.listen(config.websocket.port, config.websocket.address, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${secureServer ? 'wss' : 'ws'}://${host}:${address.port}/`;
  logger.info({ url }, `Websocket listening address: ${url}`);
  return {
    url,
    address,
    secureServer,
    close: async () => {
      await websocket.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
