import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_GENESIS_SECRET } from '../ledger/builder.js';
import { post, tlsAgent } from '../support/clients.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';
import { WsClient } from '../support/ws-client.js';
import type { Agent } from 'undici';

// The Nano docs' exchange integration flow, step by step, over real mutual TLS, with the
// confirmation websocket (wss, same trust directory) watching every block.

const NANO = 10n ** 30n;
const GENESIS_ACCOUNT = 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo';
const MAX_U128 = (1n << 128n) - 1n;

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let ca: Identity;
let client: Identity;
let agent: Agent;
let ws: WsClient;

export const walletServerConfig = ['enable_control = true', '[websocket]', 'enable = true', 'address = "127.0.0.1"', 'port = 0'].join('\n');

async function call(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await post(server.url, JSON.stringify(payload), agent)).json;
}

beforeAll(async () => {
  dir = await tempDir();
  ca = await makeCa('wallet flow CA');
  client = await makeClient('wallet.flow.client', ca);
  server = await startTestServer({ dir: dir.path, server: await makeServer(ca), topLevel: walletServerConfig });
  await trustClient(server, client);
  agent = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  ws = await WsClient.open(server.service.websocketUrl!.replace('127.0.0.1', 'localhost'), { cert: client.certPem, key: client.keyPem, ca: ca.certPem });
});

afterAll(async () => {
  ws?.close();
  await agent?.close();
  await server?.stop();
  await dir?.remove();
});

