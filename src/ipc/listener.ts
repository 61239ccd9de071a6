import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Dispatch, Dispatched } from '../rpc/dispatch.js';
import { encodeRpcResult } from '../rpc/encode.js';
import { RpcError, RPC_ERRORS, type RpcErrorCode } from '../rpc/errors.js';
import { NO_CLIENT } from '../rpc/request-context.js';
import { atTurnEnd } from './turn-end.js';
import { answerHeader, FrameReader, IPC_ANSWER_HEADER, IPC_ENCODING_JSON_V1, IPC_PREAMBLE_LEAD, IPC_REQUEST_HEADER } from './frame.js';

export interface IpcListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly dispatch: Dispatch;
  readonly maxRequestSize: number;
  readonly logger: Logger;
  readonly logRpc: boolean;
  readonly isStopRequested: () => boolean;
  readonly onStopRequested: () => void;
}

export interface IpcListener {
  readonly address: AddressInfo;
  /** Stops accepting, lets requests being answered finish, then closes every connection. */
  close(): Promise<void>;
}

/**
 * The embedded ledger answering the node's IPC protocol (json_v1 over TCP), so that other
 * fronts (ours in node mode, or `nano_rpc` itself) can use it as a node. Like the node, one
 * request is answered at a time per connection, in order; unlike the node, requests go through
 * the same dispatcher as HTTP ones (size, depth, `enable_control`), because this port has no
 * authentication of its own: keep it on loopback.
 */
export async function startIpcListener(options: IpcListenerOptions): Promise<IpcListener> {
  const { logger } = options;
  /** Open connections and how many of their requests are not answered yet. */
  const sockets = new Map<Socket, number>();
  const server: Server = createServer({ noDelay: true }, (socket) => serve(socket));
  let closing = false;

  function serve(socket: Socket): void {
    sockets.set(socket, 0);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', (error) => logger.debug({ err: error }, 'IPC connection error'));
    const reader = new FrameReader(IPC_REQUEST_HEADER, options.maxRequestSize);
    let chain: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      const frames = reader.push(chunk);
      if (frames === 'too_large') {
        logger.warn({ peer: socket.remoteAddress }, 'IPC request larger than max_request_size; connection closed');
        socket.destroy();
        return;
      }
      for (const { header, payload } of frames) {
        if (header[0] !== IPC_PREAMBLE_LEAD) {
          logger.warn({ peer: socket.remoteAddress }, 'Invalid preamble');
          socket.destroy();
          return;
        }
        if (header[1] !== IPC_ENCODING_JSON_V1) {
          logger.warn({ peer: socket.remoteAddress, encoding: header[1] }, 'Unsupported payload encoding');
          socket.destroy();
          return;
        }
        sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
        chain = chain.then(() => answer(socket, payload));
      }
    });
  }

  async function answer(socket: Socket, payload: Buffer): Promise<void> {
    if (socket.destroyed) return;
    const started = options.logRpc ? process.hrtime.bigint() : 0n;
    let action: string | undefined;
    let body: string;
    try {
      const dispatched: Dispatched = await options.dispatch(payload, NO_CLIENT);
      action = dispatched.action;
      body = bodyOf(dispatched);
    } catch (error) {
      body = errorBody(codeOf(error, action));
    }
    if (options.logRpc) {
      logger.info({ action, via: 'ipc', us: Number((process.hrtime.bigint() - started) / 1000n) }, 'rpc');
    }
    // Header and answer in one write: one syscall, one segment.
    const length = Buffer.byteLength(body);
    const frame = Buffer.allocUnsafe(IPC_ANSWER_HEADER + length);
    answerHeader(length).copy(frame, 0);
    frame.write(body, IPC_ANSWER_HEADER);
    // With the other answers of this turn. Until it is written the connection counts as being
    // answered, so a shutdown in between (`stop`, closing) lets it go out first.
    const answered = (): void => {
      const left = (sockets.get(socket) ?? 1) - 1;
      if (sockets.has(socket)) sockets.set(socket, left);
      if (options.isStopRequested()) options.onStopRequested();
      if (closing && left === 0) socket.destroySoon();
    };
    atTurnEnd(
      () => {
        socket.write(frame);
        answered();
      },
      (error) => {
        logger.error({ err: error, action, via: 'ipc' }, 'could not send an IPC answer; connection closed');
        socket.destroy();
        answered();
      },
    );
  }

  function bodyOf(dispatched: Dispatched): string {
    if ('failure' in dispatched) return errorBody(codeOf(dispatched.failure, dispatched.action));
    if ('raw' in dispatched) return dispatched.raw.toString('utf8');
    try {
      return encodeRpcResult(dispatched.result);
    } catch (error) {
      return errorBody(codeOf(error, dispatched.action));
    }
  }

  function codeOf(error: unknown, action: string | undefined): RpcErrorCode {
    if (error instanceof RpcError) return error.code;
    logger.error({ err: error, action, via: 'ipc' }, 'unexpected error while answering an RPC request');
    return 'internal_error';
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info(
    { host: address.address, port: address.port },
    `IPC listening address: tcp://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
  );

  return {
    address,
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle connections end now; one being answered ends after its answer (see `answer`).
      for (const [socket, unanswered] of sockets) if (unanswered === 0) socket.destroy();
      await closed;
    },
  };
}

function errorBody(code: RpcErrorCode): string {
  return encodeRpcResult({ error: RPC_ERRORS[code] });
}
