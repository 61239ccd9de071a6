import { encodeRpcResult, type RpcResult } from '../rpc/encode.js';

/** An answer object, or a node's answer bytes in node mode. */
export type CachedAnswer = RpcResult | Buffer;

interface Entry {
  readonly result: CachedAnswer;
  readonly expires: number;
  readonly bytes: number;
}

/**
 * Answers of read-only actions, keyed on the canonical request, each kept for its action's TTL.
 * Bounded by entry count and by the size of the encoded answers (least recently stored goes
 * first); an answer larger than a tenth of the byte budget is not kept at all.
 */
export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(key: string, now: number): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      this.delete(key, entry);
      return undefined;
    }
    return entry.result;
  }

  set(key: string, result: CachedAnswer, ttlMs: number, now: number): void {
    // Frozen, so the encoder writes its text once (encode.ts) and nobody can change a shared answer.
    const frozen = Buffer.isBuffer(result) ? result : deepFreeze(result);
    const bytes = (Buffer.isBuffer(frozen) ? frozen.length : Buffer.byteLength(encodeRpcResult(frozen))) + key.length;
    if (bytes > this.maxBytes / 10) return;
    const old = this.entries.get(key);
    if (old) this.delete(key, old);
    this.entries.set(key, { result: frozen, expires: now + ttlMs, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.delete(oldest, entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The request with its keys sorted at every level: the same question asked in any key order is one entry. */
export function canonicalRequest(request: unknown): string {
  return JSON.stringify(request, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
    return sorted;
  });
}
