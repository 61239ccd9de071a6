import { readFile } from 'node:fs/promises';
import { parser } from '@prometheus-io/lezer-promql';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

interface Panel {
  title: string;
  targets: Array<{ expr: string }>;
}

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;

beforeAll(async () => {
  dir = await tempDir('nano-rpc-dashboard-');
  server = await startTestServer({ dir: dir.path, clientCerts: false, topLevel: 'metrics.enable = true\nmetrics.address = "127.0.0.1"\nmetrics.port = 0' });
});
afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

/** Metric names a PromQL expression selects; throws if the expression does not parse. */
function metricNames(expr: string): string[] {
  const names: string[] = [];
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`does not parse at ${errors.join(', ')}: ${expr}`);
  return names;
}

describe('the Grafana dashboard', () => {
  it('has only expressions that parse and name metrics the endpoint exposes', async () => {
    const dashboard = JSON.parse(await readFile(new URL('../../grafana/nano-secure-rpc.json', import.meta.url), 'utf8')) as { panels: Panel[] };
    // A request, so the per-request families have samples too.
    await request(server.url, { method: 'POST', body: '{"action":"block_count"}' }).then((r) => r.body.text());
    const text = await (await request(`${server.service.metricsUrl!}metrics`)).body.text();
    const exposed = new Set(parsePrometheusTextFormat(text).map((family) => family.name));
    // Families without samples yet (node-mode upstreams) are still declared by their TYPE line.
    for (const match of text.matchAll(/^# TYPE (\S+) /gm)) exposed.add(match[1]!);

    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) {
        const names = metricNames(target.expr);
        expect(names.length, target.expr).toBeGreaterThan(0);
        for (const name of names) used.add(name);
      }
    }
    const missing = [...used].filter((name) => !exposed.has(name) && !exposed.has(name.replace(/_(bucket|sum|count)$/, '')));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(14);
  });

  it('serves /health and /ready', async () => {
    const health = await request(`${server.service.metricsUrl!}health`);
    expect(health.statusCode).toBe(200);
    expect(await health.body.json()).toEqual({ status: 'ok' });
    const ready = await request(`${server.service.metricsUrl!}ready`);
    expect(ready.statusCode).toBe(200);
    await ready.body.text();
  });
});
