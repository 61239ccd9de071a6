import { afterAll, describe, expect, it } from 'vitest';
import { workValue } from '../../src/ledger/crypto/work.js';
import { createWorkPool, WorkCancelled } from '../../src/work/work-pool.js';

const pool = createWorkPool(2);
afterAll(() => pool.close());

describe('work pool', () => {
  it('finds work at the dev thresholds on worker threads, while the event loop stays free', async () => {
    const root = Buffer.alloc(32, 7);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const works = await Promise.all(
      [0xffc0000000000000n, 0xfe00000000000000n, 0xfff0000000000000n].map((difficulty) =>
        pool.generate(root, difficulty).then((work) => ({ work, difficulty })),
      ),
    );
    clearInterval(ticker);
    for (const { work, difficulty } of works) expect(workValue(work, root)).toBeGreaterThanOrEqual(difficulty);
    expect(ticks).toBeGreaterThan(0);
  });

  it('cancels queued and running jobs for a root', async () => {
    const root = Buffer.alloc(32, 9);
    const impossible = 0xffffffffffffff00n;
    const outcomes = [1, 2, 3].map(() =>
      pool.generate(root, impossible).then(
        () => 'found',
        (error: unknown) => error,
      ),
    );
    expect(pool.cancel(root)).toBe(3);
    for (const outcome of await Promise.all(outcomes)) expect(outcome).toBeInstanceOf(WorkCancelled);
    // The threads are free again.
    expect(workValue(await pool.generate(root, 0xffc0000000000000n), root)).toBeGreaterThanOrEqual(0xffc0000000000000n);
  });
});
