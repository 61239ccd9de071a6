import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/problems.js';
import { loadPolicy } from '../../src/policy/load.js';
import { tempDir } from '../support/temp.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('nano-rpc-policy-load-');
});
afterAll(() => dir.remove());

async function problemsOf(text: string): Promise<string[]> {
  const file = join(dir.path, 'p.toml');
  await writeFile(file, text);
  try {
    await loadPolicy(file);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.replace(/^.*p\.toml/, 'p.toml'));
    throw error;
  }
  return [];
}

describe('loadPolicy', () => {
  it('reports every problem with its line', async () => {
    const problems = await problemsOf(`[default]
allow = ["read"]
rate = "fast"

[clients.ops]
cn = ["ops.admin"]
alow = ["*"]

[clients.nobody]
allow = ["read"]

[clients.typo]
fingerprint = ["12:34"]
deny = ["procss"]

[cache.ttl]
process = 5
`);
    expect(problems).toEqual([
      'p.toml:3: default.rate must be a number (got string "fast")',
      'p.toml:7: unknown key "clients.ops.alow" (did you mean "allow"?)',
    ]);
    const second = await problemsOf(`[clients.nobody]
allow = ["read"]

[clients.typo]
fingerprint = ["12:34"]
deny = ["procss"]

[clients.partners]
issuer = ["missing-ca.pem"]

[cache.ttl]
process = 5
`);
    expect(second).toEqual([
      'p.toml:1: clients.nobody matches no client: give cn, fingerprint or issuer',
      'p.toml:6: clients.typo.deny: unknown action or group "procss" (did you mean "process"?)',
      'p.toml:5: clients.typo.fingerprint: "12:34" is not a SHA-256 fingerprint (64 hex digits, colons allowed)',
      expect.stringMatching(/^p\.toml:9: clients\.partners\.issuer: cannot read CA certificate .*missing-ca\.pem: ENOENT/),
      'p.toml:12: cache.ttl.process: "process" is not a read-only ledger query and is never cached',
    ]);
  });

  it('refuses a weight no bucket could pay', async () => {
    expect(await problemsOf('[default]\nrate = 5\nburst = 5\n[default.weights]\nprocess = 10\n')).toEqual([
      'p.toml:5: default.weights.process = 10 is more than burst = 5: it could never be answered',
    ]);
  });

  it('reports TOML syntax errors with line and column', async () => {
    expect(await problemsOf('[default]\nallow = ["read"\n')).toEqual([expect.stringMatching(/^p\.toml:\d+:\d+: /)]);
  });
});
