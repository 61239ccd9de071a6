import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBuildStale } from '../support/build-if-stale.js';
import { tempDir } from '../support/temp.js';

// The CLI and crash tests run dist/; the vitest globalSetup rebuilds it whenever a source is newer,
// so a targeted `npx vitest run` after an edit can't test a stale build.

describe('the stale-build check of the test setup', () => {
  let root: { path: string; remove: () => Promise<void> };
  const at = (seconds: number) => new Date(1_700_000_000_000 + seconds * 1000);
  const file = async (path: string, seconds: number) => {
    await mkdir(join(root.path, path, '..'), { recursive: true });
    await writeFile(join(root.path, path), '');
    await utimes(join(root.path, path), at(seconds), at(seconds));
  };

  beforeAll(async () => {
    root = await tempDir();
    await file('tsconfig.json', 0);
    await file('src/a.ts', 10);
    await file('bench/b.ts', 10);
    await file('dist/src/a.js', 20);
    await file('dist/bench/b.js', 20);
  });
  afterAll(async () => {
    await root.remove();
  });

  it('is satisfied when every output is newer than every source', () => {
    expect(isBuildStale(root.path)).toBe(false);
  });

  it('sees an edited source, a new source without output, and an edited tsconfig', async () => {
    await file('src/a.ts', 30);
    expect(isBuildStale(root.path)).toBe(true);
    await file('src/a.ts', 10);
    expect(isBuildStale(root.path)).toBe(false);
    await file('tsconfig.json', 40);
    expect(isBuildStale(root.path)).toBe(true);
    await file('tsconfig.json', 0);
    await file('src/deep/new.ts', 25);
    expect(isBuildStale(root.path)).toBe(true);
  });

  it('sees a missing dist/', async () => {
    const empty = await tempDir();
    try {
      await writeFile(join(empty.path, 'tsconfig.json'), '');
      await mkdir(join(empty.path, 'src'));
      await mkdir(join(empty.path, 'bench'));
      await writeFile(join(empty.path, 'src', 'x.ts'), '');
      expect(isBuildStale(empty.path)).toBe(true);
    } finally {
      await empty.remove();
    }
  });
});
