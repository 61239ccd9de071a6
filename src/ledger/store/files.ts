import { chmod, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

/** The files LMDB keeps in the ledger folder. */
const LMDB_FILES = ['data.mdb', 'lock.mdb'];

/**
 * The ledger is private to the server: a folder it creates is 0700 and LMDB's files are 0600,
 * whatever the process umask (LMDB itself creates them 0664 minus the umask, so 0666 under 000).
 * The files are created empty before LMDB opens them (LMDB initialises an empty file), so there is
 * no moment they are readable by others; files of an older ledger are narrowed to 0600 too.
 */
export async function prepareLedgerFolder(path: string): Promise<void> {
  const created = await mkdir(path, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask, which can only narrow it; chmod makes it exact.
  if (created !== undefined) await chmod(path, 0o700);
  for (const name of LMDB_FILES) {
    const file = join(path, name);
    const handle = await open(file, 'a', 0o600);
    await handle.close();
    await chmod(file, 0o600);
  }
}
