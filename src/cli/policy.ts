import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { configPathFrom, loadConfig } from '../config/load.js';
import { ConfigError } from '../config/problems.js';
import { clientIdentityOf } from '../identity/client-identity.js';
import { CONTROL_ACTIONS, KNOWN_ACTIONS } from '../policy/groups.js';
import { loadPolicy } from '../policy/load.js';
import { ruleAllows, type Policy, type Rule } from '../policy/policy.js';
import { ACTIONS } from '../rpc/action-table.js';
import { parseCommand, stringFlag, UsageError, type CommandSpec } from './args.js';
import type { CliIo } from './serve.js';

export const POLICY_USAGE = `usage: nano-rpc policy <subcommand> [--config PATH]
  check [FILE]                   validate a policy file (default: [policy] file of config-rpc.toml)
  explain CERT_OR_CN ACTION      which rule applies to a client (a PEM certificate file, or a CN) and
                                 whether it may call ACTION, and why
examples:
  nano-rpc policy check
  nano-rpc policy check examples/policy.toml
  nano-rpc policy explain tls/users/rpc.user.1.cert.pem account_history
  nano-rpc policy explain wallet.backend.1 process`;

const SPECS: Record<string, CommandSpec> = {
  check: { command: 'policy check', strings: ['config'], positional: [0, 1] },
  explain: { command: 'policy explain', strings: ['config'], positional: [2, 2] },
};

/** `nano-rpc policy …`: returns the exit code (0 ok, 1 invalid policy or refused, 2 usage). */
export async function runPolicyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    (sub === undefined ? io.err : io.out)(POLICY_USAGE);
    return sub === undefined ? 2 : 0;
  }
  const spec = SPECS[sub];
  if (spec === undefined) throw new UsageError(`unknown policy subcommand "${sub}" (check or explain)`);
  const args = parseCommand(rest, spec);
  if (args.flags.has('help')) {
    io.out(POLICY_USAGE);
    return 0;
  }
  const configFlag = stringFlag(args, 'config');
  try {
    if (sub === 'check') {
      const file = args.positional[0] ?? (await policyFileFromConfig(configFlag));
      const policy = await loadPolicy(file);
      io.out(
        `${file}: valid: [default] and ${policy.rules.length} client rule${policy.rules.length === 1 ? '' : 's'} (${policy.rules.map((r) => r.name).join(', ') || 'none'}), ${policy.cache.ttlMs.size} cached action${policy.cache.ttlMs.size === 1 ? '' : 's'}`,
      );
      return 0;
    }
    if (sub === 'explain') {
      const [who, action] = args.positional as [string, string];
      const policy = await loadPolicy(await policyFileFromConfig(configFlag));
      return explain(policy, who, action, io);
    }
    throw new UsageError(`unknown policy subcommand "${sub}"`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof ConfigError) for (const problem of error.problems) io.err(`error: ${problem}`);
    else io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function policyFileFromConfig(configFlag: string | undefined): Promise<string> {
  const config = await loadConfig(configPathFrom(configFlag, process.env), process.env);
  if (config.policyFile === '') throw new Error(`${config.file} has no [policy] file: every trusted client may call every action (give a FILE to check one)`);
  return config.policyFile;
}

async function explain(policy: Policy, who: string, action: string, io: CliIo): Promise<number> {
  let certificate: X509Certificate | undefined;
  const text = await readFile(who, 'utf8').catch(() => undefined);
  if (text !== undefined) certificate = new X509Certificate(text);
  const identity = certificate ? clientIdentityOf(certificate) : { commonName: who };
  const { rule, why } = policy.decide(identity, certificate);
  io.out(
    `client: CN=${identity.commonName ?? '(none)'}${certificate ? ` sha256 ${certificate.fingerprint256}` : ' (a CN only: fingerprint and issuer rules not checked)'}`,
  );
  io.out(`rule: ${rule.name === 'default' ? '[default]' : `[clients.${rule.name}]`} (${why})`);
  const verdict = verdictFor(rule, action);
  io.out(`${action}: ${verdict.allowed ? 'allowed' : 'refused'}: ${verdict.reason}`);
  const limits = [
    rule.rate === undefined ? 'no rate limit' : `rate ${rule.rate}/s burst ${rule.burst} (this action costs ${rule.weights.get(action) ?? 1})`,
    rule.inFlight === undefined ? 'no in-flight limit' : `at most ${rule.inFlight} in flight`,
    ...(rule.maxCount.has(action) ? [`count clamped to ${rule.maxCount.get(action)}`] : []),
    ...(policy.cache.ttlMs.has(action) ? [`answers cached ${policy.cache.ttlMs.get(action)! / 1000} s`] : []),
  ];
  io.out(`limits: ${limits.join(', ')}`);
  return verdict.allowed ? 0 : 1;
}

function verdictFor(rule: Rule, action: string): { allowed: boolean; reason: string } {
  if (!KNOWN_ACTIONS.has(action)) return { allowed: false, reason: 'not an action this server knows (Unknown command)' };
  const control = CONTROL_ACTIONS.has(action);
  const suffix = control ? ' (a control action: enable_control must be on as well)' : '';
  if (!ruleAllows(rule, action)) {
    const denied = rule.denyAll || rule.denied.has(action);
    return {
      allowed: false,
      reason: `${denied ? `denied by deny = ${JSON.stringify(rule.denyText)}` : `not in allow = ${JSON.stringify(rule.allowText)}`}; the client gets "${control ? 'RPC control is disabled' : 'Action not allowed'}"`,
    };
  }
  const implemented = action in ACTIONS ? '' : ' (not implemented by the embedded ledger)';
  return { allowed: true, reason: `in allow = ${JSON.stringify(rule.allowText)}${suffix}${implemented}` };
}

/** For `certs list`: the rule each trusted certificate gets, or nothing without a policy file. */
export async function ruleLabeller(policyFile: string | undefined): Promise<(certificate: X509Certificate) => string> {
  if (!policyFile) return () => '';
  const policy = await loadPolicy(policyFile);
  return (certificate) => {
    const { rule, why } = policy.decide(clientIdentityOf(certificate), certificate);
    return `  rule ${rule.name === 'default' ? '[default]' : `clients.${rule.name}`} (${why.startsWith('fingerprint') ? 'by fingerprint' : why})`;
  };
}
