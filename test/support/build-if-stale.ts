import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// vitest globalSetup: the CLI and crash tests run the built `dist/` (plain node can't load .ts).
// A `npx vitest run test/cli/x.test.ts` after editing src/ would test yesterday's build; so when
// any source is newer than its output (or missing from it), build first. Up to date: nothing runs.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = ['src', 'bench'];

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether some source under `root` (src/, bench/) lacks its dist/ output, or is newer than it or tsconfig.json is. */
export function isBuildStale(root = ROOT): boolean {
  const config = mtimeOf(join(root, 'tsconfig.json'));
  for (const folder of SOURCES) {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
      const source = join(entry.parentPath, entry.name);
      const output = join(root, 'dist', relative(root, source)).replace(/\.ts$/, '.js');
      const built = mtimeOf(output);
      if (built < Math.max(mtimeOf(source), config)) return true;
    }
  }
  return false;
}

export default function setup(): void {
  if (!isBuildStale()) return;
  process.stdout.write('dist/ is older than the sources: npm run build\n');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
