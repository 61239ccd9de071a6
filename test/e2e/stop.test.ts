import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { post, rpc } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { requestHeader } from '../../src/ipc/frame.js';

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;

beforeAll(async () => {
  dir = await tempDir();
  // Plain HTTP on loopback: `stop` behaves the same with or without TLS, which other files cover.
  server = await startTestServer({ dir: dir.path, topLevel: 'enable_control = true', clientCerts: false });
});

afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

describe('stop', () => {
  it('answers {"success":""}, lets an in-flight request finish, closes the ledger and the port', async () => {
    // An in-flight request: headers and half the body sent, the rest after `stop` was answered.
    const inFlight = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => inFlight.once('connect', resolve));
    const body = '{"action":"block_count"}';
    inFlight.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    let inFlightAnswer = '';
    inFlight.on('data', (chunk: Buffer) => {
      inFlightAnswer += chunk.toString();
    });
    const inFlightDone = new Promise((resolve) => inFlight.once('close', resolve));
    // Let the server parse the headers before stop arrives (an event, not a sleep: the first
    // byte of an unrelated request round-trip is answered after ours was read).
    expect(await rpc(server.url, { action: 'block_count' })).toEqual({ count: '1', unchecked: '0', cemented: '1' });

    const agent = new Agent();
    const answer = await post(server.url, '{"action":"stop"}', agent);
    expect(answer.json).toEqual({ success: '' });
    // The rest of the body, without closing our side: the server must close the connection.
    inFlight.write(body.slice(10));
    await server.service.stopped;
    await inFlightDone;
    expect(inFlightAnswer).toContain('{"count":"1","unchecked":"0","cemented":"1"}');
    expect(inFlightAnswer.toLowerCase()).toContain('connection: close');
    await agent.close();

    // The port is closed and the ledger was released (LMDB opens it again without complaint).
    await expect(rpc(server.url, { action: 'block_count' })).rejects.toThrow();
    const ledger = await openLedger({ path: server.config.ledgerPath });
    expect(ledger.counts().blocks).toBe(1n);
    await ledger.close();
  });
});

describe('stop over the node IPC protocol', () => {
  let ipcDir: { path: string; remove: () => Promise<void> };
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    ipcDir = await tempDir();
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await ipcDir?.remove();
  });

  it('answers `stop` on the IPC connection before the node stops, and a front in node mode stops with it', async () => {
    const nodeDir = join(ipcDir.path, 'node');
    await mkdir(nodeDir);
    const node = await startTestServer({
      dir: nodeDir,
      topLevel: 'enable_control = true',
      clientCerts: false,
      tables: '[ipc_listener]\nenable = true\naddress = "127.0.0.1"\nport = 0',
    });
    closers.push(() => node.stop());
    const frontDir = join(ipcDir.path, 'front');
    await mkdir(frontDir);
    const front = await startTestServer({
      dir: frontDir,
      topLevel: 'enable_control = true',
      clientCerts: false,
      tables: `[backend]\nmode = "node"\n[[backend.upstream]]\nipc = "tcp://127.0.0.1:${node.service.ipcAddress!.port}"\nconnections = 2`,
    });
    closers.push(() => front.stop());

    // Another IPC client with a request of its own: answered in full, then closed by the stop.
    const raw = connect(node.service.ipcAddress!.port, '127.0.0.1');
    await new Promise((resolve) => raw.once('connect', resolve));
    let rawAnswer = Buffer.alloc(0);
    raw.on('data', (chunk: Buffer) => {
      rawAnswer = Buffer.concat([rawAnswer, chunk]);
    });
    const rawClosed = new Promise((resolve) => raw.once('close', resolve));
    const payload = Buffer.from('{"action":"block_count"}');
    raw.write(Buffer.concat([requestHeader(payload.length), payload]));

    const agent = new Agent();
    const answer = await post(front.url, '{"action":"stop"}', agent);
    expect(answer.json).toEqual({ success: '' });
    await node.service.stopped;
    await front.service.stopped;
    await rawClosed;
    expect(rawAnswer.readUInt32BE(0)).toBe(rawAnswer.length - 4);
    expect(JSON.parse(rawAnswer.subarray(4).toString())).toEqual({ count: '1', unchecked: '0', cemented: '1' });
    await agent.close();
  });
});
