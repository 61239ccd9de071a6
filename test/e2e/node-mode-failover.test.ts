import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'undici';
import { post, tlsAgent } from '../support/clients.js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state, T } from '../ledger/builder.js';
import { startServerWithClient, startTestServer, type ServerWithClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

// Two of our embedded servers act as nodes (each its own ledger, answering on the node's IPC
// protocol); a mutual-TLS front in node mode forwards to both.

let dir: { path: string; remove: () => Promise<void> };
const closers: Array<() => Promise<void>> = [];
const plain = new Agent({ connections: 1 });

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await dir.remove();
});

afterAll(async () => {
  await plain.close();
});

async function embeddedNode(name: string, port = 0): Promise<TestServer> {
  const folder = join(dir.path, name);
  await mkdir(folder, { recursive: true });
  const node = await startTestServer({ dir: folder, tables: `[ipc_listener]\nenable = true\naddress = "127.0.0.1"\nport = ${port}` });
  let stopped = false;
  closers.push(async () => {
    if (!stopped) await node.stop();
  });
  return Object.assign(node, {
    stop: async () => {
      stopped = true;
      await node.service.stop();
    },
  });
}

async function front(ports: number[]): Promise<ServerWithClient> {
  const folder = join(dir.path, 'front');
  await mkdir(folder);
  const tables = [
    '[backend]',
    'mode = "node"',
    'probe_interval_ms = 200',
    ...ports.map((port) => `[[backend.upstream]]\nipc = "tcp://127.0.0.1:${port}"\nconnections = 4`),
  ].join('\n');
  const started = await startServerWithClient(folder, 'front', { tables });
  closers.push(() => started.close());
  return started;
}

const ipcPort = (node: TestServer): number => node.service.ipcAddress!.port;

describe('node mode failover', () => {
  it('loses no request and answers none twice when one of two nodes stops mid-load; `process` reaches one node once per block', async () => {
    const a = await embeddedNode('a');
    const b = await embeddedNode('b');
    const { server, client, ca } = await front([ipcPort(a), ipcPort(b)]);
    const agents = Array.from({ length: 4 }, () => tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem }));
    closers.push(async () => {
      for (const agent of agents) await agent.close();
    });

    // A chain of sends from genesis, made before the load starts.
    const blocks: Array<{ hash: string; json: Record<string, string> }> = [];
    let previous = DEV_GENESIS_HASH;
    for (let i = 1; i <= 12; i++) {
      const built = await state({
        account: GENESIS,
        previous,
        representative: GENESIS.pub,
        balance: GENESIS_AMOUNT - BigInt(i),
        link: newKey().pub,
        threshold: T.epoch1,
      });
      blocks.push(built);
      previous = built.hash;
    }

    let done = false;
    const reads: Array<Record<string, unknown>> = [];
    const loops = agents.map(async (agent) => {
      while (!done) reads.push((await post(server.url, '{"action":"block_count"}', agent)).json);
    });

    const processAnswers: Array<Record<string, unknown>> = [];
    for (const [index, block] of blocks.entries()) {
      processAnswers.push(
        (await post(server.url, JSON.stringify({ action: 'process', json_block: 'true', block: block.json }), agents[index % agents.length]!)).json,
      );
      if (index === 3) await a.stop();
    }
    done = true;
    await Promise.all(loops);

    // Every read answered, none with an error: a read that A dropped went to B.
    expect(reads.length).toBeGreaterThan(12);
    expect(reads.filter((answer) => answer.count === undefined)).toEqual([]);
    // One answer per block, each the node's: a ledger result or nano_rpc's text.
    expect(processAnswers).toHaveLength(blocks.length);
    for (const answer of processAnswers) expect(answer.hash !== undefined || typeof answer.error === 'string').toBe(true);
    // No block entered a ledger without its answer saying so, and none entered both.
    const accepted = processAnswers.filter((answer) => answer.hash !== undefined).length;
    expect(accepted).toBeGreaterThan(0);
    const inB = Number((await post(b.url, '{"action":"block_count"}', plain)).json.count) - 1;
    const reopenedA = await embeddedNode('a');
    const inA = Number((await post(reopenedA.url, '{"action":"block_count"}', plain)).json.count) - 1;
    expect(inA + inB).toBe(accepted);
    // A was serving when it stopped (least-busy spreads the load over both).
    expect(a.logs.count((line) => line.msg === 'rpc')).toBeGreaterThan(0);
    expect(server.logs.count((line) => line.msg === 'upstream out of service')).toBe(1);
  });

  it('reconnects after the node restarts, and logs it back in service', async () => {
    const node = await embeddedNode('n');
    const port = ipcPort(node);
    const { server, agent } = await front([port]);
    const call = async (): Promise<Record<string, unknown>> => (await post(server.url, '{"action":"block_count"}', agent)).json;
    expect(await call()).toMatchObject({ count: '1' });
    await node.stop();
    // Which of nano_rpc's texts depends on when the node's close reaches us; the retry reconnects.
    expect((await call()).error).toMatch(/^(There is a problem connecting to the node|Connection to node has failed|Cannot write to the node)/);
    await server.logs.waitFor((line) => line.msg === 'upstream out of service');
    await embeddedNode('n', port);
    expect(await call()).toMatchObject({ count: '1' });
    await server.logs.waitFor((line) => line.msg === 'upstream back in service');
  });
});
