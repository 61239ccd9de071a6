import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** What a worker tells the primary. */
export type WorkerMessage = { readonly type: 'listening'; readonly port: number } | { readonly type: 'stop-all' };
/** What the primary tells a worker. */
export type PrimaryMessage = { readonly type: 'stop' };

const STOP_GRACE_MS = 15_000;

/**
 * The primary of `[workers] count` > 1: forks the workers (each runs the whole service on the
 * shared port, with its own trust watcher, so revocation reaches each within the watcher's
 * delay), restarts one that dies (logged), and stops them all on a signal or when one of them
 * answered `stop`. A worker that dies before it listened is a start failure: everything stops,
 * rather than restarting into the same error for ever. Resolves with the exit code.
 */
export function runPrimary(count: number, logger: Logger, onListening: (port: number) => void): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    let failed = false;
    let announced = false;
    const listening = new Set<Worker>();
    const live = new Set<Worker>();

    const fork = (): void => {
      const worker = cluster.fork();
      live.add(worker);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'listening') {
          listening.add(worker);
          if (!announced) {
            announced = true;
            onListening(message.port);
          }
        } else if (message.type === 'stop-all') {
          logger.info({ worker: worker.id }, 'a worker answered stop: stopping every worker');
          stopAll();
        }
      });
      worker.once('exit', (code, signal) => {
        live.delete(worker);
        const started = listening.delete(worker);
        if (stopping) {
          if (live.size === 0) finish();
          return;
        }
        if (!started) {
          logger.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'a worker failed to start: stopping');
          failed = true;
          stopAll();
          return;
        }
        logger.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker died; starting a new one');
        fork();
      });
    };

    let killTimer: NodeJS.Timeout | undefined;
    const stopAll = (): void => {
      if (stopping) return;
      stopping = true;
      for (const worker of live) {
        if (worker.isConnected()) worker.send({ type: 'stop' } satisfies PrimaryMessage);
        else worker.kill();
      }
      killTimer = setTimeout(() => {
        for (const worker of live) worker.process.kill('SIGKILL');
      }, STOP_GRACE_MS);
      killTimer.unref();
      if (live.size === 0) finish();
    };

    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'signal received: stopping every worker');
      stopAll();
    };
    const finish = (): void => {
      clearTimeout(killTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      logger.info('every worker stopped');
      resolve(failed ? 1 : 0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    logger.info({ workers: count }, `starting ${count} workers`);
    for (let i = 0; i < count; i++) fork();
  });
}

/**
 * In a worker: reports where it listens, stops when the primary says so, and asks the primary
 * to stop everyone when `stop` was answered here. Returns a function to call once the service
 * has stopped (it lets the worker's process exit).
 */
export function joinPrimary(port: number, stop: () => Promise<void>): (stoppedByStopAction: boolean) => void {
  let askedByPrimary = false;
  process.send?.({ type: 'listening', port } satisfies WorkerMessage);
  const onMessage = (message: PrimaryMessage): void => {
    if (message.type === 'stop') {
      askedByPrimary = true;
      void stop();
    }
  };
  process.on('message', onMessage);
  return (stoppedByStopAction) => {
    process.off('message', onMessage);
    if (stoppedByStopAction && !askedByPrimary) process.send?.({ type: 'stop-all' } satisfies WorkerMessage);
    cluster.worker?.disconnect();
  };
}
