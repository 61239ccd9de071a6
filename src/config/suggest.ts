/** Levenshtein distance; the inputs are config key names, so quadratic cost is irrelevant. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The nearest known name, only when it is close enough to be a plausible typo
 * (a third of the longer name, at least 2 edits), or when one name is a prefix of the other
 * (`server_cert` for `server_cert_path`).
 */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  if (bestDistance <= limit) return best;
  const prefix = candidates.find((c) => name.length >= 4 && (c.startsWith(name) || name.startsWith(c)));
  return prefix;
}
