import type { Logger } from 'pino';
import type { RpcConfig } from '../config/types.js';
import type { Metrics } from '../metrics/metrics.js';
import { PolicyGate } from './gate.js';
import { watchPolicyFile } from './live.js';
import { loadPolicy } from './load.js';
import { openPolicy } from './policy.js';

export interface StartedPolicy {
  readonly gate: PolicyGate;
  /** SIGHUP: re-reads the file (no-op without one). */
  reload(): Promise<void>;
  close(): void;
}

/** The composition root's one call: the gate for the dispatcher, kept equal to the policy file. */
export async function startPolicy(config: RpcConfig, logger: Logger, metrics: Metrics, pollMs: number): Promise<StartedPolicy> {
  if (config.policyFile === '') {
    return { gate: new PolicyGate(openPolicy(), logger, metrics), reload: async () => {}, close: () => {} };
  }
  const policy = await loadPolicy(config.policyFile);
  logger.info({ file: config.policyFile, rules: policy.rules.length }, 'policy loaded');
  if (policy.rules.length > 0 && (!config.secure.enable || config.secure.clientCertsPath === '')) {
    logger.warn(
      { file: config.policyFile },
      'the policy has client rules but clients present no certificates (secure.client_certs_path is empty): every request gets [default]',
    );
  }
  const gate = new PolicyGate(policy, logger, metrics);
  const live = await watchPolicyFile(config.policyFile, gate, logger, pollMs);
  return {
    gate,
    reload: async () => {
      await live.reload();
    },
    close: () => live.close(),
  };
}
