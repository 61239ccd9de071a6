import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RPC_ERRORS } from '../../src/rpc/errors.js';
import { post } from '../support/clients.js';
import { prettyLikeTheNode, startIpcDouble, type IpcDouble } from '../support/ipc-double.js';
import { startServerWithClient, type ServerWithClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';

// What a real node does that ours doesn't (pretty answers, dropping the connection, hanging), and
// nano_rpc's error texts for each, through a mutual-TLS front in node mode.

let dir: { path: string; remove: () => Promise<void> };
const closers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await dir.remove();
});

async function double(...args: Parameters<typeof startIpcDouble>): Promise<IpcDouble> {
  const started = await startIpcDouble(...args);
  closers.push(() => started.close());
  return started;
}

let fronts = 0;
async function front(
  upstreams: string[],
  extra = '',
  topLevel = '',
): Promise<ServerWithClient & { call: (payload: unknown) => Promise<{ text: string; json: Record<string, unknown> }> }> {
  const folder = join(dir.path, `front${fronts++}`);
  await mkdir(folder);
  const tables = [
    '[backend]',
    'mode = "node"',
    'probe_interval_ms = 60000',
    extra,
    ...upstreams.map((ipc) => `[[backend.upstream]]\nipc = "${ipc}"\nconnections = 2`),
  ].join('\n');
  const started = await startServerWithClient(folder, 'front', { tables, topLevel });
  closers.push(() => started.close());
  return { ...started, call: async (payload) => post(started.server.url, JSON.stringify(payload), started.agent) };
}

describe('node mode: what a real node does', () => {
  it("passes the node's answer bytes through unchanged (pretty-printed), with our headers", async () => {
    const node = await double(
      () => 'pretty',
      // Multi-byte UTF-8 too: the bytes go out as they came, and Content-Length counts bytes.
      () => ({ quorum_delta: '1000', online_weight_minimum: '60000000000000000000000000000000000000', note: 'Zoë ✓ 𝄞' }),
    );
    const { server, agent } = await front([node.url]);
    const answer = await post(server.url, '{"action":"confirmation_quorum"}', agent);
    const expected = prettyLikeTheNode({ quorum_delta: '1000', online_weight_minimum: '60000000000000000000000000000000000000', note: 'Zoë ✓ 𝄞' });
    expect(answer.text).toBe(expected);
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength(expected)));
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(node.received).toEqual([{ action: 'confirmation_quorum' }]);
  });

  it("forwards the client's bytes, so numbers past double precision arrive exactly", async () => {
    const node = await double(() => 'pretty');
    const { server, agent } = await front([node.url]);
    const body = '{"action":"account_history", "count":123456789012345678901234567890}';
    await post(server.url, body, agent);
    expect(node.raw).toEqual([body]);
  });

  it('forwards what it checked when a key is sent twice: a repeated "action" cannot smuggle a control action past the front', async () => {
    const node = await double(() => 'pretty');
    const { server, agent } = await front([node.url]);
    // JSON.parse keeps the last "action", the node's property tree the first: the node must see ours.
    await post(server.url, '{"action":"stop","action":"block_count"}', agent);
    expect(node.raw).toEqual(['{"action":"block_count"}']);
    // The other order is refused in front: the action we read is the control action.
    expect((await post(server.url, '{"action":"block_count","action":"stop"}', agent)).json).toEqual({ error: 'RPC control is disabled' });
    expect(node.raw).toHaveLength(1);
  });

  it("says nano_rpc's connect text when nothing listens on the IPC port", async () => {
    const gone = await startIpcDouble(() => 'pretty');
    await gone.close();
    const { call, server } = await front([gone.url]);
    expect((await call({ action: 'block_count' })).json).toEqual({ error: RPC_ERRORS.node_connect_problem });
    expect(RPC_ERRORS.node_connect_problem).toMatch(/^There is a problem connecting to the node\. Make sure ipc->tcp is enabled/);
    await server.logs.waitFor((line) => line.msg === 'upstream out of service' && line.upstream === gone.url);
  });

  it('says "Connection to node has failed" when the node closes before answering, and never sends `process` twice', async () => {
    const node = await double(() => 'close_before_answer');
    const { call } = await front([node.url]);
    expect((await call({ action: 'process', block: { type: 'state' } })).json).toEqual({ error: 'Connection to node has failed' });
    expect(node.received.map((r) => r.action)).toEqual(['process']);
    // A read-only action is sent once more (here the same node: there is no other), as nano_rpc did.
    expect((await call({ action: 'block_count' })).json).toEqual({ error: 'Connection to node has failed' });
    expect(node.received.map((r) => r.action)).toEqual(['process', 'block_count', 'block_count']);
  });

  it('says "Failed to read payload" when the node closes in the middle of an answer, and is not retried', async () => {
    const node = await double(() => 'close_mid_answer');
    const { call } = await front([node.url]);
    expect((await call({ action: 'block_count' })).json).toEqual({ error: 'Failed to read payload' });
    expect(node.received.length).toBe(1);
  });

  it("times out a hanging node with the node's text and a log line naming it; the client connection stays usable", async () => {
    const node = await double((request) => (request.action === 'slow' ? 'hang' : 'pretty'));
    const { call, server } = await front([node.url], 'request_timeout_ms = 300');
    expect((await call({ action: 'slow' })).json).toEqual({ error: 'Connection to node has failed' });
    const line = await server.logs.waitFor((l) => l.msg === 'upstream request timed out');
    expect(line.upstream).toBe(node.url);
    // Same keep-alive client connection, next request answered.
    expect((await call({ action: 'block_count' })).json).toEqual({ count: '1', unchecked: '0', cemented: '1' });
  });

  it('bounds what it holds of an answer: over backend.max_answer_size is "Failed to read payload"', async () => {
    const node = await double(
      () => 'pretty',
      (request) => (request.action === 'ledger' ? { accounts: 'x'.repeat(5000) } : { count: '1' }),
    );
    const { call } = await front([node.url], 'max_answer_size = 1024', 'enable_control = true');
    expect((await call({ action: 'ledger' })).json).toEqual({ error: 'Failed to read payload' });
    // The connection was dropped, not the upstream: the next answer comes.
    expect((await call({ action: 'block_count' })).json).toEqual({ count: '1' });
  });

  it('adds a random id to a send without one (as nano_rpc does) and keeps one that is there', async () => {
    const node = await double(
      () => 'pretty',
      () => ({ block: '0'.repeat(64) }),
    );
    const { call } = await front([node.url], '', 'enable_control = true');
    await call({ action: 'send', wallet: 'W', source: 'S', destination: 'D', amount: '1' });
    await call({ action: 'send', wallet: 'W', source: 'S', destination: 'D', amount: '1', id: 'mine' });
    expect(node.received[0]!.id).toMatch(/^[0-9A-F]{32}$/);
    expect(node.received[0]).toMatchObject({ action: 'send', wallet: 'W', source: 'S', destination: 'D', amount: '1' });
    expect(node.received[1]!.id).toBe('mine');
  });
});

