/**
 * Finds the line of a key in TOML source. @iarna/toml returns values without positions, so
 * messages about a key need this small scanner: it tracks `[table]` headers and matches
 * `key =` (bare, quoted or dotted). It is deliberately approximate: keys inside inline tables
 * and unusual layouts fall back to the line of the nearest enclosing key, or to no line.
 */
export interface KeyLocator {
  /** 1-based line of the key at `path`, or of its nearest located ancestor; undefined if none. */
  lineOf(path: readonly string[]): number | undefined;
}

const BARE = /^[A-Za-z0-9_-]+/;

/** Parses `a."b c".'d'` at the start of `text`; returns the segments and the rest. */
function parseKey(text: string): { segments: string[]; rest: string } | undefined {
  const segments: string[] = [];
  let rest = text.trimStart();
  for (;;) {
    let segment: string;
    if (rest.startsWith('"')) {
      const m = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
      if (m === null) return undefined;
      segment = unescapeBasic(m[1]!);
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith("'")) {
      const end = rest.indexOf("'", 1);
      if (end < 0) return undefined;
      segment = rest.slice(1, end);
      rest = rest.slice(end + 1);
    } else {
      const m = BARE.exec(rest);
      if (m === null) return undefined;
      segment = m[0];
      rest = rest.slice(segment.length);
    }
    segments.push(segment);
    rest = rest.trimStart();
    if (!rest.startsWith('.')) return { segments, rest };
    rest = rest.slice(1).trimStart();
  }
}

function unescapeBasic(s: string): string {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s;
  }
}

function keyOf(path: readonly string[]): string {
  return JSON.stringify(path);
}

export function locateKeys(source: string): KeyLocator {
  const lines = new Map<string, number>();
  const remember = (path: readonly string[], line: number): void => {
    // Ancestors created implicitly (`[a.b]` or `a.b = 1`) point at their first mention.
    for (let i = 1; i <= path.length; i++) {
      const k = keyOf(path.slice(0, i));
      if (!lines.has(k)) lines.set(k, line);
    }
  };

  let table: string[] = [];
  // `[[a.b]]` opens element n of array a.b: its keys are located as a.b.n.key.
  const arrayCounts = new Map<string, number>();
  let multiline: '"""' | "'''" | undefined;
  const rows = source.split(/\r?\n/);
  rows.forEach((raw, index) => {
    const lineNo = index + 1;
    if (multiline !== undefined) {
      if (raw.includes(multiline)) multiline = undefined;
      return;
    }
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;

    const header = /^\[\[?(.*?)\]\]?\s*(#.*)?$/.exec(text);
    if (header !== null && text.startsWith('[')) {
      const parsed = parseKey(header[1]!);
      if (parsed !== undefined && parsed.rest === '') {
        table = parsed.segments;
        remember(table, lineNo);
        if (text.startsWith('[[')) {
          const index = arrayCounts.get(keyOf(table)) ?? 0;
          arrayCounts.set(keyOf(table), index + 1);
          table = [...table, String(index)];
          remember(table, lineNo);
        }
      }
      return;
    }

    const parsed = parseKey(text);
    if (parsed === undefined || !parsed.rest.startsWith('=')) return;
    remember([...table, ...parsed.segments], lineNo);
    const value = parsed.rest.slice(1);
    for (const quote of ['"""', "'''"] as const) {
      const count = value.split(quote).length - 1;
      if (count % 2 === 1) multiline = quote;
    }
  });

  return {
    lineOf(path) {
      for (let i = path.length; i > 0; i--) {
        const line = lines.get(keyOf(path.slice(0, i)));
        if (line !== undefined) return line;
      }
      return undefined;
    },
  };
}
