import { readFile } from 'node:fs/promises';
import { Pool, errors as undiciErrors } from 'undici';
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
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED']);

const HEADERS = { 'content-type': 'application/json' };

/**
 * The node's HTTP RPC (`[rpc]` on loopback, or another nano-secure-rpc in embedded mode, or a
 * node behind TLS), through one undici Pool with keep-alive. The answer's bytes are collected
 * up to `maxAnswerSize` and passed through unparsed.
 */
export class HttpUpstream implements Upstream {
  readonly name: string;
  private readonly pool: Pool;
  private readonly path: string;

  private constructor(private readonly options: HttpUpstreamOptions) {
    this.name = options.name;
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
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
    return new HttpUpstream({ ...options, ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) });
  }

  async request(body: Buffer, timeoutMs: number): Promise<Buffer> {
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.pool.request({ path: this.path, method: 'POST', headers: HEADERS, body, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    } catch (error) {
      throw this.classify(error, signal, false);
    }
    if (response.statusCode !== 200) {
      response.body.destroy();
      throw new UpstreamError('node_connection_failed', true, `HTTP status ${response.statusCode}`);
    }
    const declared = Number(response.headers['content-length'] ?? -1);
    if (declared > this.options.maxAnswerSize) {
      response.body.destroy();
      throw new UpstreamError('node_failed_to_read_payload', true, `answer larger than backend.max_answer_size (${this.options.maxAnswerSize} bytes)`, { kind: 'too_large' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.options.maxAnswerSize) {
          response.body.destroy();
          throw new UpstreamError('node_failed_to_read_payload', true, `answer larger than backend.max_answer_size (${this.options.maxAnswerSize} bytes)`, { kind: 'too_large' });
        }
        chunks.push(chunk);
      }
    } catch (error) {
      throw this.classify(error, signal, true);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  }

  private classify(error: unknown, signal: AbortSignal, reading: boolean): UpstreamError {
    if (error instanceof UpstreamError) return error;
    const code = (error as { code?: string }).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (signal.aborted || error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
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
