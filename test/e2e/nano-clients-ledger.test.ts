import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state } from '../ledger/builder.js';
import type { Built, Key } from '../ledger/builder.js';
import { run } from '../support/clients.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, type TestServer, trustClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';

// The unmodified npm clients against the real ledger over mutual TLS: read the genesis account,
// publish a send with the client's own `process` method, read the result back.

const PROBE = fileURLToPath(new URL('../support/nano-client-probe.cjs', import.meta.url));
const NANO = 10n ** 30n;

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let files: { ca: string; cert: string; key: string };
let receiver: Key;
let first: Built;
let second: Built;

beforeAll(async () => {
  dir = await tempDir();
  const ca: Identity = await makeCa('client ledger CA');
  const client = await makeClient('rpc.ledger.client', ca);
  server = await startTestServer({ dir: dir.path, server: await makeServer(ca) });
  await trustClient(server, client);
  files = { ca: join(dir.path, 'ca.pem'), cert: join(dir.path, 'client.cert.pem'), key: join(dir.path, 'client.key.pem') };
  await writeFile(files.ca, ca.certPem);
  await writeFile(files.cert, client.certPem);
  await writeFile(files.key, client.keyPem, { mode: 0o600 });

  receiver = newKey();
  first = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 5n * NANO, link: receiver.pub });
  second = await state({ account: GENESIS, previous: first.hash, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 7n * NANO, link: receiver.pub });
});

afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

const probe = async (pkg: string, calls: unknown[][]): Promise<Record<string, unknown>[]> => {
  const result = await run(process.execPath, [PROBE, pkg, `https://localhost:${server.port}/`, files.ca, files.cert, files.key, JSON.stringify(calls)]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Record<string, unknown>[];
};

// The two sends run in this order (each builds on the previous frontier), so the file's tests are sequential.
describe.sequential('unmodified npm Nano clients on the ledger', () => {
  it('nano-node-rpc reads genesis, publishes a send (block as a JSON string) and reads the new balance', async () => {
    // Its process(block) sends {"action":"process","block":block} with no json_block, so the node
    // reads the block as text: pass the block's JSON string.
    const [balance, info, processed, after, infoAfter, toReceiver] = await probe('nano-node-rpc', [
      ['account_balance', GENESIS.address],
      ['account_info', GENESIS.address],
      ['process', JSON.stringify(first.json)],
      ['account_balance', GENESIS.address],
      ['account_info', GENESIS.address, true, true, true],
      ['account_balance', receiver.address],
    ]);
    expect(balance).toEqual({ balance: String(GENESIS_AMOUNT), pending: '0', receivable: '0' });
    expect(info).toMatchObject({ frontier: DEV_GENESIS_HASH, open_block: DEV_GENESIS_HASH, balance: String(GENESIS_AMOUNT), block_count: '1' });
    expect(processed).toEqual({ hash: first.hash });
    expect(after).toEqual({ balance: String(GENESIS_AMOUNT - 5n * NANO), pending: '0', receivable: '0' });
    expect(infoAfter).toMatchObject({
      frontier: first.hash,
      balance: String(GENESIS_AMOUNT - 5n * NANO),
      block_count: '2',
      representative: GENESIS.address,
      weight: String(GENESIS_AMOUNT - 5n * NANO),
    });
    expect(toReceiver).toEqual({ balance: '0', pending: String(5n * NANO), receivable: String(5n * NANO) });
  });

  it('@dev-ptera/nano-node-rpc reads genesis, publishes a send (json_block) and reads the new balance', async () => {
    // Its process(body) sends the body as given: {json_block: true, subtype, block: {...}}.
    const [balance, info, processed, again, againWithSubtype, after, infoAfter, toReceiver] = await probe('@dev-ptera/nano-node-rpc', [
      ['account_balance', GENESIS.address],
      ['account_info', GENESIS.address, { representative: true }],
      ['process', { json_block: true, subtype: 'send', block: second.json }],
      ['process', { json_block: true, block: second.json }],
      ['process', { json_block: true, subtype: 'send', block: second.json }],
      ['account_balance', GENESIS.address],
      ['account_info', GENESIS.address],
      ['account_balance', receiver.address],
    ]);
    expect(balance).toEqual({ balance: String(GENESIS_AMOUNT - 5n * NANO), pending: '0', receivable: '0' });
    expect(info).toMatchObject({ frontier: first.hash, block_count: '2', representative: GENESIS.address });
    expect(processed).toEqual({ hash: second.hash });
    // The package rejects an {"error": …} answer with the answer itself; the probe reports its text.
    expect(again).toEqual({ thrown: 'Old block' });
    // As the node: the subtype check compares with the account's current balance, before the ledger.
    expect(againWithSubtype).toEqual({ thrown: 'Invalid block balance for given subtype' });
    expect(after).toEqual({ balance: String(GENESIS_AMOUNT - 7n * NANO), pending: '0', receivable: '0' });
    expect(infoAfter).toMatchObject({ frontier: second.hash, block_count: '3', balance: String(GENESIS_AMOUNT - 7n * NANO) });
    expect(toReceiver).toEqual({ balance: '0', pending: String(7n * NANO), receivable: String(7n * NANO) });
  });
});
