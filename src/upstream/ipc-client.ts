import { connect, type Socket } from 'node:net';
import { FrameReader, IPC_ANSWER_HEADER, IPC_REQUEST_HEADER, requestHeader } from '../ipc/frame.js';
import { atTurnEnd } from '../ipc/turn-end.js';
import { UpstreamError, type Upstream } from './upstream.js';

export interface IpcUpstreamOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Pool size: `num_ipc_connections`. */
  readonly connections: number;
  readonly maxAnswerSize: number;
}

interface Waiter {
  readonly queuedAt: number;
  readonly body: Buffer;
  readonly timeoutMs: number;
  readonly resolve: (answer: Buffer) => void;
  readonly reject: (error: UpstreamError) => void;
}

/**
 * The node's IPC over TCP, as `nano_rpc` used it: a pool of persistent connections, one request
 * in flight on each, requests waiting in order for a free one. A connection that fails is
 * dropped and replaced on next use; a connection the node closed while idle is noticed at once
 * (its 'close' event) so a request is never written into a dead socket.
 */
export class IpcUpstream implements Upstream {
  readonly name: string;
  private readonly idle: IpcConnection[] = [];
  private readonly queue: Waiter[] = [];
  private open = 0;
  private closed = false;

  constructor(private readonly options: IpcUpstreamOptions) {
    this.name = options.name;
  }

  request(body: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.closed) return Promise.reject(new UpstreamError('node_connect_problem', false, 'upstream closed'));
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ queuedAt: performance.now(), body, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.queue.splice(0)) waiter.reject(new UpstreamError('node_connect_problem', false, 'upstream closed'));
    for (const connection of this.idle.splice(0)) connection.destroy();
  }

  /** Hands waiting requests to idle connections, opening new ones up to the pool size. */
  private pump(): void {
    while (this.queue.length > 0) {
      let connection = this.idle.pop();
      while (connection !== undefined && connection.dead) connection = this.idle.pop();
      if (connection === undefined) {
        if (this.open >= this.options.connections) return;
        this.open++;
        connection = new IpcConnection(this.options, () => {
          this.open--;
          const at = this.idle.indexOf(connection!);
          if (at >= 0) this.idle.splice(at, 1);
          this.pump();
        });
      }
      const waiter = this.queue.shift()!;
      // Waited a whole timeout for a free connection: it never left, so it may go elsewhere.
      if (performance.now() - waiter.queuedAt >= waiter.timeoutMs) {
        this.idle.push(connection);
        waiter.reject(new UpstreamError('node_connection_failed', false, `no free connection within ${waiter.timeoutMs} ms`, { kind: 'timeout' }));
        continue;
      }
      const used = connection;
      used.execute(waiter.body, waiter.timeoutMs).then(
        (answer) => {
          this.release(used);
          waiter.resolve(answer);
        },
        (error: UpstreamError) => {
          // The node dropped this connection: its idle siblings were to the same node and are
          // most likely gone too (a restart), so a retry should reconnect rather than reuse them.
          if (error.kind === 'transport') for (const sibling of this.idle.splice(0)) sibling.destroy();
          this.release(used);
          waiter.reject(error);
        },
      );
    }
  }

  private release(connection: IpcConnection): void {
    if (!connection.dead && !this.closed) this.idle.push(connection);
    else if (this.closed) connection.destroy();
    this.pump();
  }
}

/** One TCP connection to the node's IPC port; `execute` is never called while one is running. */
class IpcConnection {
  dead = false;
  private socket: Socket | undefined;
  private connected: Promise<void> | undefined;
  private isConnected = false;
  private timer: NodeJS.Timeout | undefined;
  private timeoutMs = 0;
  /** Answers are read one at a time; after a failure the connection is dropped, so one reader serves them all. */
  private readonly reader: FrameReader;
  private current: { reader: FrameReader; resolve: (answer: Buffer) => void; reject: (error: UpstreamError) => void } | undefined;

  constructor(
    private readonly options: IpcUpstreamOptions,
    private readonly onDead: () => void,
  ) {
    this.reader = new FrameReader(IPC_ANSWER_HEADER, options.maxAnswerSize);
  }

