import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/clients.js';
import { CLI, startCli, type RunningCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const SHIPPED_CONFIG = fileURLToPath(new URL('../../config-rpc.toml', import.meta.url));

const policy = (userAllow: string): string => `[default]
allow = ["read"]

[clients.user]
cn = ["rpc.user.1"]
allow = [${userAllow}]
`;

describe('nano-rpc policy, certs list and SIGHUP (the built command)', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let server: RunningCli;
  let port: string;
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], { cwd: folder.path });
  const curl = (body: string) =>
    run('curl', ['-s', '--cacert', 'tls/ca/ca.cert.pem', '--cert', 'tls/users/rpc.user.1.pem', '-d', body, `https://[::1]:${port}/`], { cwd: folder.path });

  beforeAll(async () => {
    folder = await tempDir();
    const toml = (await readFile(SHIPPED_CONFIG, 'utf8')).replace('port = 7076', 'port = 0');
    await writeFile(join(folder.path, 'config-rpc.toml'), toml);
    await appendFile(join(folder.path, 'config-rpc.toml'), '\n[policy]\nfile = "policy.toml"\n');
    await writeFile(join(folder.path, 'policy.toml'), policy('"utility"'));
    server = startCli(['serve'], { cwd: folder.path });
    [, port] = (await server.waitForOutput(/RPC listening address: https:\/\/\[::1\]:(\d+)\//)) as unknown as [string, string];
  });

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await folder?.remove();
  });

  it('checks a policy file: valid, and invalid with its line', async () => {
    const ok = await cli('policy', 'check');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/policy\.toml: valid: \[default\] and 1 client rule \(user\)/);
    await writeFile(join(folder.path, 'bad.toml'), '[default]\nallow = ["read"]\n\n[clients.x]\ncn = ["a"]\ndeny = ["proces"]\n');
    const bad = await cli('policy', 'check', 'bad.toml');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: bad.toml:6: clients.x.deny: unknown action or group "proces" (did you mean "process"?)');
  });

  it('explains which rule applies to a certificate and why; certs list shows it', async () => {
    const explained = await cli('policy', 'explain', 'tls/users/rpc.user.1.cert.pem', 'block_count');
    expect(explained.code).toBe(1);
    expect(explained.stdout).toContain('rule: [clients.user] (CN rpc.user.1)');
    expect(explained.stdout).toContain('block_count: refused: not in allow = ["utility"]; the client gets "Action not allowed"');
    const byName = await cli('policy', 'explain', 'someone.else', 'block_count');
    expect(byName.code).toBe(0);
    expect(byName.stdout).toContain('rule: [default] (no client rule matched)');
    const list = await cli('certs', 'list');
    expect(list.stdout).toMatch(/CN=rpc\.user\.1 .* rule clients\.user \(CN rpc\.user\.1\)/);
  });

  it('applies the policy to requests, and SIGHUP re-reads it', async () => {
    expect(JSON.parse((await curl('{"action":"block_count"}')).stdout)).toEqual({ error: 'Action not allowed' });
    expect(JSON.parse((await curl('{"action":"version"}')).stdout).rpc_version).toBe('1');
    await writeFile(join(folder.path, 'policy.toml'), policy('"read", "utility"'));
    server.child.kill('SIGHUP');
    await server.waitForOutput(/SIGHUP[^\n]*reloading the policy/);
    await server.waitForOutput(/policy reloaded/);
    expect(JSON.parse((await curl('{"action":"block_count"}')).stdout).count).toBe('1');
    expect(server.child.exitCode).toBeNull();
  });
});