describe('exchange integration flow over mutual TLS', () => {
  let faucet: string;
  let exchange: string;
  let deposit: string;
  let firstSend: string;

  it('subscribes to confirmations with an ack', async () => {
    ws.send({ action: 'subscribe', topic: 'confirmation', ack: true, id: 'sub-1' });
    const ack = await ws.next();
    expect(ack).toMatchObject({ ack: 'subscribe', id: 'sub-1' });
    expect(typeof ack.time).toBe('string');
    ws.send({ action: 'ping' });
    expect(await ws.next()).toMatchObject({ ack: 'pong' });
  });

  it('wallet_create, wallet_add (the public dev genesis key), account_create', async () => {
    faucet = String((await call({ action: 'wallet_create' })).wallet);
    expect(faucet).toMatch(/^[0-9A-F]{64}$/);
    expect(await call({ action: 'wallet_add', wallet: faucet, key: DEV_GENESIS_SECRET })).toEqual({ account: GENESIS_ACCOUNT });
    exchange = String((await call({ action: 'wallet_create' })).wallet);
    deposit = String((await call({ action: 'account_create', wallet: exchange })).account);
    expect(deposit).toMatch(/^nano_[13]/);
    expect(await call({ action: 'account_list', wallet: exchange })).toEqual({ accounts: [deposit] });
    expect(await call({ action: 'wallet_locked', wallet: exchange })).toEqual({ locked: '0' });
  });

  it('send with an id, then the same id again: one block', async () => {
    const answer = await call({ action: 'send', wallet: faucet, source: GENESIS_ACCOUNT, destination: deposit, amount: String(5n * NANO), id: 'deposit-1' });
    firstSend = String(answer.block);
    expect(firstSend).toMatch(/^[0-9A-F]{64}$/);
    expect(await call({ action: 'send', wallet: faucet, source: GENESIS_ACCOUNT, destination: deposit, amount: String(5n * NANO), id: 'deposit-1' })).toEqual({
      block: firstSend,
    });
    expect(await call({ action: 'account_balance', account: GENESIS_ACCOUNT })).toMatchObject({ balance: String(MAX_U128 - 5n * NANO) });
  });

  it('the websocket reports the send, then the automatic receive, in order', async () => {
    const sent = await ws.next();
    expect(sent).toMatchObject({
      topic: 'confirmation',
      message: { account: GENESIS_ACCOUNT, amount: String(5n * NANO), hash: firstSend, confirmation_type: 'active_quorum' },
    });
    expect((sent.message as { block: Record<string, string> }).block).toMatchObject({ type: 'state', link_as_account: deposit, subtype: 'send' });
    const received = await ws.next();
    expect(received).toMatchObject({ topic: 'confirmation', message: { account: deposit, amount: String(5n * NANO) } });
    expect((received.message as { block: Record<string, string> }).block).toMatchObject({ subtype: 'receive', link: firstSend });
    expect(await call({ action: 'account_balance', account: deposit })).toMatchObject({ balance: String(5n * NANO), receivable: '0' });
  });

  it('wallet_balances and wallet_info', async () => {
    expect(await call({ action: 'wallet_balances', wallet: exchange })).toEqual({
      balances: { [deposit]: { balance: String(5n * NANO), pending: '0', receivable: '0' } },
    });
    expect(await call({ action: 'wallet_info', wallet: exchange })).toEqual({
      balance: String(5n * NANO),
      pending: '0',
      receivable: '0',
      accounts_count: '1',
      accounts_block_count: '1',
      accounts_cemented_block_count: '1',
      deterministic_count: '1',
      adhoc_count: '0',
      deterministic_index: '1',
    });
  });

  it('a withdrawal below receive_minimum stays receivable; receive takes it', async () => {
    const customer = String((await call({ action: 'account_create', wallet: exchange })).account);
    const small = await call({ action: 'send', wallet: exchange, source: deposit, destination: customer, amount: '1000', id: 'withdraw-1' });
    const hash = String(small.block);
    expect((await ws.next()).message).toMatchObject({ hash, amount: '1000' });
    expect(await call({ action: 'wallet_receivable', wallet: exchange })).toEqual({ blocks: { [customer]: [hash] } });
    const received = await call({ action: 'receive', wallet: exchange, account: customer, block: hash });
    expect(received.block).toMatch(/^[0-9A-F]{64}$/);
    expect((await ws.next()).message).toMatchObject({ hash: received.block, account: customer });
    expect(await call({ action: 'receive', wallet: exchange, account: customer, block: hash })).toEqual({ error: 'Unreceivable' });
  });

  it('answers the node texts for refused sends', async () => {
    const send = (fields: Record<string, unknown>) =>
      call({ action: 'send', wallet: exchange, source: deposit, destination: GENESIS_ACCOUNT, amount: '1', ...fields });
    expect(await send({ wallet: 'XYZ' })).toEqual({ error: 'Bad wallet number' });
    expect(await send({ wallet: '1'.repeat(64) })).toEqual({ error: 'Wallet not found' });
    expect(await send({ amount: '0' })).toEqual({ error: 'Invalid amount number' });
    expect(await send({ amount: 'lots' })).toEqual({ error: 'Invalid amount number' });
    expect(await send({ source: 'nano_nope' })).toEqual({ error: 'Bad source' });
    expect(await send({ destination: 'nano_nope' })).toEqual({ error: 'Bad destination account' });
    expect(await send({ work: 'zz' })).toEqual({ error: 'Bad work' });
    expect(await send({ source: GENESIS_ACCOUNT })).toEqual({ error: 'Account not found in wallet' });
    expect(await send({ amount: String(100n * NANO) })).toEqual({ error: 'Insufficient balance' });
    const unopened = String((await call({ action: 'account_create', wallet: exchange })).account);
    expect(await send({ source: unopened })).toEqual({ error: 'Account not found' });
  });

  it('lock refuses to sign; password_enter unlocks; a wrong password locks again', async () => {
    expect(await call({ action: 'password_change', wallet: exchange, password: 'correct horse' })).toEqual({ changed: '1' });
    expect(await call({ action: 'wallet_lock', wallet: exchange })).toEqual({ locked: '1' });
    expect(await call({ action: 'wallet_locked', wallet: exchange })).toEqual({ locked: '1' });
    expect(await call({ action: 'password_valid', wallet: exchange })).toEqual({ valid: '0' });
    expect(await call({ action: 'send', wallet: exchange, source: deposit, destination: GENESIS_ACCOUNT, amount: '1' })).toEqual({ error: 'Wallet is locked' });
    expect(await call({ action: 'account_create', wallet: exchange })).toEqual({ error: 'Wallet is locked' });
    expect(await call({ action: 'password_enter', wallet: exchange, password: 'wrong' })).toEqual({ valid: '0' });
    expect(await call({ action: 'password_enter', wallet: exchange, password: 'correct horse' })).toEqual({ valid: '1' });
    expect(await call({ action: 'password_valid', wallet: exchange })).toEqual({ valid: '1' });
    const sent = await call({ action: 'send', wallet: exchange, source: deposit, destination: GENESIS_ACCOUNT, amount: '1' });
    expect(sent.block).toMatch(/^[0-9A-F]{64}$/);
    expect((await ws.next()).message).toMatchObject({ hash: sent.block });
    // The genesis account is in the faucet wallet: its auto-receive is confirmed too (1 raw < receive_minimum, so no).
    expect(await call({ action: 'password_enter', wallet: exchange, password: 'wrong' })).toEqual({ valid: '0' });
    expect(await call({ action: 'wallet_locked', wallet: exchange })).toEqual({ locked: '1' });
  });

  it('logged no private key and no password', () => {
    const logged = JSON.stringify(server.logs.lines);
    expect(server.logs.lines.filter((line) => line.msg === 'rpc').length).toBeGreaterThan(10);
    for (const secret of [DEV_GENESIS_SECRET, DEV_GENESIS_SECRET.toLowerCase(), 'correct horse']) expect(logged).not.toContain(secret);
  });

  it('deterministic_key follows blake2b(seed ‖ index)', async () => {
    expect(await call({ action: 'deterministic_key', seed: '0'.repeat(64), index: '0' })).toMatchObject({
      private: '9F0E444C69F77A49BD0BE89DB92C38FE713E0963165CCA12FAF5712D7657120F',
    });
    expect(await call({ action: 'deterministic_key', seed: '0'.repeat(64), index: '1' })).toMatchObject({
      private: 'B73B723BF7BD042B66AD3332718BA98DE7312F95ED3D05A130C9204552A7AFFF',
    });
    expect(await call({ action: 'deterministic_key', seed: 'xx', index: '1' })).toEqual({ error: 'Bad seed' });
    expect(await call({ action: 'deterministic_key', seed: '0', index: '4294967296' })).toEqual({ error: 'Invalid index' });
  });
});
