/** Parsed command line: positional words and --flags (`--name value`, `--name=value`, or bare `--name`). */
export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

export class UsageError extends Error {}

/** `booleanFlags` never take a value, so `--insecure block_count` keeps `block_count` positional. */
export function parseArgs(argv: readonly string[], booleanFlags: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('--') || word === '--') {
      positional.push(word);
      continue;
    }
    const equals = word.indexOf('=');
    if (equals > 0) {
      flags.set(word.slice(2, equals), word.slice(equals + 1));
    } else if (booleanFlags.has(word.slice(2))) {
      flags.set(word.slice(2), true);
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${word} needs a value`);
      flags.set(word.slice(2), value);
      i++;
    }
  }
  return { positional, flags };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}
