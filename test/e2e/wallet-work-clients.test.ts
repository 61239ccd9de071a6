import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nano from 'nanocurrency';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_GENESIS_HASH, DEV_GENESIS_SECRET } from '../ledger/builder.js';
import { post, run, tlsAgent } from '../support/clients.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';
import type { Agent } from 'undici';

// work_generate, block_create and sign, checked by an independent implementation (nanocurrency)
// and driven by an unmodified npm client over mutual TLS.

const PROBE = fileURLToPath(new URL('../support/nano-client-probe.cjs', import.meta.url));
const GENESIS_ACCOUNT = 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo';
const GENESIS_PUBLIC = 'B0311EA55708D6A53C75CDBF88300259C6D018522FE3D4D0A242E431F9E8B6D0';
const MAX_U128 = (1n << 128n) - 1n;

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let ca: Identity;
let client: Identity;
let agent: Agent;
let files: { ca: string; cert: string; key: string };

async function call(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await post(server.url, JSON.stringify(payload), agent)).json;
}

beforeAll(async () => {
  dir = await tempDir();
  ca = await makeCa('wallet work CA');
  client = await makeClient('wallet.work.client', ca);
  server = await startTestServer({
    dir: dir.path,
    server: await makeServer(ca),
    topLevel: ['enable_control = true', '[node]', 'max_work_generate_multiplier = 100000000'].join('\n'),
  });
  await trustClient(server, client);
  agent = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  files = { ca: join(dir.path, 'ca.pem'), cert: join(dir.path, 'client.cert.pem'), key: join(dir.path, 'client.key.pem') };
  await writeFile(files.ca, ca.certPem);
  await writeFile(files.cert, client.certPem);
  await writeFile(files.key, client.keyPem, { mode: 0o600 });
});

afterAll(async () => {
  await agent?.close();
  await server?.stop();
  await dir?.remove();
});

describe('work_generate', () => {
  it('answers work that nanocurrency accepts at the requested difficulty', async () => {
    const answer = await call({ action: 'work_generate', hash: DEV_GENESIS_HASH });
    expect(Object.keys(answer)).toEqual(['hash', 'work', 'difficulty', 'multiplier']);
    expect(answer.hash).toBe(DEV_GENESIS_HASH);
    expect(nano.validateWork({ blockHash: DEV_GENESIS_HASH, work: String(answer.work), threshold: 'ffc0000000000000' })).toBe(true);
    expect(BigInt('0x' + String(answer.difficulty))).toBeGreaterThanOrEqual(0xffc0000000000000n);
    const harder = await call({ action: 'work_generate', hash: DEV_GENESIS_HASH, multiplier: '8' });
    expect(Number(harder.multiplier)).toBeGreaterThanOrEqual(8);
    expect(nano.validateWork({ blockHash: DEV_GENESIS_HASH, work: String(harder.work), threshold: 'fff8000000000000' })).toBe(true);
  });

  it('refuses difficulties outside the limits with the node text', async () => {
    const limit = { error: 'Difficulty above config limit or below publish threshold' };
    expect(await call({ action: 'work_generate', hash: DEV_GENESIS_HASH, difficulty: 'e000000000000000' })).toEqual(limit);
    expect(await call({ action: 'work_generate', hash: DEV_GENESIS_HASH, difficulty: 'ffffffffffffffff' })).toEqual(limit);
    expect(await call({ action: 'work_generate', hash: 'zz' })).toEqual({ error: 'Invalid block hash' });
    expect(await call({ action: 'work_generate', hash: DEV_GENESIS_HASH, difficulty: 'xyz' })).toEqual({ error: 'Bad difficulty' });
  });

  it('work_cancel answers a running generation with "Cancelled"', async () => {
    // ~2^32 attempts at this difficulty (allowed by this server's max_work_generate_multiplier):
    // it only ends by being cancelled.
    const root = 'AB'.repeat(32);
    let settled = false;
    const running = call({ action: 'work_generate', hash: root, difficulty: 'ffffffff00000000' }).finally(() => {
      settled = true;
    });
    const canceller = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
    try {
      // The cancel may arrive before the generation is queued; it is repeated until the request ends.
      while (!settled) {
        expect((await post(server.url, JSON.stringify({ action: 'work_cancel', hash: root }), canceller)).json).toEqual({ success: '' });
        await Promise.race([running, new Promise((resolve) => setImmediate(resolve))]);
      }
    } finally {
      await canceller.close();
    }
    expect(await running).toEqual({ error: 'Cancelled' });
  });

  it('an unmodified npm client (@dev-ptera/nano-node-rpc) calls work_generate and active_difficulty', async () => {
    const result = await run(process.execPath, [
      PROBE,
      '@dev-ptera/nano-node-rpc',
      `https://localhost:${server.port}/`,
      files.ca,
      files.cert,
      files.key,
      JSON.stringify([['work_generate', DEV_GENESIS_HASH], ['active_difficulty']]),
    ]);
    expect(result.stderr).toBe('');
    const [work, difficulty] = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(nano.validateWork({ blockHash: DEV_GENESIS_HASH, work: String(work!.work), threshold: 'ffc0000000000000' })).toBe(true);
    expect(difficulty).toEqual({
      deprecated: '1',
      network_minimum: 'ffc0000000000000',
      network_receive_minimum: 'f000000000000000',
      network_current: 'ffc0000000000000',
      network_receive_current: 'f000000000000000',
      multiplier: '1',
    });
  });
});