  destroy(): void {
    this.socket?.destroy();
    this.markDead();
  }

  execute(body: Buffer, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      // One timer per connection, re-armed per request (cheaper than a new one each time).
      if (this.timer === undefined || this.timeoutMs !== timeoutMs) {
        clearTimeout(this.timer);
        this.timeoutMs = timeoutMs;
        this.timer = setTimeout(() => {
          if (this.current !== undefined) this.fail(new UpstreamError('node_connection_failed', true, `no answer within ${timeoutMs} ms`, { kind: 'timeout' }));
        }, timeoutMs);
        this.timer.unref();
      } else this.timer.refresh();
      this.current = { reader: this.reader, resolve, reject };
      const socket = this.socket;
      if (socket !== undefined && this.isConnected) {
        this.send(socket, body);
        return;
      }
      this.ensureConnected().then(
        () => {
          if (this.current !== undefined) this.send(this.socket!, body);
        },
        (error: UpstreamError) => this.fail(error),
      );
    });
  }

  /** Header and payload in one write (one syscall, one segment for the node to read), at the end of the turn. */
  private send(socket: Socket, body: Buffer): void {
    const frame = Buffer.allocUnsafe(IPC_REQUEST_HEADER + body.length);
    requestHeader(body.length).copy(frame, 0);
    body.copy(frame, IPC_REQUEST_HEADER);
    const cannotWrite = (error: unknown): void =>
      this.fail(new UpstreamError('node_cannot_write', true, error instanceof Error ? error.message : String(error), { cause: error }));
    atTurnEnd(
      () =>
        socket.write(frame, (error) => {
          if (error) cannotWrite(error);
        }),
      cannotWrite,
    );
  }

  private ensureConnected(): Promise<void> {
    this.connected ??= new Promise<void>((resolve, reject) => {
      const socket = connect({ host: this.options.host, port: this.options.port, noDelay: true });
      this.socket = socket;
      const refused = (error: Error): void => {
        reject(new UpstreamError('node_connect_problem', false, error.message, { cause: error }));
        this.markDead();
      };
      socket.once('error', refused);
      socket.once('connect', () => {
        socket.off('error', refused);
        this.isConnected = true;
        socket.on('error', (error) => this.fail(new UpstreamError(this.lostCode(), true, error.message, { cause: error })));
        resolve();
      });
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('close', () => {
        this.fail(new UpstreamError(this.lostCode(), true, 'the node closed the connection'));
        this.markDead();
      });
    });
    return this.connected;
  }

  /** nano_rpc's words: nothing of the answer yet → "Connection to node has failed"; part of it → "Failed to read payload". */
  private lostCode(): 'node_connection_failed' | 'node_failed_to_read_payload' {
    return this.current !== undefined && this.current.reader.pending >= IPC_ANSWER_HEADER ? 'node_failed_to_read_payload' : 'node_connection_failed';
  }

  private onData(chunk: Buffer): void {
    const current = this.current;
    if (current === undefined) {
      // The node never speaks unasked: the stream is out of step, so it can't be trusted.
      this.destroy();
      return;
    }
    const frames = current.reader.push(chunk);
    if (frames === 'too_large') {
      this.fail(
        new UpstreamError('node_failed_to_read_payload', true, `answer larger than backend.max_answer_size (${this.options.maxAnswerSize} bytes)`, {
          kind: 'too_large',
        }),
      );
      this.destroy();
      return;
    }
    const frame = frames[0];
    if (frame === undefined) return;
    if (frames.length > 1 || current.reader.pending > 0) {
      this.fail(new UpstreamError('node_failed_to_read_payload', true, 'the node sent more than one answer'));
      this.destroy();
      return;
    }
    this.current = undefined;
    current.resolve(frame.payload);
  }

  private fail(error: UpstreamError): void {
    const current = this.current;
    if (current === undefined) return;
    this.current = undefined;
    // After a failure the stream position is unknown: this connection is not used again.
    this.socket?.destroy();
    this.markDead();
    current.reject(error);
  }

  private markDead(): void {
    clearTimeout(this.timer);
    if (this.dead) return;
    this.dead = true;
    this.onDead();
  }
}
