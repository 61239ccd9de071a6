import type { RpcErrorCode } from '../rpc/errors.js';

/** One node we forward to (IPC or HTTP RPC). */
export interface Upstream {
  /** For logs: tcp://[::1]:7077 or the URL. */
  readonly name: string;
  /** Sends one request body; resolves with the node's answer bytes, unparsed. */
  request(body: Buffer, timeoutMs: number): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * Why a forward failed, as `nano_rpc` words it to the client (`code`), plus what the failover
 * needs: whether the request may have reached the node (`sent`: false only when it certainly
 * did not, e.g. the connection was refused) and the detail for the log line.
 */
export class UpstreamError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    readonly sent: boolean,
    readonly detail: string,
    options?: { cause?: unknown; kind?: 'timeout' | 'too_large' },
  ) {
    super(detail, options);
    this.name = 'UpstreamError';
    this.kind = options?.kind ?? 'transport';
  }

  /** A timeout or an oversized answer says nothing about the node's health; a transport failure does. */
  readonly kind: 'transport' | 'timeout' | 'too_large';
}
