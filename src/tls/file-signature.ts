import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

async function describe(path: string): Promise<string> {
  const [link, target] = await Promise.all([lstat(path).catch(() => undefined), stat(path).catch(() => undefined)]);
  if (!link) return 'missing';
  // Both the entry and what it points to: replacing a symlink's target must count as a change.
  const self = `${link.ino}:${link.size}:${link.mtimeMs}`;
  return target ? `${self}>${target.ino}:${target.size}:${target.mtimeMs}:${target.ctimeMs}` : `${self}>dangling`;
}

/** Changes whenever an entry of the folder is added, removed, replaced or rewritten. */
export async function folderSignature(folder: string): Promise<string> {
  const names = (await readdir(folder).catch(() => undefined))?.sort();
  if (!names) return 'missing';
  const parts = await Promise.all(names.map(async (name) => `${name}=${await describe(join(folder, name))}`));
  return parts.join('\n');
}

/** Changes whenever one of the files is replaced or rewritten. */
export async function filesSignature(paths: readonly string[]): Promise<string> {
  return (await Promise.all(paths.map(describe))).join('\n');
}
