import type { RoundSample } from './round.js';
import { median } from './stats.js';

/** Medians over a contender's rounds. */
/** A contender's rounds reduced to medians: a round's figures under a label, with the round count. */
export type Summary = Omit<RoundSample, 'contender'> & {
  readonly label: string;
  readonly rounds: number;
};

export function summarise(label: string, samples: readonly RoundSample[]): Summary {
  const of = (pick: (s: RoundSample) => number): number => median(samples.map(pick));
  const resumed = samples.map((s) => s.resumedFraction).filter((v): v is number => v !== undefined);
  const firstError = samples.find((s) => s.firstError !== undefined)?.firstError;
  return {
    label,
    rounds: samples.length,
    perSecond: of((s) => s.perSecond),
    p50Ms: of((s) => s.p50Ms),
    p99Ms: of((s) => s.p99Ms),
    serverCpuMicrosPerOp: of((s) => s.serverCpuMicrosPerOp),
    serverCorePct: of((s) => s.serverCorePct),
    clientCorePct: of((s) => s.clientCorePct),
    backgroundCorePct: of((s) => s.backgroundCorePct),
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    ...(firstError !== undefined ? { firstError } : {}),
    ...(resumed.length > 0 ? { resumedFraction: median(resumed) } : {}),
  };
}

export const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const whole = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');

export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((h, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** "0.93x (target ≥ 0.8x: met)" */
export function ratioText(ours: number, other: number, target?: { atLeast: number }): string {
  const ratio = ours / other;
  if (!Number.isFinite(ratio)) return 'n/a';
  const text = `${ratio.toFixed(2)}x`;
  if (!target) return text;
  return `${text} (target ≥ ${target.atLeast}x: ${ratio >= target.atLeast ? 'met' : 'NOT met'})`;
}

export function handshakeSection(byKey: ReadonlyArray<{ keyLabel: string; rows: readonly Summary[] }>, concurrency: number): string[] {
  const lines = [
    `### 2. New mutual-TLS connections (full handshake + one \`block_count\`, no keep-alive, no resumption; ${concurrency} concurrent)`,
    '',
    ...table(
      ['server key', 'contender', 'conn/s', 'p50 ms', 'server CPU ms/conn', 'server core %', 'load-gen core %', 'other core %', 'rounds', 'errors'],
      byKey.flatMap(({ keyLabel, rows }) =>
        rows.map((r) => [
          keyLabel,
          r.label,
          whole(r.perSecond),
          fixed(r.p50Ms, 2),
          fixed(r.serverCpuMicrosPerOp / 1000, 3),
          fixed(r.serverCorePct, 0),
          fixed(r.clientCorePct, 0),
          fixed(r.backgroundCorePct, 0),
          String(r.rounds),
          String(r.errors),
        ]),
      ),
    ),
    '',
  ];
  for (const { keyLabel, rows } of byKey) {
    const ours = rows.find((r) => r.label === 'ours');
    const minimal = rows.find((r) => r.label === 'minimal');
    const nginx = rows.find((r) => r.label === 'nginx');
    const parts: string[] = [];
    if (ours && minimal)
      parts.push(
        `ours/minimal conn/s ${ratioText(ours.perSecond, minimal.perSecond, { atLeast: 0.9 })}, CPU/conn ${ratioText(ours.serverCpuMicrosPerOp, minimal.serverCpuMicrosPerOp)}`,
      );
    if (ours && nginx)
      parts.push(
        `ours/nginx conn/s ${ratioText(ours.perSecond, nginx.perSecond)}, CPU/conn ${ratioText(ours.serverCpuMicrosPerOp, nginx.serverCpuMicrosPerOp)}`,
      );
    if (parts.length > 0) lines.push(`- ${keyLabel}: ${parts.join('; ')}`);
  }
  return lines;
}

export function resumptionSection(rows: readonly Summary[], concurrency: number): string[] {
  const full = rows.find((r) => r.label === 'full handshake');
  const resumed = rows.find((r) => r.label === 'resumed');
  const lines = [
    `### 3. Session resumption, ours (ECDSA P-256; reconnect + one \`block_count\`; ${concurrency} concurrent)`,
    '',
    ...table(
      ['mode', 'reconnects/s', 'p50 ms', 'server CPU ms/reconnect', 'resumed', 'server core %', 'load-gen core %', 'other core %', 'rounds', 'errors'],
      rows.map((r) => [
        r.label,
        whole(r.perSecond),
        fixed(r.p50Ms, 2),
        fixed(r.serverCpuMicrosPerOp / 1000, 3),
        r.resumedFraction === undefined ? 'n/a' : `${fixed(r.resumedFraction * 100, 1)} %`,
        fixed(r.serverCorePct, 0),
        fixed(r.clientCorePct, 0),
        fixed(r.backgroundCorePct, 0),
        String(r.rounds),
        String(r.errors),
      ]),
    ),
    '',
  ];
  if (full && resumed) {
    lines.push(
      `- resumed/full: server CPU per reconnect ${ratioText(resumed.serverCpuMicrosPerOp, full.serverCpuMicrosPerOp)} (expected ≈ 0.5x); reconnects/s ${ratioText(resumed.perSecond, full.perSecond)}`,
    );
  }
  return lines;
}

/** Lists the first error of any contender that had errors, so a failing setup is visible. */
export function errorNotes(all: readonly Summary[]): string[] {
  return all.filter((s) => s.errors > 0 && s.firstError !== undefined).map((s) => `- errors for ${s.label}: first was "${s.firstError}"`);
}
