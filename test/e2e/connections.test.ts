import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpc, run } from '../support/clients.js';
import type { LogLine } from '../support/log-capture.js';
import { makeClient, type Identity } from '../support/pki.js';
import { startServerWithClient, type ServerWithClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const PER_ADDRESS = 8;
const HANDSHAKE_MS = 1500;

let dir: { path: string; remove: () => Promise<void> };
let setup: ServerWithClient;

beforeAll(async () => {
  dir = await tempDir();
  setup = await startServerWithClient(dir.path, 'conn', {
    connections: `handshake_timeout_ms = ${HANDSHAKE_MS}\nmax_connections_per_address = ${PER_ADDRESS}`,
    refusalSummaryMs: 500,
  });
});

afterAll(async () => {
  await setup?.close();
  await dir?.remove();
});

const logs = () => setup.server.logs;

function openIdle(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port: setup.server.port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

const closed = (socket: Socket): Promise<void> => new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

/** One handshake presenting `identity` (or no certificate), ending however the server ends it. */
function handshake(identity: Identity | undefined): Promise<void> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: setup.server.port,
      servername: 'localhost',
      ca: setup.ca.certPem,
      cert: identity?.certPem,
      key: identity?.keyPem,
    });
    socket.on('error', () => undefined);
    socket.once('close', () => resolve());
  });
}

describe('plain HTTP on the TLS port', () => {
  it('answers 400 saying to use https:// (as nginx does), with one log line in words', async () => {
    const { port } = setup.server;
    const result = await run('curl', [
      '--silent',
      '--show-error',
      '--write-out',
      '\n%{http_code}',
      '-d',
      '{"action":"block_count"}',
      `http://127.0.0.1:${port}/`,
    ]);
    expect(result.stderr).toBe('');
    const [body, status] = result.stdout.split('\n').filter(Boolean);
    expect(status).toBe('400');
    expect(body).toBe(`400 Bad Request: the plain HTTP request was sent to an HTTPS port. Use https://127.0.0.1:${port}/ instead.`);
    const line = await logs().waitFor((l) => l.kind === 'plain_http');
    expect(line.msg).toBe('plain HTTP request on the TLS port: answered 400, the client must use https://HOST/');
    expect(line.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    // The TLS port still serves TLS.
    expect(
      await rpc(setup.server.url, { action: 'block_count' }, { cert: setup.client.certPem, key: setup.client.keyPem, ca: setup.ca.certPem }),
    ).toHaveProperty('count', '1');
  });
});

describe('connection limits', () => {
  it(`closes a connection that never starts TLS after handshake_timeout_ms (${HANDSHAKE_MS} ms), and one that stops mid-handshake`, async () => {
    const silent = await openIdle();
    const partial = await openIdle();
    partial.write(Buffer.from([0x16, 0x03, 0x01]));
    const started = Date.now();
    await Promise.all([closed(silent), closed(partial)]);
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_MS + 10_000);
    await logs().waitFor((l) => l.kind === 'handshake_timeout' && l.msg === `connection closed: no TLS handshake within ${HANDSHAKE_MS} ms`);
  });

  it(`refuses more than ${PER_ADDRESS} connections from one address at once; a trusted client is served once they are gone`, async () => {
    const held = await Promise.all(Array.from({ length: PER_ADDRESS }, openIdle));
    const extra = await openIdle();
    // Closed at once, long before the held ones reach their handshake deadline.
    await closed(extra);
    expect(held.every((socket) => !socket.destroyed)).toBe(true);
    const line = await logs().waitFor((l) => l.kind === 'too_many_connections');
    expect(line.msg).toBe(`connection refused: ${PER_ADDRESS} connections from 127.0.0.1 are open (connections.max_connections_per_address)`);
    for (const socket of held) socket.destroy();
    await Promise.all(held.map(closed));
    // The server sees those closes a moment after the client does: a few real attempts at most.
    let answer: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 20 && !answer; attempt++) {
      answer = await rpc(setup.server.url, { action: 'block_count' }, { cert: setup.client.certPem, key: setup.client.keyPem, ca: setup.ca.certPem }).catch(
        () => undefined,
      );
    }
    expect(answer).toHaveProperty('count', '1');
  });
});

describe('refusals cannot flood the log', () => {
  it('logs the first refusal of a peer and reason in full, then one line with the count; a new reason is logged at once', async () => {
    const stranger = await makeClient('conn.stranger', setup.ca);
    const refusedStranger = (l: LogLine): boolean =>
      l.kind === 'untrusted' && (l.client as { fingerprint256?: string } | undefined)?.fingerprint256 === stranger.cert.fingerprint256;
    const from = logs().lines.length;
    for (let i = 0; i < 40; i++) await handshake(stranger);
    await handshake(undefined);
    const ours = (): LogLine[] => logs().lines.slice(from);
    expect(ours().filter(refusedStranger)).toHaveLength(1);
    expect(ours().filter((l) => l.kind === 'no_certificate' && l.msg === 'TLS client refused: no client certificate presented')).toHaveLength(1);
    const summaryLines = (): LogLine[] => ours().filter((l) => l.kind === 'untrusted' && typeof l.repeated === 'number');
    const counted = (): number => summaryLines().reduce((sum, l) => sum + (l.repeated as number), 0);
    // Every refusal is accounted for: 1 full line + the counted repeats (they may span two windows).
    await logs().waitFor(() => counted() >= 39, 15_000);
    expect(counted()).toBe(39);
    const summary = summaryLines()[0]!;
    expect(summary.msg).toMatch(/^TLS client refused: untrusted client certificate: .* \(\d+ more times? from 127\.0\.0\.1 in the last 1 s\)$/);
    expect(ours().length).toBeLessThan(10);
  });
});