describe('block_create and sign', () => {
  it('creates a state send that nanocurrency verifies and the ledger accepts', async () => {
    const destination = nano.deriveAddress(nano.derivePublicKey(nano.deriveSecretKey('0'.repeat(64), 3)), { useNanoPrefix: true });
    const answer = await call({
      action: 'block_create',
      type: 'state',
      key: DEV_GENESIS_SECRET,
      previous: DEV_GENESIS_HASH,
      representative: GENESIS_ACCOUNT,
      balance: String(MAX_U128 - 1000n),
      link: destination,
      json_block: 'true',
    });
    const block = answer.block as Record<string, string>;
    const hash = nano.hashBlock({
      account: block.account!,
      previous: block.previous!,
      representative: block.representative!,
      balance: block.balance!,
      link: block.link!,
    });
    expect(answer.hash).toBe(hash);
    expect(nano.verifyBlock({ hash, signature: block.signature!, publicKey: GENESIS_PUBLIC })).toBe(true);
    // A send from an epoch 0 account needs epoch_1 work (fe00…), inferred from the ledger.
    expect(nano.validateWork({ blockHash: DEV_GENESIS_HASH, work: block.work!, threshold: 'fe00000000000000' })).toBe(true);
    expect(answer.difficulty).toMatch(/^[0-9a-f]{16}$/);
    expect(await call({ action: 'process', json_block: 'true', block })).toEqual({ hash });
  });

  it('an unmodified npm client (nano-node-rpc) creates a legacy open with block_create and publishes it', async () => {
    const secret = nano.deriveSecretKey('7'.repeat(64), 0);
    const opener = nano.deriveAddress(nano.derivePublicKey(secret), { useNanoPrefix: true });
    const info = await call({ action: 'account_info', account: GENESIS_ACCOUNT });
    const balance = BigInt(String(info.balance));
    const send = await call({
      action: 'block_create',
      type: 'state',
      key: DEV_GENESIS_SECRET,
      previous: String(info.frontier),
      representative: GENESIS_ACCOUNT,
      balance: String(balance - 77n),
      link: opener,
    });
    expect(await call({ action: 'process', block: send.block })).toEqual({ hash: send.hash });
    const result = await run(process.execPath, [
      PROBE,
      'nano-node-rpc',
      `https://localhost:${server.port}/`,
      files.ca,
      files.cert,
      files.key,
      JSON.stringify([['block_create', 'open', secret, opener, GENESIS_ACCOUNT, send.hash]]),
    ]);
    expect(result.stderr).toBe('');
    const [created] = JSON.parse(result.stdout) as Record<string, string>[];
    const open = JSON.parse(created!.block!) as Record<string, string>;
    expect(open).toMatchObject({ type: 'open', source: send.hash, account: opener });
    expect(nano.validateWork({ blockHash: nano.derivePublicKey(secret), work: open.work!, threshold: 'fe00000000000000' })).toBe(true);
    expect(await call({ action: 'process', block: created!.block })).toEqual({ hash: created!.hash });
    expect(await call({ action: 'account_balance', account: opener })).toMatchObject({ balance: '77' });
  });

  it('answers the node texts for bad block_create requests', async () => {
    const base = {
      action: 'block_create',
      type: 'state',
      key: DEV_GENESIS_SECRET,
      previous: DEV_GENESIS_HASH,
      representative: GENESIS_ACCOUNT,
      balance: '1',
      link: '0'.repeat(63) + '1',
    };
    expect(await call({ ...base, type: 'bogus' })).toEqual({ error: 'Invalid block type' });
    expect(await call({ ...base, type: 'open', representative: undefined })).toEqual({ error: 'Representative account and source hash required' });
    expect(await call({ ...base, type: 'receive' })).toEqual({ error: 'Previous hash and source hash required' });
    expect(await call({ ...base, type: 'change', representative: undefined })).toEqual({ error: 'Representative account and previous hash required' });
    expect(await call({ ...base, type: 'send' })).toEqual({ error: 'Destination account, previous hash, current balance and amount required' });
    expect(await call({ ...base, type: 'send', destination: GENESIS_ACCOUNT, amount: '1' })).toEqual({ error: 'Balance mismatch for previous block' });
    expect(await call({ ...base, key: undefined })).toEqual({ error: 'Private key or local wallet and account required' });
    expect(await call({ ...base, previous: 'xx' })).toEqual({ error: 'Bad previous' });
    expect(await call({ ...base, balance: 'x' })).toEqual({ error: 'Invalid balance number' });
    expect(await call({ ...base, representative: 'nano_x' })).toEqual({ error: 'Bad representative number' });
    expect(await call({ ...base, link: 'zz' })).toEqual({ error: 'Bad link number' });
    expect(await call({ ...base, difficulty: 'zz' })).toEqual({ error: 'Bad difficulty' });
    expect(await call({ ...base, account: 'nano_1111111111111111111111111111111111111111111111111111hifc8npp' })).toEqual({
      error: 'Incorrect key for given account',
    });
    expect(await call({ ...base, previous: undefined })).toEqual({
      error: 'Previous, representative, final balance and link (source or destination) are required',
    });
    expect(await call({ ...base, wallet: '1'.repeat(64), account: GENESIS_ACCOUNT, key: undefined })).toEqual({ error: 'Wallet not found' });
  });

  it('signs a block with a key or a wallet account; a bare hash only with enable_sign_hash', async () => {
    const wallet = String((await call({ action: 'wallet_create' })).wallet);
    await call({ action: 'wallet_add', wallet, key: DEV_GENESIS_SECRET });
    const block = {
      type: 'state',
      account: GENESIS_ACCOUNT,
      previous: DEV_GENESIS_HASH,
      representative: GENESIS_ACCOUNT,
      balance: '5',
      link: '0'.repeat(64),
      signature: '0',
      work: '0',
    };
    const hash = nano.hashBlock({ account: GENESIS_ACCOUNT, previous: DEV_GENESIS_HASH, representative: GENESIS_ACCOUNT, balance: '5', link: '0'.repeat(64) });
    const byKey = await call({ action: 'sign', key: DEV_GENESIS_SECRET, json_block: 'true', block });
    expect(nano.verifyBlock({ hash, signature: String(byKey.signature), publicKey: GENESIS_PUBLIC })).toBe(true);
    expect((byKey.block as Record<string, string>).signature).toBe(byKey.signature);
    const byWallet = await call({ action: 'sign', wallet, account: GENESIS_ACCOUNT, json_block: 'true', block });
    expect(byWallet.signature).toBe(byKey.signature);
    expect(await call({ action: 'sign', key: DEV_GENESIS_SECRET, hash })).toEqual({ error: 'Signing by block hash is disabled' });
    expect(await call({ action: 'sign', wallet: '1'.repeat(64), account: GENESIS_ACCOUNT, json_block: 'true', block })).toEqual({
      error: 'Private key or local wallet and account required',
    });
    expect(await call({ action: 'sign', key: DEV_GENESIS_SECRET })).toEqual({ error: 'Block is invalid' });
  });
});
