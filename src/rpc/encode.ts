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

/**
 * Serialises an answer the way Nano clients expect it: the node (Boost property_tree) writes an
 * empty object or array as the empty string, e.g. {"blocks": ""}, and clients test for that.
 */
export function encodeRpcResult(result: RpcResult): string {
  return JSON.stringify(result, (key, value: unknown) =>
    key !== '' && isEmptyCollection(value) ? '' : value,
  );
}
