import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '../config/problems.js';
import { filesSignature } from '../tls/file-signature.js';
import { watchForChanges, type ChangeWatcher } from '../tls/watch.js';
import type { PolicyGate } from './gate.js';
import { loadPolicy } from './load.js';

export interface LivePolicy {
  /** Re-reads the file now (SIGHUP); false if it was invalid and the previous policy stays. */
  reload(): Promise<boolean>;
  close(): void;
}

/**
 * Keeps the gate's policy equal to the file: a change is seen at once (fs.watch) or within a
 * poll interval, and applied to the next request; open connections stay. A file that doesn't
 * load is logged with its lines and the previous policy stays in force.
 */
export async function watchPolicyFile(file: string, gate: PolicyGate, logger: Logger, pollMs: number): Promise<LivePolicy> {
  const reload = async (): Promise<boolean> => {
    try {
      const policy = await loadPolicy(file);
      gate.replace(policy);
      logger.info({ file, rules: policy.rules.length }, 'policy reloaded');
      return true;
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems : [error instanceof Error ? error.message : String(error)];
      logger.error({ file, problems }, `policy file not applied, the previous policy stays: ${problems.join('; ')}`);
      return false;
    }
  };
  const watcher: ChangeWatcher = await watchForChanges({
    folders: [dirname(file)],
    signature: () => filesSignature([file]),
    pollMs,
    onChange: async () => {
      await reload();
    },
    onError: (error) => logger.error({ err: error, file }, 'watching the policy file failed'),
  });
  return { reload, close: () => watcher.close() };
}
