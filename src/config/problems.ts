import * as path from 'node:path';

/**
 * Every problem found while loading configuration or TLS material, one line each.
 * Thrown only after all checks ran, so an operator fixes everything in one pass.
 */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = [...problems];
  }
}

/**
 * The name used at the start of every message: relative to the cwd when the file is below it
 * (so the default prints as `config-rpc.toml`), absolute otherwise.
 */
export function displayName(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** Node's errno codes in words; never the raw message, which can repeat the path twice. */
export function describeFsError(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a parent is not a directory',
    ELOOP: 'too many symbolic links',
    EMFILE: 'too many open files',
  };
  if (code === '') return err instanceof Error ? err.message : String(err);
  return words[code] !== undefined ? `${code} (${words[code]})` : code;
}
