import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RPC_ERRORS } from '../../src/rpc/errors.js';

// The registry holds what a client can receive: a code no source file raises is dead weight that
// documents an answer the server never gives.

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

describe('the error registry', () => {
  it('has no code that nothing in src/ raises', async () => {
    const files = (await readdir(SRC, { recursive: true })).filter((name) => name.endsWith('.ts') && !name.endsWith('errors.ts'));
    const sources = (await Promise.all(files.map((name) => readFile(join(SRC, name), 'utf8')))).join('\n');
    const unused = Object.keys(RPC_ERRORS).filter((code) => !sources.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });
});
