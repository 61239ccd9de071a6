import { describe, expect, it } from 'vitest';
import { atTurnEnd } from '../../src/ipc/turn-end.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('atTurnEnd', () => {
  it('runs the writes of a turn together, after the code of the turn, in order', async () => {
    const order: string[] = [];
    atTurnEnd(
      () => order.push('a'),
      () => order.push('failed a'),
    );
    atTurnEnd(
      () => order.push('b'),
      () => order.push('failed b'),
    );
    order.push('rest of the turn');
    await nextTurn();
    expect(order).toEqual(['rest of the turn', 'a', 'b']);
  });

  it('reports a write that throws to its own caller, still runs the others, and keeps working', async () => {
    const failures: unknown[] = [];
    const ran: string[] = [];
    const boom = new Error('boom');
    atTurnEnd(
      () => {
        throw boom;
      },
      (error) => failures.push(error),
    );
    atTurnEnd(
      () => ran.push('second'),
      (error) => failures.push(error),
    );
    await nextTurn();
    expect(failures).toEqual([boom]);
    expect(ran).toEqual(['second']);

    atTurnEnd(
      () => ran.push('later'),
      (error) => failures.push(error),
    );
    await nextTurn();
    expect(ran).toEqual(['second', 'later']);
  });
});
