import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state } from '../ledger/builder.js';
import { post, tlsAgent } from '../support/clients.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

interface Family {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string }>;
}

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let ca: Identity;
const ids: Record<string, Identity> = {};
const agents: Record<string, Agent> = {};
let metricsUrl: string;
let policyFile: string;

function policyText(readerAllow: string): string {
  return `
[default]
allow = ["utility"]

[clients.reader]
cn = ["reader.app"]
allow = [${readerAllow}]

[clients.limited]
cn = ["limited.app"]
allow = ["read"]
rate = 20
burst = 5

[clients.writer]
cn = ["wallet.backend"]
allow = ["read", "process"]
in_flight = 1

[clients.admin]
fingerprint = ["${ids.admin!.cert.fingerprint256}"]
allow = ["*"]

[clients.partners]
issuer = ["partner-ca.pem"]
allow = ["read"]
deny = ["account_info"]
[clients.partners.max_count]
account_history = 2

[cache.ttl]
block_count = 60
`;
}

const call = (who: string, payload: unknown) => post(server.url, JSON.stringify(payload), agents[who]!);

async function scrape(): Promise<Family[]> {
  const response = await request(`${metricsUrl}metrics`);
  expect(response.statusCode).toBe(200);
  return parsePrometheusTextFormat(await response.body.text());
}

function sample(families: Family[], name: string, labels: Record<string, string>): number {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return found === undefined ? 0 : Number(found.value ?? found.count);
}

beforeAll(async () => {
  dir = await tempDir('nano-rpc-policy-');
  ca = await makeCa('Policy CA');
  const partnerCa = await makeCa('Partner CA');
  for (const [key, cn] of [
    ['reader', 'reader.app'],
    ['limited', 'limited.app'],
    ['writer', 'wallet.backend'],
    ['admin', 'ops.admin'],
    ['stranger', 'stranger.app'],
  ] as const) {
    ids[key] = await makeClient(cn, ca);
  }
  ids.partner = await makeClient('partner.one', partnerCa);
  await writeFile(join(dir.path, 'partner-ca.pem'), partnerCa.certPem);
  policyFile = join(dir.path, 'policy.toml');
  await writeFile(policyFile, policyText('"read"'));
  server = await startTestServer({
    dir: dir.path,
    server: await makeServer(ca),
    topLevel: ['enable_control = true', 'policy.file = "policy.toml"', 'metrics.enable = true', 'metrics.address = "127.0.0.1"', 'metrics.port = 0'].join('\n'),
  });
  metricsUrl = server.service.metricsUrl!;
  for (const [key, identity] of Object.entries(ids)) {
    await trustClient(server, identity);
    agents[key] = tlsAgent({ cert: identity.certPem, key: identity.keyPem, ca: ca.certPem });
  }
}, 60_000);

afterAll(async () => {
  for (const agent of Object.values(agents)) await agent.close();
  await server?.stop();
  await dir?.remove();
});

