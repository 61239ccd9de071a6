import type { Dispatcher } from 'undici';
import type { LoadResult } from './load-protocol.js';
import { LoadWindow } from './load-window.js';

export interface Answer {
  readonly ok: boolean;
  readonly error?: string;
}

/** POST `body` to `/`; ok when the answer is HTTP 200 and contains `expect`. */
export async function post(dispatcher: Dispatcher, body: string, expect: string): Promise<Answer> {
  try {
    const response = await dispatcher.request({ path: '/', method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const text = await response.body.text();
    return response.statusCode === 200 && text.includes(expect) ? { ok: true } : { ok: false, error: `HTTP ${response.statusCode}: ${text.slice(0, 100)}` };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * One worker per dispatcher entry (the same Pool repeated, or one Client per connection), one request
 * in flight each, a random body per request, for warmupMs + durationMs (LoadWindow reports the start
 * of the measured window to the parent).
 */
export async function runBodies(
  dispatchers: readonly Dispatcher[],
  bodies: readonly string[],
  expect: string,
  warmupMs: number,
  durationMs: number,
): Promise<LoadResult> {
  const window = new LoadWindow(warmupMs, durationMs);
  const worker = async (dispatcher: Dispatcher): Promise<void> => {
    while (window.open) {
      const token = window.begin();
      const answer = await post(dispatcher, bodies[Math.floor(Math.random() * bodies.length)]!, expect);
      window.record(token, answer);
      if (!answer.ok) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await Promise.all(dispatchers.map(worker));
  return window.result(false);
}
