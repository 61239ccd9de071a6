/**
 * IPC writes (a front's requests to its node, the listener's answers) wait for the end of the
 * event loop's I/O phase (`setImmediate`), then go out together. Written at once, the first
 * request of a burst wakes the node, which on a shared core takes the CPU before the other client
 * requests of the same wake-up are even read: every request then costs both processes a context
 * switch. Written at the end of the turn, the front reads the whole burst first and the node
 * reads it in one wake-up. The delay is the rest of the current turn, never a timer.
 */
interface PendingWrite {
  readonly write: () => void;
  /** A write that throws fails alone: the caller turns it into its own error, the others still go out. */
  readonly failed: (error: unknown) => void;
}

let pending: PendingWrite[] = [];

export function atTurnEnd(write: () => void, failed: (error: unknown) => void): void {
  pending.push({ write, failed });
  if (pending.length === 1) setImmediate(flush);
}

function flush(): void {
  const writes = pending;
  pending = [];
  for (const { write, failed } of writes) {
    try {
      write();
    } catch (error) {
      failed(error);
    }
  }
}
