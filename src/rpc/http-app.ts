import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { encodeRpcResult, type RpcResult } from './encode.js';
import { RpcError, RPC_ERRORS, type RpcErrorCode } from './errors.js';
import type { Dispatched } from './dispatch.js';

/** Who is on the other end of a connection, as far as the logs are concerned. */
export interface ClientIdentity {
  readonly commonName: string | undefined;
  readonly fingerprint256: string;
}

export interface HttpAppOptions {
  readonly dispatch: (body: Buffer | undefined) => Promise<Dispatched>;
  readonly maxRequestSize: number;
  readonly logger: Logger;
  readonly logRpc: boolean;
  /** Creates the Node server (https for TLS, http otherwise) around Fastify's handler. */
  readonly serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => HttpServer;
  readonly identify: (socket: Socket) => ClientIdentity | undefined;
  /** Called after an answer that asked for shutdown (`stop`) has been sent. */
  readonly onStopRequested: () => void;
  readonly isStopRequested: () => boolean;
}

/** The node's response headers (nano/rpc/rpc_connection.cpp), minus `Connection: close`: we keep connections alive. */
const RESPONSE_HEADERS = {
  allow: 'POST, OPTIONS',
  'content-type': 'application/json',
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'Accept, Accept-Language, Content-Language, Content-Type',
} as const;

const FASTIFY_BODY_TOO_LARGE = 'FST_ERR_CTP_BODY_TOO_LARGE';

function errorBody(code: RpcErrorCode): string {
  return encodeRpcResult({ error: RPC_ERRORS[code] });
}

/**
 * The HTTP face of the RPC: every path, any content type; POST is a request, OPTIONS a CORS
 * preflight, anything else the node's "Can only POST requests". Every answer is HTTP 200 with
 * a JSON body, errors included, because that is what Nano clients parse.
 */
export function buildHttpApp(options: HttpAppOptions): FastifyInstance<HttpServer> {
  const { logger } = options;
  const app = Fastify({
    serverFactory: options.serverFactory,
    bodyLimit: options.maxRequestSize,
    loggerInstance: logger,
    // Requests are logged once, by us, with the action and the client's identity (log_rpc).
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // A string answer is already JSON: skip Fastify's serialiser.
    exposeHeadRoutes: false,
  }) as unknown as FastifyInstance<HttpServer>;

  // Nano clients send JSON as application/json, text/plain, form-urlencoded (curl -d) or with no
  // Content-Type at all: all of them are the same request body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  // A Buffer, because Fastify appends "; charset=utf-8" to string answers and the node's
  // Content-Type is exactly application/json.
  const send = (reply: FastifyReply, body: string): FastifyReply => reply.code(200).headers(RESPONSE_HEADERS).send(Buffer.from(body));

  async function handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    if (request.method === 'OPTIONS') return reply.code(200).headers(RESPONSE_HEADERS).header('content-length', 0).send();
    if (request.method !== 'POST') return send(reply, errorBody('only_post'));

    const started = process.hrtime.bigint();
    let action: string | undefined;
    let body: string;
    try {
      const dispatched = await options.dispatch(request.body as Buffer | undefined);
      action = dispatched.action;
      body = encodeRpcResult(dispatched.result as RpcResult);
    } catch (error) {
      body = errorBody(answerFor(error, request));
    }
    if (options.logRpc) {
      const client = options.identify(request.raw.socket);
      const micros = Number((process.hrtime.bigint() - started) / 1000n);
      logger.info({ action, client, us: micros }, 'rpc');
    }
    return send(reply, body);
  }

  /** The one place where an exception becomes a client-visible error text. */
  function answerFor(error: unknown, request: FastifyRequest): RpcErrorCode {
    if (error instanceof RpcError) return error.code;
    // The cause goes to the log with the request id; the client only learns that something failed.
    request.log.error({ err: error, reqId: request.id }, 'unexpected error while answering an RPC request');
    return 'internal_error';
  }

  app.route({ method: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'], url: '/*', handler: handle });
  app.setNotFoundHandler(handle);

  app.setErrorHandler((error: { code?: string }, request, reply) => {
    if (error.code === FASTIFY_BODY_TOO_LARGE) return send(reply, errorBody('body_limit_exceeded'));
    return send(reply, errorBody(answerFor(error, request)));
  });

  app.addHook('onResponse', async () => {
    if (options.isStopRequested()) options.onStopRequested();
  });
  return app;
}
