import { readFile } from 'node:fs/promises';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { UpstreamError, type Upstream } from './upstream.js';

export interface HttpUpstreamOptions {
  readonly name: string;
  readonly url: string;
  readonly connections: number;
  readonly maxAnswerSize: number;
  /** PEM contents for https upstreams. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** Errors that prove the request never left: nothing reached the node. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
]);

const HEADERS = { 'content-type': 'application/json' };

function tooLarge(max: number): UpstreamError {
  return new UpstreamError('node_failed_to_read_payload', true, `answer larger than backend.max_answer_size (${max} bytes)`, { kind: 'too_large' });
}

/**
 * The node's HTTP RPC (`[rpc]` on loopback, or another nano-secure-rpc in embedded mode, or a
 * node behind TLS), through one undici Pool with keep-alive. The answer's bytes are collected
 * up to `maxAnswerSize` and passed through unparsed.
 */
export class HttpUpstream implements Upstream {
  readonly name: string;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly origin: string;

  private constructor(private readonly options: HttpUpstreamOptions) {
    this.name = options.name;
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
    this.origin = url.origin;
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      ...(url.protocol === 'https:' ? { connect: { ca: options.ca, cert: options.cert, key: options.key } } : {}),
    });
  }

  /** Reads the TLS files (absolute paths) once, at start. */
  static async open(options: Omit<HttpUpstreamOptions, 'ca' | 'cert' | 'key'> & { caPath: string; certPath: string; keyPath: string }): Promise<HttpUpstream> {
    const read = (file: string): Promise<string | undefined> => (file === '' ? Promise.resolve(undefined) : readFile(file, 'utf8'));
    const [ca, cert, key] = await Promise.all([read(options.caPath), read(options.certPath), read(options.keyPath)]);
    return new HttpUpstream({
      ...options,
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
    });
  }

  /**
   * Through undici's dispatch API with our own handler: no response stream, no async iterator,
   * just the chunks, which cost noticeably less per request than `request()` and its body stream.
   */
  request(body: Buffer, timeoutMs: number): Promise<Buffer> {
    const max = this.options.maxAnswerSize;
    return new Promise<Buffer>((resolve, reject) => {
      let status = 0;
      let answered = false;
      const chunks: Buffer[] = [];
      let size = 0;
      let failed: UpstreamError | undefined;
      let abort: (reason: Error) => void = () => undefined;
      // undici's handler interface as Pool.dispatch takes it (onConnect … onComplete/onError).
      const handler = {
        onConnect: (abortRequest: (reason: Error) => void) => {
          abort = abortRequest;
        },
        onHeaders: (statusCode: number, rawHeaders: Buffer[]) => {
          status = statusCode;
          answered = true;
          if (statusCode !== 200) {
            failed = new UpstreamError('node_connection_failed', true, `HTTP status ${statusCode}`);
            abort(failed);
            return false;
          }
          for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
            if (
              rawHeaders[i]!.length === 14 &&
              rawHeaders[i]!.toString('latin1').toLowerCase() === 'content-length' &&
              Number(rawHeaders[i + 1]!.toString('latin1')) > max
            ) {
              failed = tooLarge(max);
              abort(failed);
              return false;
            }
          }
          return true;
        },
        onData: (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) {
            failed = tooLarge(max);
            abort(failed);
            return false;
          }
          chunks.push(chunk);
          return true;
        },
        onComplete: () => {
          if (failed !== undefined) return reject(failed);
          if (status !== 200) return reject(new UpstreamError('node_connection_failed', true, `HTTP status ${status}`));
          resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
        },
        onError: (error: Error) => {
          reject(failed ?? this.classify(error, answered));
        },
      } as unknown as Dispatcher.DispatchHandler;
      this.pool.dispatch(
        { origin: this.origin, path: this.path, method: 'POST', headers: HEADERS, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
        handler,
      );
    });
  }

  private classify(error: unknown, reading: boolean): UpstreamError {
    if (error instanceof UpstreamError) return error;
    const code = (error as { code?: string }).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
      return new UpstreamError('node_connection_failed', true, 'no answer in time', { cause: error, kind: 'timeout' });
    }
    if (reading) return new UpstreamError('node_failed_to_read_payload', true, message, { cause: error });
    if (NOT_SENT.has(code)) return new UpstreamError('node_connect_problem', false, `${code} ${message}`, { cause: error });
    return new UpstreamError('node_connection_failed', true, `${code} ${message}`, { cause: error });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
