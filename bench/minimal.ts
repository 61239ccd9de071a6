import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyType } from '../src/pki/keys.js';
import type { Contender } from './contender.js';
import { isListening } from './load-protocol.js';
import type { BenchPki } from './pki.js';
import { nextMessage, spawnNodeEntry, stopChild, type Pin } from './procs.js';

/**
 * The minimal node:https server in a child process: answering from its own LMDB ledger
 * (server-minimal.ts), or, with `upstream` (tcp://… or http://…), the minimal Node front that
 * forwards to it (server-minimal-front.ts).
 */
export async function startMinimal(options: { dir: string; pki: BenchPki; keyType: KeyType; pin: Pin; upstream?: string }): Promise<Contender> {
  await mkdir(options.dir, { recursive: true });
  const server = options.pki.servers[options.keyType];
  const files = {
    cert: join(options.dir, 'server.cert.pem'),
    key: join(options.dir, 'server.key.pem'),
    client: join(options.dir, 'client.cert.pem'),
    ledger: join(options.dir, 'ledger'),
  };
  await writeFile(files.cert, server.certPem);
  await writeFile(files.key, server.keyPem, { mode: 0o600 });
  await writeFile(files.client, options.pki.client.certPem);
  const child =
    options.upstream === undefined
      ? spawnNodeEntry('server-minimal.js', [files.cert, files.key, files.client, files.ledger], options.pin)
      : spawnNodeEntry('server-minimal-front.js', [files.cert, files.key, files.client, options.upstream], options.pin);
  try {
    const { port } = await nextMessage(child, isListening, 30_000);
    const pid = child.pid!;
    return { name: 'minimal', host: '127.0.0.1', port, cpuPids: () => [pid], stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
