import type { X509Certificate } from 'node:crypto';
import type { ClientIdentity } from '../identity/client-identity.js';
import { expandActions } from './groups.js';

/** One rule with the [default] table's values filled in: everything a request check needs, precomputed. */
export interface Rule {
  /** `default` or the name of its [clients.NAME] table. */
  readonly name: string;
  readonly allowAll: boolean;
  readonly allowed: ReadonlySet<string>;
  readonly denyAll: boolean;
  readonly denied: ReadonlySet<string>;
  /** Tokens per second; undefined = no rate limit. */
  readonly rate: number | undefined;
  readonly burst: number;
  readonly inFlight: number | undefined;
  readonly weights: ReadonlyMap<string, number>;
  readonly maxCount: ReadonlyMap<string, number>;
  /**
   * Control for requests that need it only with some parameters (`process` with `force`): the
   * rule allows `*` or the `control` group and denies neither. Under enable_control, always.
   */
  readonly control: boolean;
  /** The entries as written, for `policy explain`. */
  readonly allowText: readonly string[];
  readonly denyText: readonly string[];
}

export function ruleAllows(rule: Rule, action: string): boolean {
  if (rule.denyAll || rule.denied.has(action)) return false;
  return rule.allowAll || rule.allowed.has(action);
}

export interface IssuerMatch {
  readonly ca: X509Certificate;
  /** The file it was read from, as written in the policy. */
  readonly file: string;
  readonly rule: Rule;
}

export interface CacheSettings {
  readonly ttlMs: ReadonlyMap<string, number>;
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export interface RuleChoice {
  readonly rule: Rule;
  /** Why this rule: `fingerprint AB:…`, `CN ops.admin`, `issued by ca.pem`, `no rule matched`. */
  readonly why: string;
}

/** A cap on remembered per-certificate decisions: bounded even if certificates churn. */
const MAX_DECISIONS = 10_000;

/**
 * A loaded policy. Which rule applies is decided once per certificate (by fingerprint) and
 * remembered for the life of this policy; a reload builds a new Policy, so nothing goes stale.
 */
export class Policy {
  private readonly decisions = new Map<string, RuleChoice>();

  constructor(
    /** Absolute path of the file, or '' for the built-in open policy. */
    readonly file: string,
    readonly defaultRule: Rule,
    readonly rules: readonly Rule[],
    private readonly byFingerprint: ReadonlyMap<string, Rule>,
    private readonly byCommonName: ReadonlyMap<string, Rule>,
    private readonly byIssuer: readonly IssuerMatch[],
    readonly cache: CacheSettings,
  ) {}

  /** True when every client gets the default rule whatever its certificate: no identity needed. */
  get anonymous(): boolean {
    return this.byFingerprint.size === 0 && this.byCommonName.size === 0 && this.byIssuer.length === 0;
  }

  /**
   * The rule for a client: its fingerprint, else its CN, else a CA that issued it (the leaf or a
   * certificate of its presented chain), else [default]. The first rule in file order wins
   * within each kind.
   */
  choose(identity: ClientIdentity | undefined, leaf: () => X509Certificate | undefined): RuleChoice {
    if (identity === undefined) return { rule: this.defaultRule, why: 'no client certificate' };
    const known = this.decisions.get(identity.fingerprint256);
    if (known) return known;
    const choice = this.decide(identity, leaf());
    if (this.decisions.size >= MAX_DECISIONS) this.decisions.clear();
    this.decisions.set(identity.fingerprint256, choice);
    return choice;
  }

  /** Without the cache: for `policy explain` and `certs list`. */
  decide(identity: { commonName: string | undefined; fingerprint256?: string }, leaf: X509Certificate | undefined): RuleChoice {
    const byPrint = identity.fingerprint256 === undefined ? undefined : this.byFingerprint.get(identity.fingerprint256);
    if (byPrint) return { rule: byPrint, why: `fingerprint ${identity.fingerprint256}` };
    const byName = identity.commonName === undefined ? undefined : this.byCommonName.get(identity.commonName);
    if (byName) return { rule: byName, why: `CN ${identity.commonName}` };
    if (leaf) {
      for (const match of this.byIssuer) {
        if (issuedBy(leaf, match.ca))
          return { rule: match.rule, why: `issued by ${match.file} (${match.ca.subject.match(/CN=([^\n]*)/)?.[0] ?? match.ca.subject.replace(/\n/g, ', ')})` };
      }
    }
    return { rule: this.defaultRule, why: 'no client rule matched' };
  }
}

/** Whether `ca` signed the leaf or one of the certificates the client presented above it. */
function issuedBy(leaf: X509Certificate, ca: X509Certificate): boolean {
  let current: X509Certificate | undefined = leaf;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current.fingerprint256 === ca.fingerprint256) return true;
    if (current.checkIssued(ca) && current.verify(ca.publicKey)) return true;
    const issuer: X509Certificate | undefined = current.issuerCertificate;
    current = issuer && issuer.fingerprint256 !== current.fingerprint256 ? issuer : undefined;
  }
  return false;
}

/** Today's behaviour: no policy file, everything allowed (under enable_control), no limits, no cache. */
export function openPolicy(): Policy {
  const rule = buildRule('default', { allow: ['*'] });
  return new Policy('', rule, [], new Map(), new Map(), [], { ttlMs: new Map(), maxEntries: 0, maxBytes: 0 });
}

export interface RuleFields {
  allow?: readonly string[];
  deny?: readonly string[];
  rate?: number;
  burst?: number;
  in_flight?: number;
  weights?: Readonly<Record<string, number>>;
  max_count?: Readonly<Record<string, number>>;
}

/** A client rule is its own fields over the [default] table's; weights and counts merge per action. */
export function buildRule(name: string, own: RuleFields, base: RuleFields = {}): Rule {
  const allowText = own.allow ?? base.allow ?? ['*'];
  const denyText = own.deny ?? base.deny ?? [];
  const allow = expandActions(allowText);
  const deny = expandActions(denyText);
  const rate = own.rate ?? base.rate;
  return {
    name,
    allowAll: allow.all,
    allowed: allow.names,
    denyAll: deny.all,
    denied: deny.names,
    rate,
    burst: own.burst ?? base.burst ?? Math.max(1, Math.ceil(rate ?? 1)),
    inFlight: own.in_flight ?? base.in_flight,
    weights: new Map(Object.entries({ ...base.weights, ...own.weights })),
    maxCount: new Map(Object.entries({ ...base.max_count, ...own.max_count })),
    control: (allow.all || allowText.includes('control')) && !deny.all && !denyText.includes('control'),
    allowText,
    denyText,
  };
}
