import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse as parseToml } from '@iarna/toml';
import { describeValue, toJsonTree, valueAt } from '../config/describe.js';
import { tomlSyntaxMessage } from '../config/load.js';
import { locateKeys } from '../config/locate.js';
import { ConfigError, describeFsError, displayName } from '../config/problems.js';
import { suggest } from '../config/suggest.js';
import { ACTION_GROUPS, CACHEABLE_ACTIONS, KNOWN_ACTIONS } from './groups.js';
import { buildRule, Policy, type IssuerMatch, type Rule } from './policy.js';
import { policyKeysAt, validatePolicy, type RawClientRule, type RawPolicy } from './schema.js';

const DEFAULT_CACHE_ENTRIES = 10_000;
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

const ARTICLE: Record<string, string> = { integer: 'an integer', number: 'a number', string: 'a string', array: 'an array', object: 'a table' };

/**
 * Reads, validates and compiles a policy file. Every problem is reported at once, as
 * `file:line: key: what`, like config-rpc.toml's (ConfigError); nothing is half-applied.
 */
export async function loadPolicy(file: string): Promise<Policy> {
  const abs = path.resolve(file);
  const name = displayName(abs);
  let source: string;
  try {
    source = (await readFile(abs, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    throw new ConfigError([`${name}: cannot read policy file ${abs}: ${describeFsError(error)}`]);
  }
  let tree: unknown;
  try {
    tree = parseToml(source);
  } catch (error) {
    throw new ConfigError([tomlSyntaxMessage(name, error)]);
  }
  const locator = locateKeys(source);
  const at = (segments: readonly string[]): string => {
    const line = locator.lineOf(segments);
    return line === undefined ? `${name}:` : `${name}:${line}:`;
  };

  const doc = toJsonTree(tree);
  const problems: string[] = [];
  if (!validatePolicy(doc)) {
    const seen = new Set<string>();
    for (const e of validatePolicy.errors ?? []) {
      const segments =
        e.instancePath === ''
          ? []
          : e.instancePath
              .slice(1)
              .split('/')
              .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      let key = segments.join('.');
      let message: string;
      if (e.keyword === 'additionalProperties') {
        const extra = String((e.params as { additionalProperty: string }).additionalProperty);
        const hint = suggest(extra, policyKeysAt(segments));
        key = [...segments, extra].join('.');
        message = `${at([...segments, extra])} unknown key "${key}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`;
      } else {
        const parent = (e.parentSchema ?? {}) as { type?: string };
        const must = e.keyword === 'type' ? `must be ${ARTICLE[parent.type ?? ''] ?? 'valid'}` : (e.message ?? 'is not valid');
        message = `${at(segments)} ${key === '' ? 'the file' : key} ${must} (got ${describeValue(valueAt(tree, segments))})`;
      }
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(message);
    }
    throw new ConfigError(problems);
  }

  const raw: RawPolicy = doc;
  const checkActions = (where: string[], names: readonly string[] | undefined, groups: boolean): void => {
    for (const entry of names ?? []) {
      if (KNOWN_ACTIONS.has(entry) || (groups && (entry === '*' || entry in ACTION_GROUPS))) continue;
      const hint = suggest(entry, [...(groups ? Object.keys(ACTION_GROUPS) : []), ...KNOWN_ACTIONS]);
      problems.push(
        `${at(where)} ${where.join('.')}: unknown action${groups ? ' or group' : ''} "${entry}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`,
      );
    }
  };
  const checkRule = (where: string[], rule: RawClientRule): void => {
    checkActions([...where, 'allow'], rule.allow, true);
    checkActions([...where, 'deny'], rule.deny, true);
    checkActions([...where, 'weights'], Object.keys(rule.weights ?? {}), false);
    checkActions([...where, 'max_count'], Object.keys(rule.max_count ?? {}), false);
  };
  checkRule(['default'], raw.default ?? {});

  /** A weight above the burst could never be paid: such a request would always be refused. */
  const checkWeights = (where: string[], rule: Rule): void => {
    if (rule.rate === undefined) return;
    for (const [action, weight] of rule.weights) {
      if (weight > rule.burst)
        problems.push(
          `${at([...where, 'weights', action])} ${where.join('.')}.weights.${action} = ${weight} is more than burst = ${rule.burst}: it could never be answered`,
        );
    }
  };
  const base = raw.default ?? {};
  const defaultRule = buildRule('default', base);
  checkWeights(['default'], defaultRule);
  const rules: Rule[] = [];
  const byFingerprint = new Map<string, Rule>();
  const byCommonName = new Map<string, Rule>();
  const byIssuer: IssuerMatch[] = [];
  for (const [ruleName, own] of Object.entries(raw.clients ?? {})) {
    const where = ['clients', ruleName];
    checkRule(where, own);
    const rule = buildRule(ruleName, own, base);
    checkWeights(where, rule);
    rules.push(rule);
    if ((own.cn ?? []).length + (own.fingerprint ?? []).length + (own.issuer ?? []).length === 0) {
      problems.push(`${at(where)} clients.${ruleName} matches no client: give cn, fingerprint or issuer`);
    }
    for (const cn of own.cn ?? []) if (!byCommonName.has(cn)) byCommonName.set(cn, rule);
    for (const print of own.fingerprint ?? []) {
      const normal = normaliseFingerprint(print);
      if (normal === undefined)
        problems.push(
          `${at([...where, 'fingerprint'])} clients.${ruleName}.fingerprint: "${print}" is not a SHA-256 fingerprint (64 hex digits, colons allowed)`,
        );
      else if (!byFingerprint.has(normal)) byFingerprint.set(normal, rule);
    }
    for (const issuer of own.issuer ?? []) {
      const caFile = path.resolve(path.dirname(abs), issuer);
      try {
        byIssuer.push({ ca: new X509Certificate(await readFile(caFile)), file: issuer, rule });
      } catch (error) {
        const why =
          (error as { code?: string }).code?.startsWith('E') && !(error as { code?: string }).code?.startsWith('ERR_')
            ? describeFsError(error)
            : 'not a PEM or DER certificate';
        problems.push(`${at([...where, 'issuer'])} clients.${ruleName}.issuer: cannot read CA certificate ${caFile}: ${why}`);
      }
    }
  }

  const ttl = new Map<string, number>();
  for (const [action, seconds] of Object.entries(raw.cache?.ttl ?? {})) {
    if (!CACHEABLE_ACTIONS.has(action)) {
      const kind = KNOWN_ACTIONS.has(action) ? 'is not a read-only ledger query and is never cached' : 'is not a known action';
      problems.push(`${at(['cache', 'ttl', action])} cache.ttl.${action}: "${action}" ${kind}`);
      continue;
    }
    ttl.set(action, seconds * 1000);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return new Policy(abs, defaultRule, rules, byFingerprint, byCommonName, byIssuer, {
    ttlMs: ttl,
    maxEntries: raw.cache?.max_entries ?? DEFAULT_CACHE_ENTRIES,
    maxBytes: raw.cache?.max_bytes ?? DEFAULT_CACHE_BYTES,
  });
}

/** `ab:cd…` or `ABCD…` → `AB:CD:…`, as X509Certificate#fingerprint256 prints it. */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text.replace(/:/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}
