import { execFile } from 'node:child_process';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc } from '../support/clients.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state, type Built } from '../ledger/builder.js';

// A ledger on a small tmpfs that is then filled: the failing `process` gets a clear answer, the
// server stays up and keeps reading, writes work again once space is back, and nothing that was
// acknowledged is lost (also across a restart on the still-full disk). Needs root for `mount`.

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

async function tryMount(folder: string): Promise<boolean> {
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', folder]);
    return true;
  } catch {
    return false;
  }
}

/** Writes until the filesystem says ENOSPC. */
async function fill(file: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (;;) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close();
  }
}

describe.skipIf(!isRoot)('a full disk under the ledger', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let ledgerDir: string;
  let mounted = false;
  let ca: Identity;
  let client: Identity;
  let server: TestServer | undefined;
  const chain: Built[] = [];

  async function start(): Promise<TestServer> {
    // A restart finds the client's certificate already in the trust directory.
    const restart = server !== undefined;
    const started = await startTestServer({ dir: dir.path, server: await makeServer(ca) });
    if (!restart) await trustClient(started, client);
    return started;
  }
  const call = (payload: unknown) => rpc(server!.url, payload, { cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  const processBlock = (b: Built) => call({ action: 'process', json_block: 'true', block: b.json });

  beforeAll(async () => {
    dir = await tempDir();
    ledgerDir = join(dir.path, 'ledger');
    await mkdir(ledgerDir);
    mounted = await tryMount(ledgerDir);
    ca = await makeCa('disk CA');
    client = await makeClient('disk.client', ca);
    let previous = DEV_GENESIS_HASH;
    let balance = GENESIS_AMOUNT;
    for (let i = 0; i < 5; i++) {
      balance -= 1n;
      const send = await state({ account: GENESIS, previous, representative: GENESIS.pub, balance, link: newKey().pub });
      chain.push(send);
      previous = send.hash;
    }
    server = await start();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (mounted) await run('umount', ['-l', ledgerDir]);
    await dir.remove();
  });

  it('refuses writes with a clear answer, keeps reading, logs once, and accepts writes once space is back', async ({ skip }) => {
    if (!mounted) skip('mount -t tmpfs is not permitted here');
    const [first, second, third, fourth, fifth] = chain as [Built, Built, Built, Built, Built];
    expect(await processBlock(first)).toEqual({ hash: first.hash });

    const filler = join(ledgerDir, 'filler');
    await fill(filler);
    // Two blocks in flight together share a commit: both must get the answer.
    const refused = await Promise.all([processBlock(second), processBlock(third)]);
    expect(refused[0]).toEqual({ error: 'Ledger write failed: no space left on device' });
    expect(refused[1]).toEqual({ error: expect.stringMatching(/^(Ledger write failed: no space left on device|Gap previous block)$/) });
    expect(await processBlock(second)).toEqual({ error: 'Ledger write failed: no space left on device' });
    // Reads continue and see only what was acknowledged.
    expect(await call({ action: 'block_count' })).toMatchObject({ count: '2' });
    expect(await call({ action: 'block_info', hash: first.hash })).toMatchObject({ height: '2' });
    expect(server!.logs.count((line) => line.msg.startsWith('ledger writes are failing'))).toBe(1);
    const failing = server!.logs.find((line) => line.msg.startsWith('ledger writes are failing'));
    expect(String(failing?.reason)).toMatch(/No space left on device/);

    await rm(filler);
    expect(await processBlock(second)).toEqual({ hash: second.hash });
    expect(await processBlock(third)).toEqual({ hash: third.hash });
    await server!.logs.waitFor((line) => line.msg === 'ledger writes succeed again');

    // A restart on a full disk: opening and reading work. (Whether a write then fails depends on the
    // pages LMDB can reuse; a failure is handled as above either way.)
    await fill(filler);
    await server!.stop();
    server = await start();
    expect(await call({ action: 'block_count' })).toMatchObject({ count: '4' });
    await rm(filler);
    expect(await processBlock(fourth)).toEqual({ hash: fourth.hash });
    expect(await processBlock(fifth)).toEqual({ hash: fifth.hash });

    // Everything acknowledged is still there after another restart.
    await server.stop();
    server = await start();
    expect(await call({ action: 'block_count' })).toMatchObject({ count: '6', cemented: '6' });
    for (const block of chain)
      expect(await call({ action: 'block_info', hash: block.hash, json_block: 'true' })).toMatchObject({ contents: { previous: block.json.previous } });
  }, 60_000);
});
