// Group 6: peak memory. Each measurement runs in a child process of its own (bench/memory-child.ts)
// so that its peak RSS (VmHWM) is its own: a bare process for reference, a 1M-event run, the same
// run streaming its trace to a file, the same run again sampling its live heap (what a run keeps
// as it grows) and a 10k-seed sweep.

import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fmtInt, type GroupResult, round } from './lib.ts';

export interface MemoryOptions {
  readonly runEvents: number;
  readonly sweepSeeds: number;
  /** Virtual time per sweep seed: short, so that 10k seeds fit in the suite's time budget. */
  readonly sweepTimeMs: number;
  readonly sweepWorkers: number;
}

export const DEFAULT_MEMORY: MemoryOptions = {
  runEvents: 1_000_000,
  sweepSeeds: 10_000,
  sweepTimeMs: 6000,
  sweepWorkers: Math.max(2, availableParallelism()),
};

interface ChildReport {
  readonly mode: string;
  readonly peakRssMb: number;
  readonly heapUsedMb: number;
  readonly wallMs?: number;
  readonly events?: number;
  readonly historyOps?: number;
  readonly maxCommitIndex?: number;
  readonly traceMb?: number;
  readonly seeds?: number;
  readonly failures?: number;
  readonly samples?: { seeds: number; rssMb: number }[];
}

interface RetainedReport {
  readonly events: number;
  readonly samples: { nodeSteps: number; logEntries: number; heapMb: number }[];
}

/** Least-squares slope of y over x. */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return num / den;
}

function child(args: readonly string[], nodeFlags: readonly string[] = []): ChildReport {
  const script = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
  const r = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    throw new Error(`memory child ${args.join(' ')} failed (status ${r.status}): ${r.stderr.slice(-2000)}`);
  }
  return JSON.parse(last) as ChildReport;
}

export function benchMemory(opts: MemoryOptions = DEFAULT_MEMORY): GroupResult {
  const baseline = child(['baseline']);
  const run = child(['run', String(opts.runEvents)]);
  const traced = child(['run', String(opts.runEvents), 'trace']);
  const kept = child(['retained', String(opts.runEvents)], ['--expose-gc']) as unknown as RetainedReport;
  const sweep = child([
    'sweep',
    String(opts.sweepSeeds),
    String(opts.sweepTimeMs),
    String(opts.sweepWorkers),
  ]);

  // What a run keeps as it goes: the live heap after a full GC, sampled along the run, against
  // the log length (one entry per client op that committed). The slope is the cost of an op.
  const points = kept.samples.map((p) => ({ x: p.logEntries, y: p.heapMb * 2 ** 20 }));
  const bytesPerEntry = slope(points);
  const firstSample = kept.samples[0];
  const lastSample = kept.samples.at(-1);
  const entriesPerEvent = (run.maxCommitIndex ?? 0) / (run.events ?? 1);
  const bytesPerEvent = bytesPerEntry * entriesPerEvent;
  const samples = sweep.samples ?? [];
  const sweepFirst = samples[0]?.rssMb ?? Number.NaN;
  const sweepMax = Math.max(...samples.map((s) => s.rssMb));

  const row = (what: string, r: ChildReport, extra: string) => [
    what,
    `${r.peakRssMb.toFixed(1)} MB`,
    r.wallMs === undefined ? '-' : `${(r.wallMs / 1000).toFixed(2)} s`,
    extra,
  ];

  return {
    group: 'memory',
    title: 'Memory: peak RSS',
    workload:
      `child processes (node --import tsx): a bare process that loads the simulator; the standard ` +
      `workload (seed 1, every safety checker on) stopped by maxSteps at ${fmtInt(opts.runEvents)} ` +
      `events, without a trace and with its trace streamed to a file in 4096-line chunks as the CLI's ` +
      `--trace does; the same run with a full GC every 32k node steps to sample the live heap; a sweep ` +
      `of seeds 1..${fmtInt(opts.sweepSeeds)} (swarm profile, ${opts.sweepTimeMs / 1000} s virtual per ` +
      `seed, ${opts.sweepWorkers} worker threads).`,
    tables: [
      {
        columns: ['measurement', 'peak RSS', 'wall', 'details'],
        rows: [
          row('bare process (tsx + simulator loaded)', baseline, ''),
          row(
            `run, ${fmtInt(run.events ?? 0)} events`,
            run,
            `${fmtInt(run.historyOps ?? 0)} client ops, log ${fmtInt(run.maxCommitIndex ?? 0)} entries`,
          ),
          row(
            `run, ${fmtInt(traced.events ?? 0)} events, trace to file`,
            traced,
            `${traced.traceMb} MB of trace written`,
          ),
          row(
            `sweep, ${fmtInt(sweep.seeds ?? 0)} seeds`,
            sweep,
            `${fmtInt(sweep.events ?? 0)} events; RSS ${sweepFirst} MB after ${samples[0]?.seeds ?? '?'} seeds, ` +
              `at most ${sweepMax} MB at later samples`,
          ),
        ],
      },
      {
        columns: ['live heap after GC', 'log entries', 'heap'],
        rows: [firstSample, lastSample]
          .filter((p) => p !== undefined)
          .map((p) => [`at ${fmtInt(p.nodeSteps)} node steps`, fmtInt(p.logEntries), `${p.heapMb} MB`]),
      },
    ],
    targets: [
      {
        name: `peak RSS of a ${fmtInt(opts.runEvents)}-event run`,
        target: '< 300 MB',
        measured: `${run.peakRssMb.toFixed(1)} MB`,
        met: run.peakRssMb < 300,
      },
      {
        name: `peak RSS of a ${fmtInt(opts.sweepSeeds)}-seed sweep`,
        target: 'no target (flat in the seed count)',
        measured: `${sweep.peakRssMb.toFixed(1)} MB`,
        met: null,
      },
    ],
    notes: [
      `a run keeps ${fmtInt(bytesPerEntry)} bytes of live heap per committed client op ` +
        `(${bytesPerEvent.toFixed(0)} bytes per event): the history record, the log entry shared by ` +
        `the nodes' logs and disks, the checkers' history variables and the store's values. Nothing is ` +
        `kept per event without a trace; the schedule (every client op of the run) is built up front.`,
      `peak RSS with the trace streamed to a file: ${traced.peakRssMb.toFixed(1)} MB for ` +
        `${traced.traceMb} MB written, against ${run.peakRssMb.toFixed(1)} MB without: the trace is ` +
        `written as it is made, not kept.`,
    ],
    data: {
      options: opts,
      baseline,
      run,
      traced,
      retained: kept,
      sweep,
      liveBytesPerLogEntry: round(bytesPerEntry, 1),
      liveBytesPerEvent: round(bytesPerEvent, 1),
    },
  };
}
