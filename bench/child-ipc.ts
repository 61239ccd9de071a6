/** Helpers for the bench's child entries: talk to the parent, and never outlive it. */

export function send(message: unknown): void {
  process.send?.(message);
}

/** Sends and resolves once the message has been handed to the channel. */
export function sendAndFlush(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

/**
 * Runs `stop` once when the parent asks (SIGTERM/SIGINT), disconnects or dies, then exits; a
 * hard deadline exits anyway so no child can hang around.
 */
export function exitWithParent(stop: () => Promise<void> | void, hardLimitMs: number): void {
  let stopping = false;
  const end = (code: number): void => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 3000);
    force.unref();
    Promise.resolve()
      .then(stop)
      .catch(() => undefined)
      .finally(() => process.exit(code));
  };
  process.on('SIGTERM', () => end(0));
  process.on('SIGINT', () => end(0));
  process.on('disconnect', () => end(0));
  const limit = setTimeout(() => {
    process.stderr.write(`bench child ${process.pid}: hard time limit reached, exiting\n`);
    end(2);
  }, hardLimitMs);
  limit.unref();
}

export function fail(error: unknown): never {
  process.stderr.write(`bench child ${process.pid}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
