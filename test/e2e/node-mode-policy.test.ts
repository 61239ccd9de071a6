import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state, T } from '../ledger/builder.js';
import { post } from '../support/clients.js';
import { startServerWithClient, startTestServer, type ServerWithClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

// The per-client policy and the metrics apply in node mode exactly as with the embedded ledger:
// the gate sits before the backend, so a refused action never reaches the node, a clamped
// `count` reaches it rewritten, a cached answer is the node's bytes, and /metrics reports the
// upstream's health.

interface Family {
  name: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string }>;
}

let dir: { path: string; remove: () => Promise<void> };
let node: TestServer;
let front: ServerWithClient;
const plain = new Agent({ connections: 2 });

let previous = DEV_GENESIS_HASH;
let balance = GENESIS_AMOUNT;

/** Sends 1 raw from genesis straight to the node (not through the front). */
async function sendAtNode(): Promise<void> {
  balance -= 1n;
  const send = await state({ account: GENESIS, previous, representative: GENESIS.pub, balance, link: newKey().pub, threshold: T.epoch1 });
  expect((await post(node.url, JSON.stringify({ action: 'process', json_block: 'true', block: send.json }), plain)).json.hash).toBe(send.hash);
  previous = send.hash;
}

const call = (payload: unknown) => post(front.server.url, JSON.stringify(payload), front.agent);

beforeAll(async () => {
  dir = await tempDir('nano-rpc-node-policy-');
  await mkdir(join(dir.path, 'node'));
  await mkdir(join(dir.path, 'front'));
  node = await startTestServer({ dir: join(dir.path, 'node') });
  // Three blocks on the genesis chain, so a history of count 2 is shorter than the whole.
  for (let i = 0; i < 3; i++) await sendAtNode();
  await writeFile(
    join(dir.path, 'front', 'policy.toml'),
    [
      '[default]',
      'allow = ["read", "utility"]',
      'deny = ["account_info"]',
      '[default.max_count]',
      'account_history = 2',
      '[cache.ttl]',
      'block_count = 60',
    ].join('\n'),
  );
  front = await startServerWithClient(join(dir.path, 'front'), 'node-policy', {
    topLevel: ['policy.file = "policy.toml"', 'metrics.enable = true', 'metrics.address = "127.0.0.1"', 'metrics.port = 0'].join('\n'),
    tables: `[backend]\nmode = "node"\n[[backend.upstream]]\nurl = "${node.url}"`,
  });
});

afterAll(async () => {
  await front?.close();
  await node?.stop();
  await plain.close();
  await dir?.remove();
});

describe('node mode with a per-client policy and metrics', () => {
  it('refuses in front, clamps count in the forwarded request, and caches the node bytes', async () => {
    expect((await call({ action: 'account_info', account: GENESIS.address })).json).toEqual({ error: 'Action not allowed' });
    expect((await call({ action: 'process', block: {} })).json).toEqual({ error: 'Action not allowed' });

    const history = await call({ action: 'account_history', account: GENESIS.address, count: '100' });
    expect((history.json.history as unknown[]).length).toBe(2);

    const first = await call({ action: 'block_count' });
    expect(first.json.count).toBe('4');
    // A block processed at the node after the answer was cached: the front keeps answering from its cache (TTL 60 s).
    await sendAtNode();
    expect((await post(node.url, JSON.stringify({ action: 'block_count' }), plain)).json.count).toBe('5');
    expect((await call({ action: 'block_count' })).text).toBe(first.text);
  });

  it('reports the upstream healthy in /metrics', async () => {
    const response = await request(`${front.server.service.metricsUrl!}metrics`);
    const families = parsePrometheusTextFormat(await response.body.text()) as Family[];
    const up = families.find((f) => f.name === 'nano_rpc_upstream_up');
    expect(up?.metrics).toEqual([expect.objectContaining({ value: '1' })]);
    expect(families.some((f) => f.name === 'nano_rpc_upstream_latency_seconds')).toBe(true);
  });
});
