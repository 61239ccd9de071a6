import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../support/clients.js';
import { startServerWithClient, type ServerWithClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';

let dir: { path: string; remove: () => Promise<void> };
let setup: ServerWithClient;

beforeAll(async () => {
  dir = await tempDir('nano-rpc-audit-');
  // No policy file, enable_control off, log_rpc off: the audit line is the only trace.
  setup = await startServerWithClient(dir.path, 'audit', { topLevel: '[logging]\nlog_rpc = false' });
});
afterAll(async () => {
  await setup?.close();
  await dir?.remove();
});

describe('audit without a policy file', () => {
  it('logs a control action refused by enable_control once, with the client identity and no body', async () => {
    const secret = 'A'.repeat(64);
    const answer = await post(setup.server.url, JSON.stringify({ action: 'wallet_create', seed: secret }), setup.agent);
    expect(answer.json).toEqual({ error: 'RPC control is disabled' });
    const lines = setup.server.logs.lines.filter((line) => line.audit === 'control' && line.action === 'wallet_create');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ outcome: 'control_disabled', client: { commonName: 'audit.client', fingerprint256: setup.client.cert.fingerprint256 } });
    expect(JSON.stringify(setup.server.logs.lines)).not.toContain(secret);
  });
});
