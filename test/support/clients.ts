import type { Socket } from 'node:net';
import { execFile } from 'node:child_process';
import { Agent, request } from 'undici';

export interface TlsClientOptions {
  readonly cert?: string;
  readonly key?: string;
  /** The CA to trust for the server; absent with insecure = true. */
  readonly ca?: string;
  readonly insecure?: boolean;
}

export interface RpcAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/** A keep-alive undici agent presenting the given client certificate: one connection, reused. */
export function tlsAgent(options: TlsClientOptions = {}): Agent {
  return new Agent({
    connections: 1,
    connect: { cert: options.cert, key: options.key, ca: options.ca, rejectUnauthorized: !options.insecure },
  });
}

export async function post(url: string, body: string | Buffer, agent: Agent, headers: Record<string, string> = {}, method = 'POST'): Promise<RpcAnswer> {
  const response = await request(url, { method: method as 'POST', body: method === 'GET' || method === 'HEAD' ? undefined : body, headers, dispatcher: agent });
  const text = await response.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Left empty: the test looks at `text`.
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** One RPC call on a fresh agent, closed afterwards. */
export async function rpc(url: string, payload: unknown, options: TlsClientOptions = {}): Promise<Record<string, unknown>> {
  const agent = tlsAgent(options);
  try {
    return (await post(url, JSON.stringify(payload), agent)).json;
  } finally {
    await agent.close();
  }
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a real program (curl, openssl, our CLI) and collects what it printed. */
export function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, cwd: options.cwd, timeout: options.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
    // Programs that read stdin (openssl s_client) see end-of-input instead of waiting.
    child.stdin?.end();
  });
}

/** The openssl CLI, as the interop tests call it. */
export function openssl(...args: string[]): Promise<CommandResult> {
  return run('openssl', args);
}

/** One keep-alive HTTP/1.1 RPC request on an open (TLS) socket; resolves with the raw answer, rejects if the connection closes first. */
export function requestOn(socket: Socket, body = '{"action":"block_count"}'): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head >= 0 && length && text.length >= head + 4 + Number(length[1])) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(text);
      }
    };
    const onClose = (): void => reject(new Error(`connection closed; got: ${text}`));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(`POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}
