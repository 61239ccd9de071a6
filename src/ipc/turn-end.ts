/**
 * Writes to upstreams wait for the end of the event loop's I/O phase (`setImmediate`), then go
 * out together. Written at once, the first request of a burst wakes the node, which on a shared
 * core takes the CPU before the other client requests of the same wake-up are even read: every
 * request then costs both processes a context switch. Written at the end of the turn, the front
 * reads the whole burst first and the node reads it in one wake-up. The delay is the rest of the
 * current turn, never a timer.
 */
const pending: Array<() => void> = [];

export function atTurnEnd(write: () => void): void {
  pending.push(write);
  if (pending.length === 1) setImmediate(flush);
}

function flush(): void {
  // Writes queued while flushing (a write's synchronous callback) go out in this same pass.
  for (let i = 0; i < pending.length; i++) pending[i]!();
  pending.length = 0;
}
