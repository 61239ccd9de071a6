import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';

/** The CPU a child is pinned to (via taskset), or undefined when pinning is off. */
export type Pin = number | undefined;

const live = new Set<ChildProcess>();
/** Processes we did not spawn directly but must end (nginx's workers, children of its master). */
const extraPids = new Set<number>();

export function trackPid(pid: number): void {
  extraPids.add(pid);
}

export function untrackPid(pid: number): void {
  extraPids.delete(pid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface SpawnOptions {
  readonly pin: Pin;
  readonly ipc?: boolean;
  readonly stdout?: 'ignore' | 'inherit';
}

/** Starts a program (optionally under `taskset -c CPU`, which execs it: same pid) and tracks it for cleanup. */
export function spawnTracked(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const [command, argv] = options.pin === undefined ? [file, [...args]] : ['taskset', ['-c', String(options.pin), file, ...args]];
  const stdio: StdioOptions = ['ignore', options.stdout ?? 'ignore', 'inherit'];
  if (options.ipc) stdio.push('ipc');
  const child = spawn(command, argv, { stdio });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

/** Starts one of the compiled bench entries (dist/bench/*.js) as a Node child with an IPC channel. */
export function spawnNodeEntry(entry: string, args: readonly string[], pin: Pin): ChildProcess {
  const script = new URL(`./${entry}`, import.meta.url).pathname;
  return spawnTracked(process.execPath, [script, ...args], { pin, ipc: true });
}

/** The first IPC message that satisfies `accept`; rejects on exit or after `timeoutMs`. */
export function nextMessage<T>(child: ChildProcess, accept: (message: unknown) => message is T, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`child ${child.pid} sent no expected message within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: unknown): void => {
      if (accept(message)) finish(undefined, message);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`child ${child.pid} exited (code ${code}, signal ${signal}) before answering`));
    function finish(error: Error | undefined, value?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks a child to end (signal), then SIGKILLs it if it is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Ends every child still running, by its own pid. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child).catch(() => undefined)));
}

/** Last resort in an 'exit' handler: synchronous SIGKILL of whatever is left. */
export function killAllChildrenNow(): void {
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Ends the whole bench, children included, if it runs past `ms` (every bench entry point arms one). */
export function armWatchdog(ms: number): void {
  const watchdog = setTimeout(() => {
    process.stderr.write('bench: overall time limit reached, stopping everything\n');
    killAllChildrenNow();
    process.exit(3);
  }, ms);
  watchdog.unref();
}
