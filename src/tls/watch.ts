import { watch, type FSWatcher } from 'node:fs';

export interface ChangeWatcherOptions {
  /** Folders whose events should trigger an early look (the signature decides what changed). */
  readonly folders: readonly string[];
  /** A cheap description of the watched state; a different value means "changed". */
  readonly signature: () => Promise<string>;
  readonly onChange: () => void | Promise<void>;
  /** Backstop poll interval: fs.watch misses symlink targets and re-created folders. */
  readonly pollMs: number;
  readonly onError: (error: unknown) => void;
}

/** Never equal to a signature. */
const FAILED = '\0failed';

export interface ChangeWatcher {
  close(): void;
}

/**
 * Calls onChange when the signature changes, soon after a file-system event or at the latest
 * one poll interval later. Events are coalesced: a copy or `openssl rehash` fires several.
 */
export async function watchForChanges(options: ChangeWatcherOptions): Promise<ChangeWatcher> {
  let last = await options.signature();
  let closed = false;
  let checking: Promise<void> | undefined;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  const watchers = new Map<string, FSWatcher>();

  const check = async (): Promise<void> => {
    if (checking) {
      again = true;
      return checking;
    }
    checking = (async () => {
      do {
        again = false;
        try {
          const now = await options.signature();
          if (now !== last && !closed) {
            // Remembered only once applied: a change that failed to apply is tried again.
            await options.onChange();
            last = now;
          }
        } catch (error) {
          // Forget the last applied state: the next look applies again even if the folder is
          // back to exactly how it was (what was applied meanwhile may differ from it).
          last = FAILED;
          options.onError(error);
        }
      } while (again && !closed);
    })().finally(() => {
      checking = undefined;
    });
    return checking;
  };

  const ensureWatchers = (): void => {
    for (const folder of options.folders) {
      if (watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, () => {
          clearTimeout(debounce);
          debounce = setTimeout(() => void check(), 25);
        });
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(folder);
        });
        watchers.set(folder, watcher);
      } catch {
        // The folder may be missing for now; the poll keeps looking and re-creates the watcher.
      }
    }
  };

  ensureWatchers();
  const poll = setInterval(() => {
    ensureWatchers();
    void check();
  }, options.pollMs);
  poll.unref();

  return {
    close() {
      closed = true;
      clearInterval(poll);
      clearTimeout(debounce);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
