import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/problems.js';

let dir: string;
let prevCwd: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nano-rpc-config-pm-'));
  prevCwd = process.cwd();
  process.chdir(dir);
});
afterEach(async () => {
  process.chdir(prevCwd);
  await rm(dir, { recursive: true, force: true });
});

async function load(text: string) {
  const file = path.join(dir, 'config-rpc.toml');
  await writeFile(file, text);
  return loadConfig(file, {});
}

describe('[policy] and [metrics] keys', () => {
  it('default to no policy and metrics off on loopback', async () => {
    const config = await load('');
    expect(config.policyFile).toBe('');
    expect(config.metrics).toEqual({ enable: false, address: '::1', port: 9076, tls: false });
  });

  it('resolve the policy path, normalise the metrics address and warn when metrics leave loopback without TLS', async () => {
    const config = await load('[policy]\nfile = "rules/policy.toml"\n[metrics]\nenable = true\naddress = "0.0.0.0"\nport = 9100\n');
    expect(config.policyFile).toBe(path.join(dir, 'rules', 'policy.toml'));
    expect(config.metrics).toEqual({ enable: true, address: '0.0.0.0', port: 9100, tls: false });
    expect(config.warnings).toEqual([expect.stringMatching(/^config-rpc\.toml:5: metrics\.address 0\.0\.0\.0 serves metrics .* without TLS/)]);
  });

  it('report bad values with their lines', async () => {
    const error = await load('[metrics]\nenable = true\naddress = "localhost"\ntls = true\nprot = 1\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'config-rpc.toml:5: unknown key "metrics.prot" (did you mean "metrics.port"?)',
      'config-rpc.toml:3: metrics.address must be an IP address such as "::1" or "127.0.0.1" (got string "localhost")',
      "config-rpc.toml:4: metrics.tls = true needs secure.enable = true (it uses the RPC's certificate and client trust)",
    ]);
  });
});
