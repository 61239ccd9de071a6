import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_METRICS } from '../../src/metrics/metrics.js';
import { PolicyGate } from '../../src/policy/gate.js';
import { loadPolicy } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/policy.js';
import { RpcError } from '../../src/rpc/errors.js';
import type { RequestContext } from '../../src/rpc/request-context.js';
import { tempDir } from '../support/temp.js';

let dir: { path: string; remove: () => Promise<void> };
let policy: Policy;
const client: RequestContext = { client: () => ({ commonName: 'app', fingerprint256: 'AA' }) };
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  dir = await tempDir('nano-rpc-gate-');
  const file = join(dir.path, 'policy.toml');
  await writeFile(
    file,
    `[default]
allow = ["read", "process"]
in_flight = 2
rate = 10
burst = 10
[default.weights]
process = 4
[default.max_count]
frontiers = 100
account_history = 50
[cache.ttl]
block_count = 1
`,
  );
  policy = await loadPolicy(file);
});
afterAll(() => dir.remove());

function refusal(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof RpcError) return error.code;
    throw error;
  }
  return undefined;
}

describe('PolicyGate', () => {
  it('limits requests in flight per client and frees a slot when an answer settles', async () => {
    const gate = new PolicyGate(policy, silent, NO_METRICS);
    const pending: Array<() => void> = [];
    const slow = () => new Promise<{ hash: string }>((resolve) => pending.push(() => resolve({ hash: 'x' })));
    const first = gate.run('process', {}, false, client, slow) as Promise<unknown>;
    const second = gate.run('process', {}, false, client, slow) as Promise<unknown>;
    expect(refusal(() => gate.run('process', {}, false, client, slow))).toBe('too_many_in_flight');
    // Another client has its own slots.
    const other: RequestContext = { client: () => ({ commonName: 'other', fingerprint256: 'BB' }) };
    expect(refusal(() => gate.run('block_count', {}, false, other, () => ({ count: '1' })))).toBeUndefined();
    pending.shift()!();
    await first;
    expect(refusal(() => gate.run('account_count', {}, false, client, () => ({ count: '1' })))).toBeUndefined();
    pending.shift()!();
    await second;
  });

  it('weighs actions against the bucket: process costs 4 tokens of 10', () => {
    let now = 0;
    const gate = new PolicyGate(policy, silent, NO_METRICS, () => now);
    const run = (action: string) => refusal(() => gate.run(action, {}, false, client, () => ({})));
    expect(run('process')).toBeUndefined();
    expect(run('process')).toBeUndefined();
    expect(run('process')).toBe('rate_limited'); // 2 tokens left
    expect(run('account_count')).toBeUndefined();
    expect(run('account_count')).toBeUndefined();
    expect(run('account_count')).toBe('rate_limited');
    now += 400; // 4 tokens back at 10 per second
    expect(run('process')).toBeUndefined();
  });

  it('clamps count to the rule maximum, also when count is absent', () => {
    const gate = new PolicyGate(policy, silent, NO_METRICS);
    const seen: unknown[] = [];
    for (const request of [{ count: '1000' }, { count: '7' }, {}, { count: 'abc' }]) {
      gate.run('account_history', { ...request }, false, client, () => ({}));
      const copy: Record<string, unknown> = { ...request };
      gate.run('account_history', copy, false, client, () => {
        seen.push(copy.count);
        return {};
      });
    }
    expect(seen).toEqual(['50', '7', '50', 'abc']);
  });

  it('caches read answers for their TTL and never caches process', () => {
    let now = 0;
    const gate = new PolicyGate(policy, silent, NO_METRICS, () => now);
    let calls = 0;
    const handler = () => ({ count: String(++calls) });
    expect(gate.run('block_count', { action: 'block_count' }, false, client, handler)).toEqual({ count: '1' });
    now += 999;
    expect(gate.run('block_count', { action: 'block_count' }, false, client, handler)).toEqual({ count: '1' });
    now += 1;
    expect(gate.run('block_count', { action: 'block_count' }, false, client, handler)).toEqual({ count: '2' });
    now += 1000; // let the bucket refill
    gate.run('process', { action: 'process' }, false, client, handler);
    gate.run('process', { action: 'process' }, false, client, handler);
    expect(calls).toBe(4);
  });
});
