import { readFile, access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { configPathFrom, loadConfig } from '../config/load.js';
import { ConfigError, describeFsError } from '../config/problems.js';
import { PRIVATE_KEY_LABELS, readPem } from '../pki/pem.js';
import { stringFlag, UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import type { CliIo } from './serve.js';

export const CALL_SPEC: CommandSpec = {
  command: 'call',
  strings: ['url', 'cert', 'key', 'cacert', 'config'],
  booleans: ['insecure'],
  positional: [1, Infinity],
};

export const CALL_USAGE = `usage: nano-rpc call ACTION [key=value | key:=JSON ...] [--url URL] [--cert FILE] [--key FILE] [--cacert FILE] [--insecure] [--config PATH]
  Sends {"action": ACTION, ...} and prints the JSON answer. key=value sends a string (as Nano
  clients do); key:=JSON sends any JSON value. Without --url the address comes from config-rpc.toml
  (--config, else $NANO_RPC_CONFIG, else ./config-rpc.toml), and without --cert/--cacert the files of
  the development PKI in tls/ are used when they exist. Exit code 0 for an answer, 1 for an
  {"error": ...} answer, 2 when no answer came (including a usage error).
examples:
  nano-rpc call block_count
  nano-rpc call account_balance account=nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo
  nano-rpc call accounts_balances 'accounts:=["nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo"]'
  nano-rpc call block_count --url https://localhost:7076/ --cert tls/users/rpc.user.1.pem --cacert tls/ca/ca.cert.pem`;

/** A failure before any request was sent (exit code 2, like "no answer"). */
class CallSetupError extends Error {}

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

/**
 * Where to call when the user didn't say: the config's address and the dev PKI's files. Without
 * --url a config is needed: guessing an address would call whatever listens there.
 */
export async function defaultEndpoint(configFlag: string | undefined, needUrl: boolean): Promise<Omit<Endpoint, 'url'> & { url?: string }> {
  const path = configPathFrom(configFlag, process.env);
  if ((await existing(path)) === undefined) {
    if (!needUrl && configFlag === undefined) return {};
    throw new CallSetupError(
      `no config found at ${resolve(path)}: give the server's address with --url (e.g. --url https://localhost:7076/), or the config with --config PATH or $NANO_RPC_CONFIG`,
    );
  }
  let config;
  try {
    config = await loadConfig(path, process.env);
  } catch (error) {
    const lines = error instanceof ConfigError ? error.problems : [error instanceof Error ? error.message : String(error)];
    throw new CallSetupError(`the config does not load: ${lines.join('; ')}`);
  }
  const host = config.address.includes(':')
    ? `[${config.address === '::' ? '::1' : config.address}]`
    : config.address === '0.0.0.0'
      ? '127.0.0.1'
      : config.address;
  const tlsDir = join(config.dir, 'tls');
  return {
    url: `${config.secure.enable ? 'https' : 'http'}://${host}:${config.port}/`,
    cert: await existing(join(tlsDir, 'users', 'rpc.user.1.pem')),
    cacert: await existing(join(tlsDir, 'ca', 'ca.cert.pem')),
  };
}

/** Reads a --cert/--key/--cacert file, saying which one could not be read. */
async function readNamed(flag: string, file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CallSetupError(`${flag} ${file}: cannot read the ${flag === '--key' ? 'key' : 'certificate'} file: ${describeFsError(error)}`);
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
function explainTransportError(error: unknown, url: string): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (url.startsWith('http://') && code !== 'ECONNREFUSED' && code !== 'ENOTFOUND') {
    return `${message}: no HTTP answer from ${url}; if the server uses TLS (the shipped config does), call https:// instead`;
  }
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

export async function runCall(args: ParsedArgs, io: CliIo): Promise<number> {
  const [action, ...pairs] = args.positional;
  if (!action) throw new UsageError('call needs an ACTION');
  const body = buildBody(action, pairs);

  let url: string;
  let cert: string | undefined;
  let key: string | undefined;
  let ca: string | undefined;
  try {
    const urlFlag = stringFlag(args, 'url');
    const defaults = await defaultEndpoint(stringFlag(args, 'config'), urlFlag === undefined);
    url = urlFlag ?? defaults.url!;
    if (!/^https?:\/\//.test(url)) throw new CallSetupError(`--url ${url}: expected an http:// or https:// URL, e.g. https://localhost:7076/`);
    const certFlag = stringFlag(args, 'cert');
    const certFile = certFlag ?? defaults.cert;
    // A single PEM (certificate then key, as the seed document builds it) serves as both.
    const keyFlag = stringFlag(args, 'key');
    const caFile = stringFlag(args, 'cacert') ?? (args.flags.has('insecure') ? undefined : defaults.cacert);
    [cert, key, ca] = await Promise.all([readNamed('--cert', certFile), readNamed('--key', keyFlag), readNamed('--cacert', caFile)]);
    if (cert !== undefined && key === undefined) {
      if (readPem(cert, { labels: PRIVATE_KEY_LABELS }).length === 0) {
        throw new CallSetupError(`--cert ${certFile}: holds a certificate but no private key; pass its key with --key FILE (or a single PEM holding both)`);
      }
      key = cert;
    }
    if (key !== undefined && cert === undefined) throw new CallSetupError('--key given without --cert');
  } catch (error) {
    if (!(error instanceof CallSetupError)) throw error;
    io.err(`error: ${error.message}`);
    return 2;
  }

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
      // Our TLS port answers plain HTTP with a 400 that says so (src/tls/connection-gate.ts).
      if (url.startsWith('http://') && text.includes('HTTPS port')) {
        io.err(`error: ${url} is a TLS port (it answered: ${text.trim()}); call https:// instead`);
        return 2;
      }
      io.err(`error: the server answered HTTP ${response.statusCode} with something that is not JSON`);
      io.out(text);
      return 2;
    }
    io.out(JSON.stringify(answer, null, 2));
    return typeof answer === 'object' && answer !== null && 'error' in answer ? 1 : 0;
  } catch (error) {
    io.err(`error: ${explainTransportError(error, url)}`);
    return 2;
  } finally {
    await dispatcher.close();
  }
}
