import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/clients.js';
import { startCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

// `npx nano-rpc` outside the project asked the public registry for a package of that name (a
// non-interactive npx would install and run it). Every command the README and the server print
// must be safe as written; the client-certificate script must not drop keys into the repository.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHIPPED_CONFIG = join(ROOT, 'config-rpc.toml');

describe('commands are safe as written', () => {
  it('the README never runs a bare `npx nano-rpc` and says how to install the command', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    // Any command line that runs the bin through npx must carry --no (prose may name the unsafe form).
    const npxLines = readme.split('\n').filter((line) => /\bnpx (?!--no\b)[^`]*nano-rpc (call|certs|serve|version|help)\b/.test(line));
    expect(npxLines).toEqual([]);
    expect(readme).toMatch(/npm link/);
  });

  it("`npx --no nano-rpc` runs the project's own command from the project folder", async () => {
    const result = await run('npx', ['--no', 'nano-rpc', 'version'], { cwd: ROOT });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^nano-secure-rpc \d+\.\d+\.\d+/);
  });

  it('serve prints the safe form in its hints', async () => {
    const folder = await tempDir();
    try {
      await writeFile(join(folder.path, 'config-rpc.toml'), (await readFile(SHIPPED_CONFIG, 'utf8')).replace('port = 7076', 'port = 0'));
      const server = startCli(['serve'], { cwd: folder.path });
      try {
        const [hint] = (await server.waitForOutput(/\S*npx[^\n]*nano-rpc call[^\n]*/)) as unknown as [string];
        expect(hint).toMatch(/^npx --no nano-rpc call block_count/);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    } finally {
      await folder.remove();
    }
  });
});

describe('scripts/make-client-cert.sh NAME tls/clients', () => {
  let folder: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    folder = await tempDir();
  });
  afterAll(async () => {
    await folder.remove();
  });

  it('puts the key beside its certificate in tls/users (git-ignored), not in the current folder', async () => {
    const result = await run('bash', [join(ROOT, 'scripts', 'make-client-cert.sh'), 'alice', 'tls/clients'], { cwd: folder.path });
    expect(result.code).toBe(0);
    await expect(access(join(folder.path, 'alice.key.pem'))).rejects.toThrow();
    expect(((await stat(join(folder.path, 'tls', 'users', 'alice.key.pem'))).mode & 0o777).toString(8)).toBe('600');
    await access(join(folder.path, 'tls', 'users', 'alice.cert.pem'));
    // The same relative path inside the repository is ignored by its .gitignore.
    const ignored = await run('git', ['check-ignore', '--no-index', '-q', 'tls/users/alice.key.pem'], { cwd: ROOT });
    expect(ignored.code).toBe(0);
  });
});
