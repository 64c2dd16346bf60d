// Group 3: sweep throughput — seeds per second for `--seeds 1..N` (swarm profile, every safety
// checker on), through runSweep's worker pool with one worker and with one per core.

import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { SweepSettings } from '../sim/explore/seed-job.ts';
import { runSweep } from '../sim/explore/sweep.ts';
import { fmtInt, type GroupResult, round } from './lib.ts';

export interface SweepBenchOptions {
  /** Seeds 1..seeds. */
  readonly seeds: number;
  /** Worker counts to compare; the first is the baseline of the scaling factor. */
  readonly workers: readonly number[];
}

export const DEFAULT_SWEEP: SweepBenchOptions = {
  seeds: 200,
  workers: [1, Math.max(2, availableParallelism())],
};

/** Seeds per message to a worker: runSweep's default, stated so that the start-up estimate can use it. */
const BATCH = 4;

/** What `npm run sim -- --seeds 1..N` runs. */
const SETTINGS: SweepSettings = { mode: 'swarm', overrides: {}, bugs: [] };

interface SweepRun {
  readonly workers: number;
  readonly seeds: number;
  readonly events: number;
  /** Failing seeds: with no bug switched on, each is a finding (or a harness bug) to look at. */
  readonly failures: { seed: number; property: string | null; message: string | null }[];
  readonly wallMs: number;
  /** From the first outcome to the last: the pool's rate without its start-up. */
  readonly steadyMs: number;
  readonly firstOutcomeMs: number;
  /** CPU time of the whole process (workers, main thread, GC helpers) over wall time. */
  readonly coresBusy: number;
}

async function sweepOnce(seeds: number, workers: number): Promise<SweepRun> {
  let events = 0;
  const failures: SweepRun['failures'] = [];
  let firstOutcomeMs = -1;
  let lastOutcomeMs = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await runSweep({
    lo: 1,
    hi: seeds,
    workers,
    batch: BATCH,
    settings: SETTINGS,
    stopOnFailure: false,
    onOutcome: (o) => {
      const now = performance.now() - t0;
      if (firstOutcomeMs < 0) firstOutcomeMs = now;
      lastOutcomeMs = now;
      events += o.events;
      if (!o.ok) failures.push({ seed: o.seed, property: o.property, message: o.message });
    },
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    workers,
    seeds,
    events,
    failures,
    wallMs,
    steadyMs: lastOutcomeMs - firstOutcomeMs,
    firstOutcomeMs,
    coresBusy: (cpu.user + cpu.system) / 1000 / wallMs,
  };
}

export async function benchSweep(opts: SweepBenchOptions = DEFAULT_SWEEP): Promise<GroupResult> {
  const loadBefore = loadavg()[0] ?? 0;
  const runs: SweepRun[] = [];
  for (const workers of opts.workers) runs.push(await sweepOnce(opts.seeds, workers));
  const base = runs[0]!;
  const rate = (r: SweepRun) => r.seeds / (r.wallMs / 1000);
  // The rate once the first batch is back: every worker's first batch also pays for its start-up
  // (a worker loads tsx and compiles the simulator, then runs cold code). All first batches are
  // left out of the count but the clock starts at the earliest one, which errs against more workers.
  const steadyRate = (r: SweepRun) => (r.seeds - r.workers * BATCH) / (r.steadyMs / 1000);
  const best = runs.at(-1)!;
  const scaling = rate(best) / rate(base);
  const steadyScaling = steadyRate(best) / steadyRate(base);

  return {
    group: 'sweep',
    title: 'Sweeps: seeds per second',
    workload:
      `runSweep over seeds 1..${opts.seeds}, swarm profile (each seed draws its own cluster size, ` +
      `clients and fault mix), 60 s virtual per seed, every safety checker on, batches of 4 seeds ` +
      `per worker message — what \`npm run sim -- --seeds 1..${opts.seeds} --workers W\` runs.`,
    tables: [
      {
        columns: [
          'workers',
          'seeds',
          'wall',
          'seeds/s',
          'events/s',
          'first outcome',
          'seeds/s after start-up',
          'cores busy',
        ],
        rows: runs.map((r) => [
          r.workers,
          r.seeds,
          `${(r.wallMs / 1000).toFixed(2)} s`,
          rate(r).toFixed(1),
          fmtInt(r.events / (r.wallMs / 1000)),
          `${(r.firstOutcomeMs / 1000).toFixed(2)} s`,
          steadyRate(r).toFixed(1),
          r.coresBusy.toFixed(2),
        ]),
      },
    ],
    targets: [
      {
        name: `sweep throughput once started, ${best.workers} workers vs ${base.workers}`,
        target: '>= 1.8x',
        measured: `${steadyScaling.toFixed(2)}x (wall time including start-up: ${scaling.toFixed(2)}x)`,
        met: steadyScaling >= 1.8,
      },
    ],
    notes: [
      `scaling needs idle cores: the 1-minute load average was ${loadBefore.toFixed(2)} on ` +
        `${availableParallelism()} cores when this group started.`,
      `cores busy = the process's CPU time over wall time. One worker already keeps ` +
        `${base.coresBusy.toFixed(2)} cores busy (V8 marks and scavenges on helper threads), so on ` +
        `${availableParallelism()} cores the most a second worker can add is ` +
        `${(availableParallelism() / base.coresBusy).toFixed(2)}x.`,
      `${base.seeds} seeds ran ${fmtInt(base.events)} events; ${base.failures.length} seeds failed` +
        (base.failures.length === 0
          ? '.'
          : ` (no bug is on, so each is a finding): ${base.failures
              .map((f) => `seed ${f.seed} ${f.property}: ${f.message}`)
              .join('; ')}`),
    ],
    data: {
      runs: runs.map((r) => ({ ...r, wallMs: round(r.wallMs, 1), steadyMs: round(r.steadyMs, 1) })),
      loadAvg1mBefore: round(loadBefore, 2),
      scaling: round(scaling, 3),
      steadyScaling: round(steadyScaling, 3),
    },
  };
}
