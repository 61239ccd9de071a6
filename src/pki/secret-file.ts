import { chmod, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

export const FILE_MODE = {
  privateKey: 0o600,
  caKey: 0o400,
  certificate: 0o644,
  /** Directories created to hold keys. */
  directory: 0o700,
} as const;

export interface WriteResult {
  path: string;
  /** false: the file already existed and was left untouched. */
  created: boolean;
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

/**
 * The one way the PKI writes files: never overwrites (an existing file is kept and reported),
 * creates missing parent directories 0700, and gives the file its final mode before any byte
 * is written, so a private key is never readable by others even for a moment.
 */
export async function writeNewFile(path: string, data: string | Uint8Array, mode: number): Promise<WriteResult> {
  await mkdir(dirname(path), { recursive: true, mode: FILE_MODE.directory });
  let handle;
  try {
    // Created 0600 at most; the umask may only narrow it. The final mode is set below.
    handle = await open(path, 'wx', mode & 0o600);
  } catch (err: unknown) {
    if (isErrno(err, 'EEXIST')) return { path, created: false };
    throw err;
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(path, mode);
  return { path, created: true };
}
