import type { Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { RefusalLog } from './refusal-log.js';
import { takeConnectionListeners } from './node-internals.js';

export interface ConnectionLimits {
  /** From TCP accept to an admitted TLS connection (first byte, handshake, client check). */
  readonly handshakeTimeoutMs: number;
  /** Open connections in total (admitted or not); more are closed at accept. */
  readonly maxConnections: number;
  /** Open connections from one peer IP address. */
  readonly maxConnectionsPerAddress: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { handshakeTimeoutMs: 5000, maxConnections: 2048, maxConnectionsPerAddress: 128 };

const TLS_HANDSHAKE_RECORD = 0x16;
const HTTP_REQUEST_LINE = /^[A-Z]{3,10} \S{1,2048} HTTP\/\d/;
const HOST_HEADER = /\r?\nhost:[ \t]*([A-Za-z0-9.:[\]-]{1,255})[ \t]*\r?\n/i;

/**
 * What happens to a TCP connection before TLS: limits in total (net.Server#maxConnections) and
 * per peer address, a deadline for the whole handshake, and a look at the first byte: a TLS
 * handshake goes on to the TLS server, a plain HTTP request gets a plain HTTP answer saying to
 * use https://, anything else is closed. The TLS server's own 'connection' listener is taken over
 * and called for TLS only, with the first bytes put back for it to read.
 */
export class ConnectionGate {
  private readonly perAddress = new Map<string, number>();
  private readonly deadlines = new WeakMap<Socket, NodeJS.Timeout>();

  constructor(
    server: TlsServer,
    private readonly limits: ConnectionLimits,
    private readonly refusals: RefusalLog,
  ) {
    const startTls = takeConnectionListeners(server);
    server.maxConnections = limits.maxConnections;
    server.on('drop', (data?: { remoteAddress?: string; remotePort?: number }) => {
      const address = data?.remoteAddress ?? 'unknown';
      refusals.refuse(
        'warn',
        address,
        'too_many_connections',
        `connection refused: ${limits.maxConnections} connections are open (connections.max_connections)`,
        { peer: `${address}:${data?.remotePort}` },
      );
    });
    server.on('connection', (socket: Socket) => this.arrive(socket, startTls));
  }

  /** The connection was admitted (or refused by the client check): its deadline no longer applies. */
  settled(raw: Socket | undefined): void {
    if (!raw) return;
    clearTimeout(this.deadlines.get(raw));
    this.deadlines.delete(raw);
  }

  private arrive(socket: Socket, startTls: (socket: Socket) => void): void {
    const address = socket.remoteAddress ?? 'unknown';
    const peer = `${address}:${socket.remotePort}`;
    // A raw socket with no listener would throw its errors (a reset before the first byte).
    socket.on('error', () => socket.destroy());
    const open = this.perAddress.get(address) ?? 0;
    if (open >= this.limits.maxConnectionsPerAddress) {
      this.refusals.refuse(
        'warn',
        address,
        'too_many_connections',
        `connection refused: ${open} connections from ${address} are open (connections.max_connections_per_address)`,
        { peer },
      );
      socket.destroy();
      return;
    }
    this.perAddress.set(address, open + 1);
    const deadline = setTimeout(() => {
      this.refusals.refuse('info', address, 'handshake_timeout', `connection closed: no TLS handshake within ${this.limits.handshakeTimeoutMs} ms`, { peer });
      socket.destroy();
    }, this.limits.handshakeTimeoutMs);
    this.deadlines.set(socket, deadline);
    socket.once('close', () => {
      clearTimeout(deadline);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });

    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first[0] === TLS_HANDSHAKE_RECORD) {
        // Node's TLS socket reads what is already buffered on the TCP socket before anything else.
        socket.unshift(first);
        startTls(socket);
        return;
      }
      const head = first.toString('latin1', 0, Math.min(first.length, 8192));
      if (HTTP_REQUEST_LINE.test(head)) {
        this.answerPlainHttp(socket, address, peer, HOST_HEADER.exec(head)?.[1]);
        return;
      }
      this.refusals.refuse('info', address, 'not_tls', 'connection closed: it did not start with a TLS handshake', { peer });
      socket.destroy();
    });
  }

  private answerPlainHttp(socket: Socket, address: string, peer: string, host: string | undefined): void {
    const url = host ? `https://${host}/` : 'https://';
    this.refusals.refuse(
      'warn',
      address,
      'plain_http',
      `plain HTTP request on the TLS port: answered 400, the client must use ${host ? 'https://HOST/' : 'https://'}`,
      { peer },
    );
    const body = `400 Bad Request: the plain HTTP request was sent to an HTTPS port. Use ${url} instead.\n`;
    socket.end(
      'HTTP/1.1 400 Bad Request\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
    // Read and drop the rest of the request, so closing doesn't reset the answer away; the
    // handshake deadline still ends a client that never closes.
    socket.resume();
  }
}
