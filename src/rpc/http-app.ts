import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { encodeRpcResult } from './encode.js';
import { RpcError, RPC_ERRORS, type HttpRefusal, type RpcErrorCode } from './errors.js';
import type { Dispatched } from './dispatch.js';
import type { ClientIdentity } from '../identity/client-identity.js';
import type { RequestContext } from './request-context.js';
import type { X509Certificate } from 'node:crypto';
import { NO_METRICS, type Metrics, type RequestOutcome } from '../metrics/metrics.js';

export interface HttpAppOptions {
  /** Answers synchronously when it can; throws (or rejects with) RpcError for client-visible refusals. */
  readonly dispatch: (body: Buffer | undefined, context: RequestContext) => Dispatched | Promise<Dispatched>;
  readonly maxRequestSize: number;
  readonly logger: Logger;
  readonly logRpc: boolean;
  /** Creates the Node server (https for TLS, http otherwise) around Fastify's handler. */
  readonly serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => HttpServer;
  readonly identify: (socket: Socket) => ClientIdentity | undefined;
  /** The admitted client's leaf certificate, for policy rules that match the issuing CA. */
  readonly certificate?: (socket: Socket) => X509Certificate | undefined;
  readonly metrics?: Metrics;
  /** Called after an answer that asked for shutdown (`stop`) has been sent. */
  readonly onStopRequested: () => void;
  readonly isStopRequested: () => boolean;
  /** True once the server is shutting down: answers then close their connection. */
  readonly isClosing: () => boolean;
}

/** The node's response headers (nano/rpc/rpc_connection.cpp), minus `Connection: close`: we keep connections alive. */
const RESPONSE_HEADERS = {
  allow: 'POST, OPTIONS',
  'content-type': 'application/json',
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'Accept, Accept-Language, Content-Language, Content-Type',
} as const;

/** Answers up to this size are sent with their headers in one write (see `writeAnswer`). */
const ONE_WRITE_ANSWER_BYTES = 64 * 1024;

/** The same headers as a flat [name, value, ...] list: `writeHead` stores it without building a header map. */
const RESPONSE_HEADER_LIST: readonly string[] = Object.entries(RESPONSE_HEADERS).flat();
const OPTIONS_HEADER_LIST: readonly string[] = [...RESPONSE_HEADER_LIST, 'content-length', '0'];

/** What answering needs of a request: Fastify's request has it, and so does the fast path's. */
interface Incoming {
  readonly raw: IncomingMessage;
  readonly id: string;
  readonly method: string;
  readonly body: unknown;
}

const FASTIFY_BODY_TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';

/**
 * Node keeps the first 1,000 header fields of a request in `headers` and silently drops the rest,
 * Content-Length included (the body then looked empty: "Unable to parse JSON"). `rawHeaders` keeps
 * more, so a longer list there means fields were dropped; such a request is refused instead.
 */
const MAX_RAW_HEADER_ENTRIES = 2 * 1000;

/** Content types Nano clients send, registered by name so Fastify finds the parser in its cache. */
const COMMON_CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-www-form-urlencoded'];

