import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp directory and its removal, for one test's LMDB store. */
export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'nano-ledger-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
