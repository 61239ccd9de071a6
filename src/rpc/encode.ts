/** What a Nano RPC answer may hold: every scalar is a string, as the node writes them. */
export type RpcValue = string | readonly RpcValue[] | { readonly [key: string]: RpcValue };
export type RpcResult = { readonly [key: string]: RpcValue };

function isEmptyCollection(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && value !== null) {
    for (const _ in value) return false;
    return true;
  }
  return false;
}

const emptyAsString = (key: string, value: unknown): unknown => (key !== '' && isEmptyCollection(value) ? '' : value);

/** Deeper than any answer we build; past it the scan gives up and the replacer decides. */
const MAX_SCAN_DEPTH = 64;

/**
 * Whether the replacer could change anything below `container`: an empty collection somewhere,
 * or something the scan can't vouch for (not a plain object/array, a `toJSON`, an empty key,
 * great depth). A false answer means plain JSON.stringify writes exactly what the replacer would.
 */
function mayNeedRewrite(container: object, depth: number): boolean {
  if (depth > MAX_SCAN_DEPTH) return true;
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      const value: unknown = container[i];
      if (typeof value === 'object' && value !== null && childMayNeedRewrite(value, depth)) return true;
    }
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(container);
  if (prototype !== Object.prototype && prototype !== null) return true;
  for (const key in container) {
    if (key === '' || key === 'toJSON') return true;
    const value: unknown = (container as Record<string, unknown>)[key];
    if (typeof value === 'object' && value !== null && childMayNeedRewrite(value, depth)) return true;
  }
  return false;
}

function childMayNeedRewrite(value: object, depth: number): boolean {
  return isEmptyCollection(value) || mayNeedRewrite(value, depth + 1);
}

/**
 * Serialises an answer the way Nano clients expect it: the node (Boost property_tree) writes an
 * empty object or array as the empty string, e.g. {"blocks": ""}, and clients test for that.
 * Most answers hold no empty collection: a quick scan finds that out and skips the replacer,
 * whose per-value callback costs more than the scan.
 */
export function encodeRpcResult(result: RpcResult): string {
  // A frozen answer never changes (handlers freeze the answers they reuse): encode it once.
  if (Object.isFrozen(result)) {
    let encoded = encodedFrozen.get(result);
    if (encoded === undefined) {
      encoded = encode(result);
      encodedFrozen.set(result, encoded);
    }
    return encoded;
  }
  return encode(result);
}

const encodedFrozen = new WeakMap<RpcResult, string>();

function encode(result: RpcResult): string {
  return mayNeedRewrite(result, 0) ? JSON.stringify(result, emptyAsString) : JSON.stringify(result);
}
