import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsAgent } from '../support/clients.js';
import { startServerWithClient, type ServerWithClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';

let dir: { path: string; remove: () => Promise<void> };
let setup: ServerWithClient;

beforeAll(async () => {
  dir = await tempDir('nano-rpc-metrics-tls-');
  setup = await startServerWithClient(dir.path, 'metrics', {
    topLevel: 'metrics.enable = true\nmetrics.address = "127.0.0.1"\nmetrics.port = 0\nmetrics.tls = true',
  });
});
afterAll(async () => {
  await setup?.close();
  await dir?.remove();
});

describe('metrics over the same mutual TLS', () => {
  it('answers a trusted client certificate and refuses a connection without one', async () => {
    const url = setup.server.service.metricsUrl!;
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const scraped = await request(`${url}metrics`, { dispatcher: setup.agent });
    expect(scraped.statusCode).toBe(200);
    expect(await scraped.body.text()).toContain('nano_rpc_trusted_clients 1');

    const anonymous = tlsAgent({ ca: setup.ca.certPem });
    try {
      await expect(request(`${url}health`, { dispatcher: anonymous })).rejects.toThrow();
    } finally {
      await anonymous.close();
    }
    await setup.server.logs.waitFor((line) => line.msg.startsWith('TLS client refused') && line.kind === 'no_certificate');
  });
});
