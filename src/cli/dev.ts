import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { blockToJson } from '../ledger/blocks/json.js';
import { decodeAccount } from '../ledger/crypto/account.js';
import { DEV_WORK_THRESHOLDS, generateWork } from '../ledger/crypto/work.js';
import { DEV_GENESIS_ACCOUNT } from '../ledger/genesis.js';
import { signState } from '../wallet/state-block.js';
import { defaultEndpoint } from './call.js';
import { UsageError } from './args.js';
import type { CliIo } from './serve.js';

export const DEV_USAGE = `usage: nano-rpc dev fund ACCOUNT AMOUNT [--url URL] [--cert FILE] [--key FILE] [--cacert FILE] [--insecure] [--config PATH]
  Sends AMOUNT to ACCOUNT from the dev network's genesis account, whose private key is public
  (nano-node's dev genesis): a send block signed here and published with \`process\` on the
  running server, so the confirmation websocket and wallet auto-receive see it. AMOUNT is raw
  (an integer), or nano with a unit: 5nano, 0.25XNO. Prints the block hash.`;

/** nano-node nano/secure/common.cpp: the dev genesis key, public on purpose. */
const DEV_GENESIS_PRIVATE_KEY = Buffer.from('34F0A37AAD20F4A260F0A5B3CB3D7FB50673212263E58A380BC10474BB039CE4', 'hex');
const NANO_DECIMALS = 30;

/** Raw from "123" or "1.5nano"/"1.5XNO" (exact, no floating point). */
export function parseAmount(text: string): bigint {
  const raw = /^[0-9]+$/.exec(text);
  if (raw) return BigInt(text);
  const nano = /^([0-9]+)(?:\.([0-9]+))?(?:nano|xno)$/i.exec(text);
  if (!nano || (nano[2]?.length ?? 0) > NANO_DECIMALS) throw new UsageError(`AMOUNT "${text}" must be raw (an integer) or nano with a unit, e.g. 5nano`);
  return BigInt(nano[1]!) * 10n ** BigInt(NANO_DECIMALS) + BigInt((nano[2] ?? '').padEnd(NANO_DECIMALS, '0') || '0');
}

function parseDevArgs(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      cacert: { type: 'string' },
      insecure: { type: 'boolean' },
      config: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
}

export async function runDev(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseDevArgs(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(DEV_USAGE);
    return 0;
  }
  const [command, accountText, amountText, ...extra] = positionals;
  if (command !== 'fund') throw new UsageError(`dev: unknown subcommand "${command ?? ''}" (try: nano-rpc dev fund ACCOUNT AMOUNT)`);
  if (accountText === undefined || amountText === undefined || extra.length > 0) throw new UsageError('dev fund needs ACCOUNT and AMOUNT');
  const destination = decodeAccount(accountText);
  if (destination === undefined) throw new UsageError(`ACCOUNT "${accountText}" is not a valid nano_ address`);
  const amount = parseAmount(amountText);
  if (amount === 0n) throw new UsageError('AMOUNT must be more than 0');

  const defaults = await defaultEndpoint(values.config, values.url === undefined);
  const url = values.url ?? defaults.url;
  if (url === undefined) throw new UsageError('dev fund needs --url or a config-rpc.toml to find the server');
  const certFile = values.cert ?? defaults.cert;
  const keyFile = values.key ?? certFile;
  const caFile = values.cacert ?? (values.insecure ? undefined : defaults.cacert);
  const [cert, key, ca] = await Promise.all([certFile, keyFile, caFile].map((file) => (file ? readFile(file, 'utf8') : Promise.resolve(undefined))));
  const dispatcher = new Agent({ connect: { cert, key, ca, rejectUnauthorized: !values.insecure } });
  const call = async (payload: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const response = await request(url, { method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'application/json' }, dispatcher });
    return (await response.body.json()) as Record<string, unknown>;
  };
  try {
    const genesis = await call({
      action: 'account_info',
      account: 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo',
      representative: 'true',
    });
    if (typeof genesis.error === 'string') {
      io.err(`error: reading the genesis account: ${genesis.error}`);
      return 1;
    }
    const balance = BigInt(String(genesis.balance));
    if (balance < amount) {
      io.err(`error: the genesis account holds only ${balance} raw`);
      return 1;
    }
    const previous = Buffer.from(String(genesis.frontier), 'hex');
    const block = signState(DEV_GENESIS_PRIVATE_KEY, {
      account: DEV_GENESIS_ACCOUNT,
      previous,
      representative: decodeAccount(String(genesis.representative))!.publicKey,
      balance: balance - amount,
      link: Buffer.from(destination.publicKey),
      // The base difficulty satisfies a send in every epoch; ~1,000 attempts on the dev network.
      work: generateWork(previous, DEV_WORK_THRESHOLDS.base),
    });
    const answer = await call({ action: 'process', json_block: 'true', subtype: 'send', block: blockToJson(block) });
    if (typeof answer.error === 'string') {
      io.err(`error: the server refused the send: ${answer.error}`);
      return 1;
    }
    io.out(String(answer.hash));
    return 0;
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    await dispatcher.close();
  }
}