describe('per-client policy over mutual TLS', () => {
  it('gives each certificate its rule: read-only, process, admin with control, issuer CA, default', async () => {
    expect((await call('reader', { action: 'block_count' })).json.count).toBe('1');
    expect((await call('reader', { action: 'process', block: {} })).json).toEqual({ error: 'Action not allowed' });
    expect((await call('reader', { action: 'ledger' })).json).toEqual({ error: 'RPC control is disabled' });
    expect((await call('reader', { action: 'key_create' })).json).toEqual({ error: 'Action not allowed' });

    // process is allowed for the wallet backend: the ledger's own answer, not a refusal.
    const processed = await call('writer', { action: 'process', json_block: 'true', block: { type: 'state' } });
    expect(processed.json.error).not.toBe('Action not allowed');
    expect((await call('writer', { action: 'ledger' })).json).toEqual({ error: 'RPC control is disabled' });

    // The admin certificate (matched by fingerprint) has control.
    expect((await call('admin', { action: 'ledger', count: '1' })).json.accounts).toBeDefined();
    const audit = await server.logs.waitFor((l) => l.audit === 'control' && l.action === 'ledger');
    expect(audit.outcome).toBe('ok');
    expect(audit.client).toEqual({ commonName: 'ops.admin', fingerprint256: ids.admin!.cert.fingerprint256 });

    // Matched by its issuing CA: reads, but not the denied account_info.
    expect((await call('partner', { action: 'block_count' })).json.count).toBe('1');
    expect((await call('partner', { action: 'account_info', account: 'nano_1111111111111111111111111111111111111111111111111111hifc8npp' })).json).toEqual({
      error: 'Action not allowed',
    });

    // No rule names it: [default] (utility only).
    expect((await call('stranger', { action: 'block_count' })).json).toEqual({ error: 'Action not allowed' });
    expect((await call('stranger', { action: 'version' })).json.rpc_version).toBe('1');

    const refusal = server.logs.lines.find((l) => l.audit === 'policy' && l.action === 'process');
    expect(refusal).toMatchObject({
      outcome: 'not_allowed',
      rule: 'reader',
      client: { commonName: 'reader.app', fingerprint256: ids.reader!.cert.fingerprint256 },
    });
    expect(JSON.stringify(refusal)).not.toContain('"block"');
  });

  it('holds the rate limit within 10 % under load, answers 429 with headers on the same connection, and refills', async () => {
    let ok = 0;
    let refused = 0;
    let firstRefusal: Awaited<ReturnType<typeof call>> | undefined;
    await call('limited', { action: 'account_count' }); // the connection is open before counting handshakes
    const handshakes = sample(await scrape(), 'nano_rpc_tls_handshakes_total', { outcome: 'accepted' });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the bucket is full again
    const started = Date.now();
    const workers = Array.from({ length: 4 }, async () => {
      while (Date.now() - started < 3000) {
        const answer = await call('limited', { action: 'account_count' });
        if (answer.status === 200) ok++;
        else {
          refused++;
          firstRefusal ??= answer;
        }
      }
    });
    await Promise.all(workers);
    const elapsed = (Date.now() - started) / 1000;
    const allowed = 5 + 20 * elapsed;
    expect(refused).toBeGreaterThan(0);
    expect(Math.abs(ok - allowed) / allowed).toBeLessThan(0.1);

    expect(firstRefusal!.status).toBe(429);
    expect(firstRefusal!.json).toEqual({ error: 'Too many requests' });
    expect(Number(firstRefusal!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(firstRefusal!.headers['x-ratelimit-limit']).toBe('5');
    expect(firstRefusal!.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(firstRefusal!.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);

    // Refills: after Retry-After the same connection is answered again.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await call('limited', { action: 'account_count' })).status).toBe(200);
    // All of it on the one kept-alive connection: a 429 does not close it.
    expect(sample(await scrape(), 'nano_rpc_tls_handshakes_total', { outcome: 'accepted' })).toBe(handshakes);
  });

  it('caches read-only answers and counts requests, refusals and cache hits in the metrics', async () => {
    const before = await scrape();
    const baseline = sample(before, 'nano_rpc_requests_total', { action: 'block_count', outcome: 'ok', client: 'wallet.backend' });
    for (let i = 0; i < 3; i++) expect((await call('writer', { action: 'block_count' })).json.count).toBe('1');
    // Any key order is the same question.
    await post(server.url, '{"include_cemented":"true","action":"block_count"}', agents.writer!);
    const after = await scrape();
    expect(sample(after, 'nano_rpc_requests_total', { action: 'block_count', outcome: 'ok', client: 'wallet.backend' })).toBe(4 + baseline);
    expect(sample(after, 'nano_rpc_cache_lookups_total', { action: 'block_count', result: 'hit' })).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'nano_rpc_policy_refusals_total', { reason: 'not_allowed', client: 'reader.app' })).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'nano_rpc_policy_refusals_total', { reason: 'rate_limited', client: 'limited.app' })).toBeGreaterThan(0);
    expect(sample(after, 'nano_rpc_trusted_clients', {})).toBe(6);
    expect(sample(after, 'nano_rpc_ledger_blocks', {})).toBe(1);
    expect(sample(after, 'nano_rpc_tls_handshakes_total', { outcome: 'accepted' })).toBeGreaterThanOrEqual(6);
    expect(sample(after, 'nano_rpc_certificate_expiry_days', { role: 'client', cn: 'ops.admin' })).toBeGreaterThan(1);
    expect(sample(after, 'nano_rpc_certificate_expiry_days', { role: 'server' })).toBeGreaterThan(1);

    expect((await request(`${metricsUrl}health`)).statusCode).toBe(200);
    expect((await request(`${metricsUrl}ready`)).statusCode).toBe(200);
  });

  it('applies a changed policy live on open connections, keeps the old one when the new one is invalid, and re-reads on reload (SIGHUP)', async () => {
    expect((await call('reader', { action: 'key_create' })).json).toEqual({ error: 'Action not allowed' });
    const handshakes = sample(await scrape(), 'nano_rpc_tls_handshakes_total', { outcome: 'accepted' });
    const reloads = server.logs.count((l) => l.msg === 'policy reloaded');
    await writeFile(policyFile, policyText('"read", "utility"'));
    await server.logs.waitFor((l) => l.msg === 'policy reloaded' && server.logs.count((x) => x.msg === 'policy reloaded') > reloads, 1000);
    expect((await call('reader', { action: 'key_create' })).json.private).toMatch(/^[0-9A-F]{64}$/);

    await writeFile(policyFile, `${policyText('"read", "utility"')}\n[clients.broken]\ncn = ["x"]\nallow = ["reed"]\n`);
    const rejected = await server.logs.waitFor((l) => l.msg.startsWith('policy file not applied'), 1000);
    expect(String(rejected.msg)).toMatch(/policy\.toml:\d+: clients\.broken\.allow: unknown action or group "reed" \(did you mean "read"\?\)/);
    expect((await call('reader', { action: 'key_create' })).json.private).toBeDefined();

    await writeFile(policyFile, policyText('"read"'));
    await server.logs.waitFor((l) => l.msg === 'policy reloaded' && server.logs.count((x) => x.msg === 'policy reloaded') > reloads + 1, 1000);
    const count = server.logs.count((l) => l.msg === 'policy reloaded');
    await server.service.reload();
    expect(server.logs.count((l) => l.msg === 'policy reloaded')).toBe(count + 1);
    expect((await call('reader', { action: 'key_create' })).json).toEqual({ error: 'Action not allowed' });
    // Connections were kept: no new handshake through three policy changes and a reload.
    expect(sample(await scrape(), 'nano_rpc_tls_handshakes_total', { outcome: 'accepted' })).toBe(handshakes);
  });

  it('lowers a count above the rule maximum (or none) to it', async () => {
    let previous = DEV_GENESIS_HASH;
    for (const balance of [GENESIS_AMOUNT - 1n, GENESIS_AMOUNT - 2n]) {
      const send = await state({ account: GENESIS, previous, representative: GENESIS.pub, balance, link: newKey().pub });
      expect((await call('writer', { action: 'process', json_block: 'true', block: send.json })).json).toEqual({ hash: send.hash });
      previous = send.hash;
    }
    const history = async (who: string, count?: string) => {
      const answer = await call(who, { action: 'account_history', account: GENESIS.address, ...(count === undefined ? {} : { count }) });
      return (answer.json.history as unknown[]).length;
    };
    expect(await history('writer', '100')).toBe(3); // no limit in its rule
    expect(await history('partner', '100')).toBe(2);
    expect(await history('partner')).toBe(2);
    expect(await history('partner', '1')).toBe(1);
  });

  it('refuses requests beyond the in-flight limit with 429 and frees the slot when the answer is sent', async () => {
    const send = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: 1n, link: newKey().pub });
    const body = JSON.stringify({ action: 'process', json_block: 'true', block: send.json });
    // Eight connections of the same client: `process` waits for a durable commit, so they overlap.
    const wide = new Agent({ connections: 8, connect: { cert: ids.writer!.certPem, key: ids.writer!.keyPem, ca: ca.certPem } });
    try {
      const answers = await Promise.all(Array.from({ length: 16 }, () => post(server.url, body, wide)));
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]!.json).toEqual({ error: 'Too many requests in flight' });
      expect(refused[0]!.headers['retry-after']).toBe('1');
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
      // Every slot is free again.
      expect((await post(server.url, JSON.stringify({ action: 'account_count' }), wide)).json.count).toBeDefined();
    } finally {
      await wide.close();
    }
  });
});