describe('node mode: two nodes', () => {
  it('sends a read-only action to the other node when the first drops it; a state change is never sent twice', async () => {
    const dropping = await double(() => 'close_before_answer');
    const healthy = await double(() => 'pretty');
    const { call, server } = await front([dropping.url, healthy.url]);
    expect((await call({ action: 'block_count' })).json).toEqual({ count: '1', unchecked: '0', cemented: '1' });
    expect(dropping.received.map((r) => r.action)).toEqual(['block_count']);
    expect(healthy.received.map((r) => r.action)).toEqual(['block_count']);
    await server.logs.waitFor((line) => line.msg === 'upstream out of service' && line.upstream === dropping.url);
  });

  it('never sends `process` to a second node after the first received it', async () => {
    const dropping = await double(() => 'close_before_answer');
    const healthy = await double(() => 'pretty');
    const { call } = await front([dropping.url, healthy.url]);
    expect((await call({ action: 'process', block: { type: 'state' } })).json).toEqual({ error: 'Connection to node has failed' });
    expect(dropping.received.map((r) => r.action)).toEqual(['process']);
    expect(healthy.received).toEqual([]);
  });

  it('sends anything to the other node when the first refuses the connection (nothing was sent)', async () => {
    const gone = await startIpcDouble(() => 'pretty');
    await gone.close();
    const healthy = await double(
      () => 'pretty',
      () => ({ hash: 'AB' }),
    );
    const { call } = await front([gone.url, healthy.url]);
    expect((await call({ action: 'process', block: { type: 'state' } })).json).toEqual({ hash: 'AB' });
    expect(healthy.received.map((r) => r.action)).toEqual(['process']);
  });
});
