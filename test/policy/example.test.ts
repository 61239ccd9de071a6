import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/load.js';
import { makeCa } from '../support/pki.js';

describe('examples/policy.toml', () => {
  it('loads as documented (with its partners CA in place)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nano-rpc-example-'));
    try {
      await cp(fileURLToPath(new URL('../../examples/policy.toml', import.meta.url)), join(dir, 'policy.toml'));
      await writeFile(join(dir, 'partners-ca.pem'), (await makeCa('Partners CA')).certPem);
      const policy = await loadPolicy(join(dir, 'policy.toml'));
      expect(policy.rules.map((rule) => rule.name)).toEqual(['wallet-backend', 'ops', 'partners']);
      const backend = policy.decide({ commonName: 'wallet.backend.1' }, undefined).rule;
      expect(backend.rate).toBe(200);
      expect(backend.inFlight).toBe(8); // inherited from [default]
      expect(backend.maxCount.get('frontiers')).toBe(1000);
      expect(policy.cache.ttlMs.get('representatives')).toBe(60_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
