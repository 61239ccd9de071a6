import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from 'undici';
import { post, rpc, tlsAgent } from '../support/clients.js';
import type { Identity } from '../support/pki.js';
import { startServerWithClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const MAX_REQUEST_SIZE = 4096;
let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let ca: Identity;
let client: Identity;
let agent: Agent;

const call = (body: string | Buffer, headers: Record<string, string> = {}, method = 'POST', path = '/') =>
  post(new URL(path, server.url).toString(), body, agent, headers, method);

beforeAll(async () => {
  dir = await tempDir();
  ({ server, ca, client, agent } = await startServerWithClient(dir.path, 'http', { topLevel: `max_request_size = ${MAX_REQUEST_SIZE}` }));
});

afterAll(async () => {
  await agent?.close();
  await server?.stop();
  await dir?.remove();
});

describe('what Nano clients depend on', () => {
  it('answers POST on any path, with the node headers and HTTP 200', async () => {
    const answer = await call('{"action":"block_count"}', { 'content-type': 'application/json' }, 'POST', '/some/path?x=1');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ count: '1', unchecked: '0', cemented: '1' });
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    expect(answer.headers['access-control-allow-headers']).toBe('Accept, Accept-Language, Content-Language, Content-Type');
    expect(answer.headers.allow).toBe('POST, OPTIONS');
  });

  it.each([
    ['no Content-Type', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form-urlencoded (curl -d)', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['something odd', { 'content-type': 'application/x-nano; charset=utf-8' }],
  ])('reads the body as JSON whatever the Content-Type: %s', async (_name, headers) => {
    expect((await call('{"action":"block_count"}', headers)).json).toEqual({ count: '1', unchecked: '0', cemented: '1' });
  });

  it('answers OPTIONS with 200, an empty body and the CORS headers', async () => {
    const answer = await call('', {}, 'OPTIONS');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
  });

  it.each(['GET', 'PUT', 'DELETE'])('answers %s with the node error', async (method) => {
    const answer = await call('', {}, method);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ error: 'Can only POST requests' });
  });

  it.each([
    ['malformed JSON', '{"action": "block_count"'],
    ['an empty body', ''],
    ['a JSON array', '[1,2]'],
    ['no action', '{"count": "1"}'],
    ['an invalid bare literal', '{"action": "block_count", "x": tru}'],
    ['a number as a key', '{"action": "block_count", 1: "x"}'],
  ])('answers %s with "Unable to parse JSON"', async (_name, body) => {
    expect((await call(body)).json).toEqual({ error: 'Unable to parse JSON' });
  });

  it('answers a URL it cannot decode and a malformed Content-Type like any bad request, without an error log', async () => {
    expect(
      (await rawRequest('POST /%zz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 24\r\nConnection: close\r\n\r\n{"action":"block_count"}')).split('\r\n')[0],
    ).toBe('HTTP/1.1 200 OK');
    // A media type without a subtype is refused by Fastify's parser lookup before ours runs.
    const malformed = await call('{"action":"block_count"}', { 'content-type': 'text' });
    expect(malformed.status).toBe(200);
    expect(malformed.json).toEqual({ error: 'Unable to parse JSON' });
    expect(server.logs.find((line) => line.level >= 50)).toBeUndefined();
  });

  it('answers an unknown action with "Unknown command", an object as action too (its text is empty)', async () => {
    expect((await call('{"action":"no_such_thing"}')).json).toEqual({ error: 'Unknown command' });
    expect((await call('{"action": {"a": 1}}')).json).toEqual({ error: 'Unknown command' });
  });

  it("reads numbers, true, false and null as their exact text, as the node's property tree does", async () => {
    // 2^64 − 1 and 10^30 are beyond a double's precision: read as text they stay exact.
    expect((await call('{"action":"raw_to_nano","amount":1000000000000000000000000000000}')).json).toEqual({ amount: '1' });
    expect((await call('{"action":"nano_to_raw","amount":12345678901234567890}')).json).toEqual({ amount: '227257678506011220559755187581534339072' });
    expect((await call('{"action":"nano_to_raw","amount":1e2}')).json).toEqual({ error: 'Invalid amount number' });
    expect(
      (await call('{"action":"chain","block":"04270D7F11C4B2B472F2854C5A59F2A7E84226CE9ED799DE75744BD7D85FC9D9","count":18446744073709551615}')).json,
    ).toEqual({
      blocks: ['04270D7F11C4B2B472F2854C5A59F2A7E84226CE9ED799DE75744BD7D85FC9D9'],
    });
    expect((await call('{"action":"chain","block":"04270D7F11C4B2B472F2854C5A59F2A7E84226CE9ED799DE75744BD7D85FC9D9","count":1.0}')).json).toEqual({
      error: 'Invalid count',
    });
    expect((await call('{"action":"account_balance","account":null}')).json).toEqual({ error: 'Bad account number' });
    expect((await call('{"action":"block_count", "flag": true, "list": [false, null, -0.5e-3]}')).json).toEqual({ count: '1', unchecked: '0', cemented: '1' });
  });

  it.each(['stop', 'wallet_create', 'ledger'])('answers the control action %s with "RPC control is disabled"', async (action) => {
    expect((await call(JSON.stringify({ action }))).json).toEqual({ error: 'RPC control is disabled' });
  });

  it('refuses nesting deeper than max_json_depth without parsing, and counts only real nesting', async () => {
    const nested = (depth: number): string => `{"action":"block_count","x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect((await call(nested(20))).json).toEqual({ count: '1', unchecked: '0', cemented: '1' });
    expect((await call(nested(21))).json).toEqual({ error: 'Max JSON depth exceeded' });
    const bracketsInString = JSON.stringify({ action: 'block_count', note: '['.repeat(100) });
    expect((await call(bracketsInString)).json).toEqual({ count: '1', unchecked: '0', cemented: '1' });
  });

  it('answers a body over max_request_size (with Content-Length) with the node error, and stays up', async () => {
    const big = JSON.stringify({ action: 'block_count', pad: 'x'.repeat(MAX_REQUEST_SIZE) });
    const answer = await call(big, { 'content-type': 'application/json' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ error: 'Invalid header: body limit exceeded' });
    expect((await call('{"action":"block_count"}')).json).toEqual({ count: '1', unchecked: '0', cemented: '1' });
  });

  it('answers a chunked body over max_request_size the same way', async () => {
    const raw = await rawRequest(
      'POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
        [0, 1, 2].map(() => `${(2000).toString(16)}\r\n${'x'.repeat(2000)}\r\n`).join('') +
        '0\r\n\r\n',
    );
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(raw).toContain('{"error":"Invalid header: body limit exceeded"}');
  });

  it('keeps the connection alive between requests (one handshake for many requests)', async () => {
    const single = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
    const before = server.logs.count((line) => line.msg === 'TLS client accepted');
    try {
      for (let i = 0; i < 5; i++) expect((await post(server.url, '{"action":"block_count"}', single)).json.count).toBe('1');
    } finally {
      await single.close();
    }
    expect(server.logs.count((line) => line.msg === 'TLS client accepted')).toBe(before + 1);
  });

  it('answers version, uptime with the node fields, all strings', async () => {
    const version = (await call('{"action":"version"}')).json;
    expect(version).toMatchObject({ rpc_version: '1', network: 'dev', network_identifier: '04270D7F11C4B2B472F2854C5A59F2A7E84226CE9ED799DE75744BD7D85FC9D9' });
    expect(version.node_vendor).toMatch(/^nano-secure-rpc \d+\.\d+\.\d+/);
    expect(version.store_vendor).toMatch(/^LMDB /);
    for (const value of Object.values(version)) expect(typeof value).toBe('string');
    const uptime = (await call('{"action":"uptime"}')).json;
    expect(uptime.seconds).toMatch(/^\d+$/);
  });

  it('logs each answered request with the action, the client identity and the duration, never the body', async () => {
    await call('{"action":"block_count","secret":"hunter2"}');
    const line = await server.logs.waitFor((l) => l.msg === 'rpc' && l.action === 'block_count');
    expect(line.client).toEqual({ commonName: 'http.client', fingerprint256: client.cert.fingerprint256 });
    expect(typeof line.us).toBe('number');
    expect(JSON.stringify(server.logs.lines)).not.toContain('hunter2');
  });

  it('names the action in the log line of a request it refused', async () => {
    expect((await call('{"action":"chain","block":"zz","count":"1"}')).json).toEqual({ error: 'Invalid block hash' });
    await server.logs.waitFor((l) => l.msg === 'rpc' && l.action === 'chain');
    expect((await call('{"action":"account_info"}')).json).toEqual({ error: 'Unable to parse JSON' });
    await server.logs.waitFor((l) => l.msg === 'rpc' && l.action === 'account_info');
    expect((await call('{"action":"stop"}')).json).toEqual({ error: 'RPC control is disabled' });
    await server.logs.waitFor((l) => l.msg === 'rpc' && l.action === 'stop');
  });
});

/** A hand-written HTTP/1.1 request over TLS, for framing that clients libraries won't produce. */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect({ host: '127.0.0.1', port: server.port, ca: ca.certPem, servername: 'localhost', cert: client.certPem, key: client.keyPem }, () =>
      socket.write(text),
    );
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

void rpc;
