// Shared pieces of the benchmark suite: what a group reports, the machine it ran on, timing,
// statistics and plain-text tables. Benchmarks may read clocks; simulated runs still may not
// (the determinism fence is up inside every run unless a benchmark lowers it on purpose).

import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

export const GROUP_NAMES = [
  'throughput',
  'growth',
  'sweep',
  'detect',
  'lincheck',
  'memory',
  'viewer',
  'membership',
  'compaction',
  'explore',
] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

/** A target from the issue, next to what was measured. `met` is null where there is no target to meet. */
export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | null;
}

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** What one group of benchmarks found: printed as a table, saved as JSON. */
export interface GroupResult {
  readonly group: GroupName;
  readonly title: string;
  /** What was run to get these figures, in one or two sentences. */
  readonly workload: string;
  readonly tables: readonly Table[];
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
  /** The raw figures, for results.json. */
  readonly data: unknown;
}

export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly totalMemMb: number;
  /** 1-minute load average when the suite started: other work on the machine skews wall times. */
  readonly loadAvg1m: number;
}

export function machineInfo(): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    totalMemMb: Math.round(totalmem() / 2 ** 20),
    loadAvg1m: round(loadavg()[0] ?? 0, 2),
  };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: fall through to what Node knows.
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** Wall and CPU time of `fn`. CPU time is the whole process (user + system), GC helper threads included. */
export function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** 1234567 → "1,234,567". */
export function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

/** 1234567 → "1.23M", 12345 → "12.3k". */
export function fmtSi(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

export function fmtMs(ms: number): string {
  return ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(1)} ms`;
}

export function fmtPct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export function formatTable(t: Table): string[] {
  const cells = [t.columns, ...t.rows].map((row) => row.map((c) => String(c)));
  const widths = t.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const numeric = t.columns.map((_, i) => t.rows.length > 0 && t.rows.every((r) => typeof r[i] === 'number'));
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}

export function formatGroup(r: GroupResult, seconds: number): string[] {
  const out = [`== ${r.title} [${r.group}, ${seconds.toFixed(1)} s]`, `workload: ${r.workload}`];
  for (const t of r.tables) out.push('', ...formatTable(t).map((l) => `  ${l}`));
  if (r.targets.length > 0) {
    out.push('', '  targets:');
    for (const t of r.targets) {
      const mark = t.met === null ? '    ' : t.met ? 'met ' : 'MISS';
      out.push(`    ${mark}  ${t.name}: target ${t.target}, measured ${t.measured}`);
    }
  }
  for (const n of r.notes) out.push(`  note: ${n}`);
  return out;
}