const FAST_CONTENT_TYPES: ReadonlySet<string> = new Set([...COMMON_CONTENT_TYPES, 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

const ERROR_BODIES = new Map<RpcErrorCode, string>();
function errorBody(code: RpcErrorCode): string {
  let body = ERROR_BODIES.get(code);
  if (body === undefined) {
    body = encodeRpcResult({ error: RPC_ERRORS[code] });
    ERROR_BODIES.set(code, body);
  }
  return body;
}

/**
 * Writes a complete answer on the raw response: HTTP 200, the node's headers, a JSON body. The
 * body goes out as a string so Node sends head and body in one write; the Content-Type stays
 * exactly application/json because nothing appends a charset here.
 */
function writeAnswer(res: ServerResponse, body: string | Buffer, closing: boolean, http?: HttpRefusal): void {
  const headers = RESPONSE_HEADER_LIST.slice();
  headers.push('content-length', String(Buffer.byteLength(body)));
  // During shutdown a kept-alive connection would sit idle until the drain deadline.
  if (closing) headers.push('connection', 'close');
  if (http) headers.push(...http.headers);
  res.writeHead(http?.status ?? 200, headers);
  // Node joins head and body into one write (one TLS record, one syscall) only for a string body:
  // a small node answer goes out as its bytes' latin1 text, byte for byte the same.
  if (typeof body !== 'string' && body.length <= ONE_WRITE_ANSWER_BYTES) res.end(body.toString('latin1'), 'latin1');
  else res.end(body);
}

/**
 * The HTTP face of the RPC: every path, any content type; POST is a request, OPTIONS a CORS
 * preflight, anything else the node's "Can only POST requests". Every answer is HTTP 200 with
 * a JSON body, errors included, because that is what Nano clients parse.
 *
 * Fastify routes the request and reads the body (with its limit); the answer itself is written
 * on the raw response (`reply.hijack()`), because Fastify's reply pipeline (hooks, serialiser,
 * header map) costs more than the whole RPC for a small answer.
 */
export function buildHttpApp(options: HttpAppOptions): FastifyInstance<HttpServer> {
  const { logger, logRpc } = options;
  const metrics = options.metrics ?? NO_METRICS;
  const app = Fastify({
    // Plain POSTs skip Fastify (see `fastPath`); everything else goes through it.
    serverFactory: (handler) => options.serverFactory((req, res) => (fastPath(req, res) ? undefined : handler(req, res))),
    bodyLimit: options.maxRequestSize,
    // Fastify gets no logger: requests are logged once, by us, with the action and the client's
    // identity (log_rpc), and per-request child loggers would cost more than some answers.
    logger: false,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    exposeHeadRoutes: false,
    // A URL Fastify can't decode (`/%zz`) gets an RPC answer too, not Fastify's HTTP 400.
    frameworkErrors: (_error, _request, reply) => {
      void (reply as unknown as FastifyReply)
        .code(200)
        .headers(RESPONSE_HEADERS)
        .send(Buffer.from(errorBody('unable_to_parse_json')));
    },
  }) as unknown as FastifyInstance<HttpServer>;

  // Nano clients send JSON as application/json, text/plain, form-urlencoded (curl -d) or with no
  // Content-Type at all: all of them are the same request body.
  app.removeAllContentTypeParsers();
  const rawBody = (_request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: Buffer) => void): void => done(null, body);
  for (const type of COMMON_CONTENT_TYPES) app.addContentTypeParser(type, { parseAs: 'buffer' }, rawBody);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, rawBody);

  /** Sends one RPC answer; after the answer to `stop`, starts the shutdown once it has left. */
  function answer(
    request: Incoming,
    res: ServerResponse,
    body: string | Buffer,
    action: string | undefined,
    started: bigint,
    outcome: RequestOutcome,
    context: RequestContext,
    http?: HttpRefusal,
  ): void {
    const nanos = process.hrtime.bigint() - started;
    if (logRpc) {
      const client = options.identify(request.raw.socket);
      logger.info({ action, client, us: Number(nanos / 1000n) }, 'rpc');
    }
    metrics.answered(action, outcome, Number(nanos) / 1e9, context);
    writeAnswer(res, body, options.isClosing(), http);
    if (options.isStopRequested()) res.once('close', options.onStopRequested);
  }

  function handle(request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    serve(request, reply.raw);
  }

  let fastIds = 0;
  /**
   * The common request, a POST with a Content-Length within `max_request_size` on a plain path,
   * is read and answered here without Fastify: its routing, request objects and body pipeline
   * cost about as much as the whole RPC behind a front. Anything else (chunked bodies, bodies
   * over the limit, escaped paths, other methods) takes Fastify's path and its answers.
   */
  function fastPath(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || req.headers['transfer-encoding'] !== undefined || req.url === undefined || req.url.includes('%')) return false;
    const declared = req.headers['content-length'];
    if (declared === undefined) return false;
    // Content types Fastify would look up (and maybe refuse) take its path.
    const type = req.headers['content-type'];
    if (type !== undefined && !FAST_CONTENT_TYPES.has(type)) return false;
    const length = Number(declared);
    if (!(length <= options.maxRequestSize)) return false;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => {
      const body = size === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      serve({ raw: req, id: `fast-${++fastIds}`, method: 'POST', body }, res);
    });
    // A client that goes away mid-body: its socket is gone, there is nobody to answer.
    req.on('error', () => res.destroy());
    return true;
  }

  function serve(request: Incoming, res: ServerResponse): void {
    const method = request.method;
    if (method === 'OPTIONS') {
      res.writeHead(200, OPTIONS_HEADER_LIST as string[]);
      res.end();
      return;
    }
    if (method !== 'POST') return writeAnswer(res, errorBody('only_post'), options.isClosing());
    // Closed after the answer: the unread body must not be taken for the next request.
    if (request.raw.rawHeaders.length > MAX_RAW_HEADER_ENTRIES) return writeAnswer(res, errorBody('too_many_headers'), true);

    const started = process.hrtime.bigint();
    let outcome: Dispatched | Promise<Dispatched>;
    const socket = request.raw.socket;
    const context: RequestContext = { client: () => options.identify(socket), certificate: () => options.certificate?.(socket) };
    try {
      outcome = options.dispatch(request.body as Buffer | undefined, context);
    } catch (error) {
      return answer(request, res, errorBody(answerFor(error, request)), undefined, started, 'error', context);
    }
    if (outcome instanceof Promise) {
      outcome
        .then(
          (dispatched) => answerDispatched(request, res, dispatched, started, context),
          (error: unknown) => answer(request, res, errorBody(answerFor(error, request)), undefined, started, 'error', context),
        )
        .catch((error: unknown) => {
          logger.error({ err: error, reqId: request.id }, 'could not send an RPC answer');
          res.destroy();
        });
    } else {
      answerDispatched(request, res, outcome, started, context);
    }
  }

  function answerDispatched(request: Incoming, res: ServerResponse, dispatched: Dispatched, started: bigint, context: RequestContext): void {
    const { action } = dispatched;
    let body: string | Buffer;
    let outcome: RequestOutcome = 'ok';
    let http: HttpRefusal | undefined;
    if ('raw' in dispatched) {
      // Node mode: the node's bytes, unchanged (pretty-printed as the node writes them).
      body = dispatched.raw;
    } else if ('failure' in dispatched) {
      body = errorBody(answerFor(dispatched.failure, request, action));
      // A policy refusal answers with its own status and headers (429, Retry-After, X-RateLimit-*).
      http = dispatched.failure instanceof RpcError ? dispatched.failure.http : undefined;
      outcome = http !== undefined || (dispatched.failure instanceof RpcError && dispatched.failure.code === 'action_not_allowed') ? 'refused' : 'error';
    } else {
      try {
        body = encodeRpcResult(dispatched.result);
      } catch (error) {
        body = errorBody(answerFor(error, request, action));
        outcome = 'error';
      }
    }
    answer(request, res, body, action, started, outcome, context, http);
  }

  /** The one place where an exception becomes a client-visible error text. */
  function answerFor(error: unknown, request: Incoming, action?: string): RpcErrorCode {
    if (error instanceof RpcError) return error.code;
    // The cause goes to the log with the request id; the client only learns that something failed.
    logger.error({ err: error, reqId: request.id, action }, 'unexpected error while answering an RPC request');
    return 'internal_error';
  }

  app.route({ method: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'], url: '/*', handler: handle });
  app.setNotFoundHandler(handle);

  // Errors Fastify meets before our handler (body over the limit, a malformed Content-Type, a
  // client that aborts mid-body): answered through Fastify's reply, which keeps the
  // `Connection: close` it set for an unread body. A 4xx is the client's doing: the node's
  // parse error, and no error-level log line a client could flood.
  app.setErrorHandler((error: { code?: string; statusCode?: number }, request, reply) => {
    let code: RpcErrorCode;
    if (error.code === FASTIFY_BODY_TOO_LARGE) code = 'body_limit_exceeded';
    else if ((error.statusCode ?? 500) < 500) {
      logger.debug({ code: error.code, reqId: request.id }, 'request refused before dispatch');
      code = 'unable_to_parse_json';
    } else code = answerFor(error, request);
    return reply
      .code(200)
      .headers(RESPONSE_HEADERS)
      .send(Buffer.from(errorBody(code)));
  });
  return app;
}
