import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Shape of the policy file. Every table has `additionalProperties: false` (a typo is an error,
 * not a rule that silently doesn't apply); action names and groups are checked after the schema.
 */
const actionList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const ruleProperties = {
  allow: actionList,
  deny: actionList,
  /** Requests per second refilled into the bucket. */
  rate: { type: 'number', exclusiveMinimum: 0, maximum: 1e9 },
  burst: { type: 'integer', minimum: 1, maximum: 1e9 },
  in_flight: { type: 'integer', minimum: 1, maximum: 1e9 },
  weights: { type: 'object', additionalProperties: { type: 'number', minimum: 0, maximum: 1e9 } },
  max_count: { type: 'object', additionalProperties: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

export const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    default: { type: 'object', additionalProperties: false, properties: ruleProperties },
    clients: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          cn: { type: 'array', items: { type: 'string', minLength: 1 } },
          fingerprint: { type: 'array', items: { type: 'string', minLength: 1 } },
          issuer: { type: 'array', items: { type: 'string', minLength: 1 } },
          ...ruleProperties,
        },
      },
    },
    cache: {
      type: 'object',
      additionalProperties: false,
      properties: {
        max_entries: { type: 'integer', minimum: 1, maximum: 10_000_000 },
        max_bytes: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        ttl: { type: 'object', additionalProperties: { type: 'number', exclusiveMinimum: 0, maximum: 86_400 } },
      },
    },
  },
} as const;

export interface RawRule {
  allow?: string[];
  deny?: string[];
  rate?: number;
  burst?: number;
  in_flight?: number;
  weights?: Record<string, number>;
  max_count?: Record<string, number>;
}

export interface RawClientRule extends RawRule {
  cn?: string[];
  fingerprint?: string[];
  issuer?: string[];
}

export interface RawPolicy {
  default?: RawRule;
  clients?: Record<string, RawClientRule>;
  cache?: { max_entries?: number; max_bytes?: number; ttl?: Record<string, number> };
}

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
export const validatePolicy: ValidateFunction<RawPolicy> = ajv.compile<RawPolicy>(policySchema);

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
}

/** Valid key names at a table path, for "did you mean" suggestions (named tables are skipped). */
export function policyKeysAt(path: readonly string[]): string[] {
  let node: SchemaNode | undefined = policySchema as unknown as SchemaNode;
  for (const segment of path) {
    const next: SchemaNode | undefined = node?.properties?.[segment];
    node = next ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return Object.keys(node?.properties ?? {});
}
