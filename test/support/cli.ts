import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built command, as `npx nano-rpc` runs it after `npm ci` (npm test builds first). */
export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface RunningCli {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the first stdout/stderr text matching, or rejects when the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  readonly exited: Promise<number | null>;
}

/** `wrapper` runs the CLI under another program, e.g. ['prlimit', '--nofile=256:256']. */
export function startCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; wrapper?: readonly string[] }): RunningCli {
  const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath];
  const child = spawn(command, [...prefix, CLI, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const running: RunningCli = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    waitForOutput(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = pattern.exec(running.stdout) ?? pattern.exec(running.stderr);
          if (!match) return false;
          cleanup();
          resolve(match);
          return true;
        };
        const onExit = (): void => {
          if (!check()) {
            cleanup();
            reject(new Error(`exited before printing ${pattern}:\n${running.stdout}\n${running.stderr}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${running.stdout}\n${running.stderr}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.stderr.off('data', check);
          child.off('exit', onExit);
        };
        if (check()) return;
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        child.once('exit', onExit);
      });
    },
  };
  child.stdout.on('data', (chunk: Buffer) => {
    running.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    running.stderr += chunk.toString();
  });
  return running;
}
