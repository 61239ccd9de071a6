import { readFile, writeFile } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestOn, run } from '../support/clients.js';
import { CLI, startCli, type RunningCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const SHIPPED_CONFIG = fileURLToPath(new URL('../../config-rpc.toml', import.meta.url));
const DESCRIPTORS = 256;
const IDLE = 300;

let folder: { path: string; remove: () => Promise<void> };
let server: RunningCli;
let port: number;

const nanoRpc = (...args: string[]) => run(process.execPath, [CLI, ...args], { cwd: folder.path });
const closed = (socket: Socket): Promise<void> => new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

function openIdle(): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '::1', port });
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

async function trustedClient(name: string): Promise<TLSSocket> {
  const users = join(folder.path, 'tls', 'users');
  const [cert, key] = await Promise.all([readFile(join(users, `${name}.cert.pem`), 'utf8'), readFile(join(users, `${name}.key.pem`), 'utf8')]);
  const socket = tlsConnect({ host: '::1', port, cert, key, rejectUnauthorized: false });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('close', () => reject(new Error('closed before the handshake'))));
  return socket;
}

beforeAll(async () => {
  folder = await tempDir();
  // Every socket comes from ::1 here, so the per-address cap is opened up to reach the total one.
  const toml = (await readFile(SHIPPED_CONFIG, 'utf8'))
    .replace('port = 7076', 'port = 0')
    .replace('handshake_timeout_ms = 5000', 'handshake_timeout_ms = 20000')
    .replace('max_connections_per_address = 128', 'max_connections_per_address = 1000');
  expect(toml).toContain('max_connections_per_address = 1000');
  await writeFile(join(folder.path, 'config-rpc.toml'), toml);
  expect((await nanoRpc('certs', 'init')).code).toBe(0);
  server = startCli(['serve'], { cwd: folder.path, wrapper: ['prlimit', `--nofile=${DESCRIPTORS}:${DESCRIPTORS}`] });
  port = Number((await server.waitForOutput(/RPC listening address: https:\/\/\[::1\]:(\d+)\//))[1]);
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await folder?.remove();
});

describe(`at a descriptor limit of ${DESCRIPTORS} (prlimit) with ${IDLE} idle sockets`, () => {
  it('keeps descriptors in reserve: admitted clients are served and a revocation still closes their connection', async () => {
    const [, configured, lowered] = await server.waitForOutput(/connections\.max_connections lowered from (\d+) to (\d+)/);
    expect(Number(configured)).toBe(2048);
    expect(Number(lowered)).toBeLessThan(DESCRIPTORS - 64);

    const admitted = await trustedClient('rpc.user.1');
    expect(await requestOn(admitted)).toContain('"count":"1"');

    const idle: Socket[] = [];
    for (let i = 0; i < IDLE; i++) idle.push(await openIdle());
    await server.waitForOutput(/"kind":"too_many_connections"[^\n]*connections are open \(connections\.max_connections\)/);
    // The admitted connection is still served while the port is full.
    expect(await requestOn(admitted)).toContain('"count":"1"');

    // Revocation needs descriptors (a rescan of the directory): it still happens, and closes the connection.
    const revoke = await nanoRpc('certs', 'revoke', 'rpc.user.1');
    expect(revoke.code).toBe(0);
    await server.waitForOutput(/"commonName":"rpc\.user\.1"[^\n]*"msg":"client certificate revoked"/);
    await closed(admitted);
    expect(server.stdout + server.stderr).not.toMatch(/EMFILE|rescan failed/);

    for (const socket of idle) socket.destroy();
    await Promise.all(idle.map(closed));
    // A client enrolled now is served once the idle sockets are gone (the server sees their close a moment later).
    expect((await nanoRpc('certs', 'client', 'rpc.user.2')).code).toBe(0);
    await server.waitForOutput(/"commonName":"rpc\.user\.2"[^\n]*"msg":"client certificate trusted"/);
    let answer: string | undefined;
    for (let attempt = 0; attempt < 20 && answer === undefined; attempt++) {
      answer = await trustedClient('rpc.user.2').then(
        async (socket) => {
          try {
            return await requestOn(socket);
          } finally {
            socket.destroy();
          }
        },
        () => undefined,
      );
    }
    expect(answer).toContain('"count":"1"');
  });
});
