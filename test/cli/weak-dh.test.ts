import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl } from '../support/clients.js';
import { startCli, type RunningCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

// Node 24's OpenSSL 3.5 refuses DH parameters under 2048 bits ("Error setting temp DH parameter"):
// the seed's `openssl dhparam -out dh1024.pem 1024` file made the server die at start there. The
// same refusal is produced on any Node by an OpenSSL config at security level 2.

const SHIPPED_CONFIG = fileURLToPath(new URL('../../config-rpc.toml', import.meta.url));
const SECLEVEL_2 = [
  'nodejs_conf = nodejs_init',
  '[nodejs_init]',
  'ssl_conf = ssl_sect',
  '[ssl_sect]',
  'system_default = system_default_sect',
  '[system_default_sect]',
  'CipherString = DEFAULT@SECLEVEL=2',
  '',
].join('\n');

describe('a DH file the platform refuses as too weak', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let server: RunningCli | undefined;

  beforeAll(async () => {
    folder = await tempDir();
    await writeFile(join(folder.path, 'config-rpc.toml'), (await readFile(SHIPPED_CONFIG, 'utf8')).replace('port = 7076', 'port = 0'));
    // First start makes the development PKI (tls/dh2048.pem among it); then the DH file is swapped for 1024 bits.
    const first = startCli(['serve'], { cwd: folder.path });
    await first.waitForOutput(/RPC listening address/);
    first.child.kill('SIGTERM');
    await first.exited;
    await openssl('dhparam', '-out', join(folder.path, 'tls', 'dh2048.pem'), '1024');
    await writeFile(join(folder.path, 'seclevel2.cnf'), SECLEVEL_2);
  }, 60_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await folder.remove();
  });

  it('starts without it and says so once, naming server_dh_path, the size and the command that makes a good one', async () => {
    server = startCli(['serve'], { cwd: folder.path, env: { NODE_OPTIONS: `--openssl-config=${join(folder.path, 'seclevel2.cnf')}` } });
    await server.waitForOutput(/RPC listening address/);
    const warning =
      /secure\.server_dh_path: this platform's OpenSSL refuses the 1024-bit DH parameters in \S*dh2048\.pem as too weak; starting without them \(TLS 1\.3 and ECDHE are unaffected\)\. Make 2048-bit ones with: scripts\/make-dhparam\.sh/;
    expect(server.stdout + server.stderr).toMatch(warning);
    expect((server.stdout + server.stderr).match(/refuses the 1024-bit DH parameters/g)).toHaveLength(1);
  }, 30_000);
});
