import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields after the "(comm)" of /proc/<pid>/stat; index 0 is field 3 (state). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text
      .slice(text.lastIndexOf(')') + 2)
      .trim()
      .split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process (all its threads), in microseconds; 0 once it is gone. */
export function processCpuMicros(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / clockTicks();
}

export function totalCpuMicros(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) sum += processCpuMicros(pid);
  return sum;
}

/** Direct children of a process, found by scanning /proc (nginx's workers under its master). */
export function childPids(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === parent) found.push(Number(entry));
  }
  return found;
}

/** Busy CPU time of the whole machine (all cores: user, nice, system, irq, softirq, steal), microseconds. */
export function machineBusyMicros(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return ((user + nice + system + irq + softirq + steal) * 1e6) / clockTicks();
  } catch {
    return Number.NaN;
  }
}
