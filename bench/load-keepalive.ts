import { Pool } from 'undici';
import { BLOCK_COUNT_BODY, type KeepAliveJob, type LoadResult } from './load-protocol.js';
import { LoadWindow } from './load-window.js';

/** `connections` keep-alive mutual-TLS connections, one request in flight on each (pipelining 1). */
export async function runKeepAlive(job: KeepAliveJob): Promise<LoadResult> {
  const pool = new Pool(job.origin, {
    connections: job.connections,
    pipelining: 1,
    connect: { cert: job.certPem, key: job.keyPem, ca: job.caPem, servername: 'localhost', rejectUnauthorized: true },
  });
  const window = new LoadWindow(job.warmupMs, job.durationMs);
  const worker = async (): Promise<void> => {
    while (window.open) {
      const token = window.begin();
      try {
        const response = await pool.request({ path: '/', method: 'POST', body: BLOCK_COUNT_BODY, headers: { 'content-type': 'application/json' } });
        const text = await response.body.text();
        const ok = response.statusCode === 200 && text.includes('"count"');
        window.record(token, ok ? { ok } : { ok, error: `HTTP ${response.statusCode}: ${text.slice(0, 80)}` });
      } catch (error) {
        window.record(token, { ok: false, error: error instanceof Error ? error.message : String(error) });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: job.connections }, worker));
    return window.result(false);
  } finally {
    await pool.destroy();
  }
}
