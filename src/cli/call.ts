import { readFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { configPathFrom, loadConfig } from '../config/load.js';
import { parseArgs, stringFlag, UsageError } from './args.js';
import type { CliIo } from './serve.js';

const BOOLEAN_FLAGS = new Set(['insecure']);

export const CALL_USAGE = `usage: nano-rpc call ACTION [key=value | key:=JSON ...] [--url URL] [--cert FILE] [--key FILE] [--cacert FILE] [--insecure] [--config PATH]
  Sends {"action": ACTION, ...} and prints the JSON answer. key=value sends a string (as Nano
  clients do); key:=JSON sends any JSON value. Without --url/--cert/--cacert the values come from
  config-rpc.toml and the development PKI in tls/ when they exist. Exit code 0 for an answer,
  1 for an {"error": ...} answer, 2 when no answer came.`;

export interface Endpoint {
  url: string;
  cert?: string;
  key?: string;
  cacert?: string;
}

async function existing(path: string): Promise<string | undefined> {
  return access(path).then(
    () => path,
    () => undefined,
  );
}

/** Where to call when the user didn't say: the local config's address and the dev PKI's files. */
export async function defaultEndpoint(configFlag: string | undefined): Promise<Endpoint> {
  try {
    const config = await loadConfig(configPathFrom(configFlag, process.env), process.env);
    const host = config.address.includes(':') ? `[${config.address === '::' ? '::1' : config.address}]` : config.address === '0.0.0.0' ? '127.0.0.1' : config.address;
    const tlsDir = join(config.dir, 'tls');
    return {
      url: `${config.secure.enable ? 'https' : 'http'}://${host}:${config.port}/`,
      cert: await existing(join(tlsDir, 'users', 'rpc.user.1.pem')),
      cacert: await existing(join(tlsDir, 'ca', 'ca.cert.pem')),
    };
  } catch {
    return { url: 'https://localhost:7076/' };
  }
}

/**
 * The request body. A `key:=JSON` value is sent as written, not re-serialised, so a number past
 * double precision (`threshold:=1000000000000000000000000000000`) reaches the server exactly.
 */
function buildBody(action: string, pairs: readonly string[]): string {
  const members = [`"action":${JSON.stringify(action)}`];
  for (const pair of pairs) {
    const json = pair.indexOf(':=');
    const equals = pair.indexOf('=');
    if (json > 0 && json < equals) {
      const value = pair.slice(json + 2);
      try {
        JSON.parse(value);
      } catch {
        throw new UsageError(`${pair}: the value after := is not JSON`);
      }
      members.push(`${JSON.stringify(pair.slice(0, json))}:${value}`);
    } else if (equals > 0) {
      members.push(`${JSON.stringify(pair.slice(0, equals))}:${JSON.stringify(pair.slice(equals + 1))}`);
    } else {
      throw new UsageError(`${pair}: expected key=value or key:=JSON`);
    }
  }
  return `{${members.join(',')}}`;
}

/** Words for the ways a mutual-TLS call fails before any answer, instead of a bare errno. */
function explainTransportError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') return `${message}: is the server running?`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    return `${message}: the server closed the connection, usually because it did not accept the client certificate (see the server log)`;
  }
  if (/certificate required/i.test(message)) return `${message}: the server requires a client certificate (--cert/--key)`;
  if (code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'SELF_SIGNED_CERT_IN_CHAIN' || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return `${message}: the server certificate is not trusted; pass its CA with --cacert (or --insecure to skip the check)`;
  }
  return message;
}

export async function runCall(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, BOOLEAN_FLAGS);
  const [action, ...pairs] = args.positional;
  if (!action) throw new UsageError('call needs an ACTION');
  const body = buildBody(action, pairs);

  const defaults = await defaultEndpoint(stringFlag(args, 'config'));
  const url = stringFlag(args, 'url') ?? defaults.url;
  const certFile = stringFlag(args, 'cert') ?? defaults.cert;
  // A single PEM (certificate then key, as the seed document builds it) serves as both.
  const keyFile = stringFlag(args, 'key') ?? certFile;
  const caFile = stringFlag(args, 'cacert') ?? (args.flags.has('insecure') ? undefined : defaults.cacert);
  const [cert, key, ca] = await Promise.all([certFile, keyFile, caFile].map((file) => (file ? readFile(file, 'utf8') : undefined)));

  const dispatcher = new Agent({
    connect: { cert, key, ca, rejectUnauthorized: !args.flags.has('insecure') },
  });
  try {
    const response = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      dispatcher,
    });
    const text = await response.body.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      io.err(`error: the server answered HTTP ${response.statusCode} with something that is not JSON`);
      io.out(text);
      return 2;
    }
    io.out(JSON.stringify(answer, null, 2));
    return typeof answer === 'object' && answer !== null && 'error' in answer ? 1 : 0;
  } catch (error) {
    io.err(`error: ${explainTransportError(error)}`);
    return 2;
  } finally {
    await dispatcher.close();
  }
}
