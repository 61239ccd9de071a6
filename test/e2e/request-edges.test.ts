import { connect } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

// Findings of the fuzzing and RPC conformance passes (issue 8, items 3 and 4), against a real server
// (plain HTTP: none of this depends on TLS, and the raw-socket case is simpler without it).

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let agent: Agent;

beforeAll(async () => {
  dir = await tempDir();
  server = await startTestServer({ dir: dir.path });
  agent = new Agent({ connections: 1 });
});

afterAll(async () => {
  await agent.close();
  await server.stop();
  await dir.remove();
});

const call = async (payload: unknown) => (await post(server.url, JSON.stringify(payload), agent)).json;

/** One raw HTTP/1.1 request with `extra` header fields before Content-Length; the whole answer as text. */
function rawRequest(extra: number, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    const fields = Array.from({ length: extra }, (_, i) => `x-f${i}: 1\r\n`).join('');
    socket.end(`POST / HTTP/1.1\r\nHost: x\r\n${fields}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('work_validate with an extreme multiplier', () => {
  it.each(['1e-300', '1e-295', '4.9e-324'])('answers "Bad multiplier" for %s, not an internal error', async (multiplier) => {
    expect(await call({ action: 'work_validate', hash: '0'.repeat(64), work: '0'.repeat(16), multiplier })).toEqual({ error: 'Bad multiplier' });
  });

  it('still takes a tiny multiplier whose difficulty fits', async () => {
    expect(await call({ action: 'work_validate', hash: '0'.repeat(64), work: '0'.repeat(16), multiplier: '1e-280' })).toMatchObject({ valid_all: '0' });
  });
});

describe('requests with very many header fields', () => {
  const body = '{"action":"block_count"}';

  it('answers a request with 990 header fields', async () => {
    const answer = await rawRequest(990, body);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('{"count":"1"');
  });

  it('refuses one whose fields past the 1,000th (Content-Length among them) Node would drop, and closes the connection', async () => {
    const answer = await rawRequest(1200, body);
    if (answer.startsWith('HTTP/1.1 431')) {
      // Node 22+ refuses such a request itself (431 Request Header Fields Too Large): also clear.
      expect(answer).not.toContain('Unable to parse JSON');
    } else {
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toMatch(/connection: close/i);
      expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe('{"error":"Invalid header: too many header fields (1000 at most)"}');
    }
    expect(await call({ action: 'block_count' })).toMatchObject({ count: '1' });
  });
});

describe('telemetry with a bracketed address (nano::parse_address chops the brackets)', () => {
  it('answers for "[::1]" as for "::1"', async () => {
    expect(await call({ action: 'telemetry', address: '[::1]', port: '44000' })).toMatchObject({ block_count: '1', peer_count: '0' });
  });

  it('says Peer not found for "[127.0.0.1]" with another port, and still refuses a malformed address', async () => {
    expect(await call({ action: 'telemetry', address: '[127.0.0.1]', port: '7075' })).toEqual({ error: 'Peer not found' });
    expect(await call({ action: 'telemetry', address: '[127.0.0.1]', port: '44000' })).toMatchObject({ block_count: '1' });
    expect(await call({ action: 'telemetry', address: '[::1', port: '44000' })).toEqual({ error: 'Invalid IP address' });
  });
});
