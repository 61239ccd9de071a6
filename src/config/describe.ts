/** How a TOML value is shown in "(got ...)": its TOML type, and the value unless secret. */
export function describeValue(value: unknown, secret = false): string {
  const kind = tomlType(value);
  if (secret || kind === 'array' || kind === 'table') return kind;
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (value instanceof Date) return `datetime ${isNaN(value.getTime()) ? 'invalid' : value.toISOString()}`;
  return `${kind} ${String(value)}`;
}

export function tomlType(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (value instanceof Date) return 'datetime';
  if (Array.isArray(value)) return 'array';
  return 'table';
}

/**
 * A JSON-only copy for ajv: 64-bit integers (bigint) become numbers, and datetimes become a
 * symbol so that every JSON type check rejects them (a Date would pass as an object).
 */
export function toJsonTree(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return Symbol('datetime');
  if (Array.isArray(value)) return value.map(toJsonTree);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonTree(v);
    return out;
  }
  return value;
}

/** The value at `path` in the parsed TOML tree, or undefined. */
export function valueAt(tree: unknown, path: readonly string[]): unknown {
  let node = tree;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}
