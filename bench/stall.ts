/**
 * The worst stall one request causes: while a few clients send the biggest requests the server takes
 * (lists at their 1,024-entry limit, a 1 MiB body, a body just over the value limit, a 16 KiB block
 * string), one client sends `block_count` one at a time and its latencies are recorded. Handling is
 * synchronous, so the small request's p99 is the stall a big one imposes on everybody else.
 */
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { MAX_BODY_VALUES } from '../src/rpc/json-text.js';
import { MAX_LIST_ENTRIES } from '../src/rpc/params.js';
import type { TlsClientMaterial } from './load-protocol.js';
import { startOurs } from './ours.js';
import type { BenchPki } from './pki.js';
import type { Pin } from './procs.js';
import { percentileSorted } from './stats.js';

export interface StallResult {
  readonly smallRequests: number;
  readonly bigRequests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly durationMs: number;
}

/** The stall must stay under this (issue 8): the README states it. */
export const STALL_P99_BUDGET_MS = 100;

const GENESIS_HASH = '04270D7F11C4B2B472F2854C5A59F2A7E84226CE9ED799DE75744BD7D85FC9D9';
const GENESIS_ACCOUNT = 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo';

/** The heaviest requests the limits let through (and two that are refused only after reading them). */
function bigBodies(): Buffer[] {
  const hashes = Array.from({ length: MAX_LIST_ENTRIES }, (_, i) => (i === 0 ? GENESIS_HASH : i.toString(16).toUpperCase().padStart(64, '0')));
  const accounts = Array.from({ length: MAX_LIST_ENTRIES }, () => GENESIS_ACCOUNT);
  const block = JSON.stringify({
    type: 'state',
    account: GENESIS_ACCOUNT,
    previous: GENESIS_HASH,
    representative: GENESIS_ACCOUNT,
    balance: '1',
    link: GENESIS_HASH,
    signature: '0'.repeat(128),
    work: '0'.repeat(16),
  });
  return [
    JSON.stringify({ action: 'blocks_info', hashes, include_not_found: 'true' }),
    JSON.stringify({ action: 'accounts_balances', accounts }),
    JSON.stringify({ action: 'accounts_frontiers', accounts }),
    JSON.stringify({ action: 'blocks', hashes }),
    // 1 MiB: the default max_request_size; one long string is read, scanned and parsed.
    JSON.stringify({ action: 'block_count', padding: 'x'.repeat(1024 * 1024 - 64) }),
    // Refused by the value count before JSON.parse.
    JSON.stringify({ action: 'accounts_balances', accounts: Array.from({ length: MAX_BODY_VALUES + 10 }, () => GENESIS_ACCOUNT) }),
    JSON.stringify({ action: 'block_hash', block: block.replace('{', '{' + ' '.repeat(16 * 1024 - block.length - 1)) }),
  ].map((text) => Buffer.from(text));
}

export async function stallSuite(options: {
  dir: string;
  pki: BenchPki;
  client: TlsClientMaterial;
  durationMs: number;
  bigClients: number;
  pin: Pin;
  log: (line: string) => void;
}): Promise<StallResult> {
  const ours = await startOurs({ dir: join(options.dir, 'stall'), pki: options.pki, keyType: 'ec-p256', tls: true, pin: options.pin });
  const connect = { cert: options.client.certPem, key: options.client.keyPem, ca: options.client.caPem };
  const agent = new Agent({ connect, connections: options.bigClients + 1 });
  const origin = `https://${ours.host}:${ours.port}/`;
  const bodies = bigBodies();
  let running = true;
  let bigRequests = 0;
  const post = async (body: Buffer | string): Promise<void> => {
    const response = await request(origin, { method: 'POST', body, dispatcher: agent });
    await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
  };
  try {
    const big = Array.from({ length: options.bigClients }, async (_, client) => {
      for (let i = client; running; i++) {
        await post(bodies[i % bodies.length]!);
        bigRequests++;
      }
    });
    const latencies: number[] = [];
    const started = performance.now();
    while (performance.now() - started < options.durationMs) {
      const sent = performance.now();
      await post('{"action":"block_count"}');
      latencies.push(performance.now() - sent);
    }
    running = false;
    await Promise.all(big);
    latencies.sort((a, b) => a - b);
    const result: StallResult = {
      smallRequests: latencies.length,
      bigRequests,
      p50Ms: percentileSorted(latencies, 50),
      p99Ms: percentileSorted(latencies, 99),
      maxMs: latencies[latencies.length - 1] ?? 0,
      durationMs: options.durationMs,
    };
    options.log(
      `  stall: block_count p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms over ${result.smallRequests} requests while ${options.bigClients} clients sent ${bigRequests} big ones`,
    );
    return result;
  } finally {
    running = false;
    await agent.close();
    await ours.stop();
  }
}

export function stallSection(r: StallResult, bigClients: number): string[] {
  const verdict = r.p99Ms < STALL_P99_BUDGET_MS ? `within the ${STALL_P99_BUDGET_MS} ms budget` : `**over the ${STALL_P99_BUDGET_MS} ms budget**`;
  return [
    '### Worst stall one request causes',
    '',
    `One client sends \`block_count\` one at a time while ${bigClients} clients send the biggest requests the limits let through ` +
      `(${MAX_LIST_ENTRIES}-entry blocks_info/blocks/accounts_balances/accounts_frontiers, a 1 MiB body, a body over the ${MAX_BODY_VALUES}-value limit, a 16 KiB block string), ${(r.durationMs / 1000).toFixed(0)} s.`,
    '',
    '| small requests | big requests | p50 | p99 | max |',
    '|---:|---:|---:|---:|---:|',
    `| ${r.smallRequests} | ${r.bigRequests} | ${r.p50Ms.toFixed(1)} ms | ${r.p99Ms.toFixed(1)} ms | ${r.maxMs.toFixed(1)} ms |`,
    '',
    `p99 ${verdict}.`,
  ];
}
