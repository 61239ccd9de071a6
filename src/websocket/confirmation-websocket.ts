import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeAccount } from '../ledger/crypto/account.js';
import { GENESIS_AMOUNT } from '../ledger/genesis.js';
import type { AppliedBlock, Ledger } from '../ledger/ledger.js';
import { confirmationText, confirmedBlock, type ConfirmedBlock } from './confirmation-message.js';
import { passes, Session } from './session.js';

/** A client that falls this far behind misses messages (the node guarantees no delivery either). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const MAX_MESSAGE_BYTES = 64 * 1024;

export interface ConfirmationWebsocketOptions {
  /** An http or https server (for TLS: SecureServer's `.server`, so the trust directory applies). */
  readonly server: HttpServer | HttpsServer;
  readonly ledger: Ledger;
  readonly logger: Logger;
  /** Is this account in a node wallet? For the `all_local_accounts` option. */
  readonly isLocalAccount: (publicKey: Buffer) => boolean;
}

/**
 * The node's websocket (`nano/node/websocket.cpp`) for the `confirmation` topic: every block the
 * ledger applies becomes one message, in apply order, to each subscriber whose options let it
 * through. The text of each message variant is built once per block, not per subscriber.
 */
export class ConfirmationWebsocket {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: ConfirmationWebsocketOptions) {
    this.wss = new WebSocketServer({ server: options.server, maxPayload: MAX_MESSAGE_BYTES });
    this.wss.on('connection', (socket) => this.accept(socket));
    this.wss.on('error', (error) => options.logger.error({ err: error }, 'websocket server error'));
    this.unsubscribe = options.ledger.onApplied((applied) => this.broadcast(applied));
  }

  get clientCount(): number {
    return this.sessions.size;
  }

  private accept(socket: WebSocket): void {
    const session = new Session();
    this.sessions.set(socket, session);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      let message: unknown;
      try {
        message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
      } catch {
        message = undefined;
      }
      if (isBinary || typeof message !== 'object' || message === null || Array.isArray(message)) {
        // The node logs "JSON parsing failed" and stops reading from the session.
        this.options.logger.info('websocket: JSON parsing failed; closing the session');
        socket.terminate();
        return;
      }
      const reply = session.handle(message as Record<string, unknown>, Date.now());
      if (reply !== undefined) socket.send(reply);
    });
    socket.on('close', () => this.sessions.delete(socket));
    socket.on('error', () => this.sessions.delete(socket));
  }

  private broadcast(applied: AppliedBlock): void {
    if (this.sessions.size === 0) return;
    let confirmed: ConfirmedBlock | undefined;
    const texts = new Map<number, string>();
    const isLocal = (account: string): boolean => {
      const decoded = decodeAccount(account);
      return decoded !== undefined && this.options.isLocalAccount(Buffer.from(decoded.publicKey));
    };
    for (const [socket, session] of this.sessions) {
      const filter = session.subscriptions.get('confirmation');
      if (filter === undefined || socket.readyState !== socket.OPEN) continue;
      confirmed ??= confirmedBlock(applied, this.options.ledger.blockInfo(Buffer.from(applied.hash, 'hex')), GENESIS_AMOUNT, Date.now());
      if (!passes(filter, confirmed, isLocal)) continue;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) continue;
      const variant = (filter.includeBlock ? 1 : 0) | (filter.includeElectionInfo ? 2 : 0);
      let text = texts.get(variant);
      if (text === undefined) {
        text = confirmationText(confirmed, filter.includeBlock, filter.includeElectionInfo);
        texts.set(variant, text);
      }
      socket.send(text);
    }
  }

  /** Closes every client (close frame 1001) and stops; the caller closes the underlying server. */
  async close(): Promise<void> {
    this.unsubscribe();
    for (const socket of this.sessions.keys()) socket.close(1001, 'server stopping');
    for (const socket of this.sessions.keys()) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
