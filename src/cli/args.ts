import { parseArgs as parseWithNode } from 'node:util';
import { suggest } from '../config/suggest.js';

/** Parsed command line: positional words and --flags (a string value, or `true` for a boolean flag). */
export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

export class UsageError extends Error {}

/** What one command or subcommand takes; `--help`/`-h` is added to every one. */
export interface CommandSpec {
  /** As the user types it, for messages: "serve", "certs client". */
  readonly command: string;
  /** Flags that take a value (`--name value` or `--name=value`). */
  readonly strings?: readonly string[];
  /** Flags that take none. */
  readonly booleans?: readonly string[];
  /** How many positional words: [min, max]. */
  readonly positional: readonly [number, number];
}

/**
 * Node's own `util.parseArgs` with `strict: true`: an unknown flag, a flag without its value or a
 * stray word is a UsageError naming it (with the nearest valid flag), never silently ignored.
 */
export function parseCommand(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const name of spec.strings ?? []) options[name] = { type: 'string' };
  for (const name of spec.booleans ?? []) options[name] = { type: 'boolean' };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseWithNode({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(explainParseError(error, spec, Object.keys(options)));
  }
  const flags = new Map<string, string | true>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === true || typeof value === 'string') flags.set(name, value);
  }
  const positional = parsed.positionals;
  if (flags.has('help')) return { positional, flags };
  const [min, max] = spec.positional;
  if (positional.length > max) {
    const stray = positional
      .slice(max)
      .map((word) => `"${word}"`)
      .join(' ');
    throw new UsageError(
      `${spec.command}: unexpected argument${positional.length - max > 1 ? 's' : ''} ${stray}${max === 0 ? ` (${spec.command} takes none)` : ''}`,
    );
  }
  if (positional.length < min)
    throw new UsageError(`${spec.command}: expected ${min === max ? min : `at least ${min}`} argument${min === 1 ? '' : 's'}, got ${positional.length}`);
  return { positional, flags };
}

function explainParseError(error: unknown, spec: CommandSpec, known: readonly string[]): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'(-{1,2}[^'\s=]+)/.exec(message)?.[1] ?? message;
    const near = suggest(option.replace(/^-+/, ''), known);
    return `${spec.command}: unknown option ${option}${near ? ` (did you mean --${near}?)` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[\w-]+)/.exec(message)?.[1];
    if (option !== undefined && (spec.booleans ?? []).includes(option.replace(/^-+/, ''))) return `${spec.command}: ${option} takes no value`;
    return `${spec.command}: ${option ?? 'an option'} needs a value`;
  }
  return `${spec.command}: ${message}`;
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}
