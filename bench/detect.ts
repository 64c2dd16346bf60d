// Group 4: how fast each bug of the catalogue is found. For each bug and each of several seed
// ranges, seeds are run in order (swarm profile, every safety checker on, in this thread) until
// the first one that fails; the figures are medians over ranges. The first failing seed of each
// bug is then shrunk (sim/explore/shrink.ts, its default budget of runs) and the shrink is timed.

import { performance } from 'node:perf_hooks';
import { BUGS, type Bug } from '../bugs/index.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { configFor } from '../sim/explore/profile.ts';
import { runSeedJob, type SeedOutcome } from '../sim/explore/seed-job.ts';
import { DEFAULT_SHRINK_BUDGET, describeBudget, shrinkSchedule } from '../sim/explore/shrink.ts';
import type { ScheduleSize } from '../sim/model/trace-file.ts';
import { fmtInt, type GroupResult, median, round } from './lib.ts';

export interface DetectOptions {
  /** First seed of each range. */
  readonly rangeStarts: readonly number[];
  /** Seeds tried per range before the bug counts as not detected there. */
  readonly cap: number;
  /** Bug names to run (default: the whole catalogue). */
  readonly bugs?: readonly string[];
}

export const DEFAULT_DETECT: DetectOptions = { rangeStarts: [1, 100_001, 200_001], cap: 200 };

interface RangeResult {
  readonly lo: number;
  /** Seeds run until the first failure, that one included; null when none failed within the cap. */
  readonly seedsToDetect: number | null;
  readonly failingSeed: number | null;
  readonly property: string | null;
  readonly wallMs: number;
  readonly events: number;
}

interface BugResult {
  readonly bug: string;
  readonly expected: string;
  readonly ranges: RangeResult[];
  readonly shrink: ShrinkResult;
}

type ShrinkResult =
  | {
      readonly status: 'ok';
      readonly ms: number;
      readonly runs: number;
      /** False when the run budget ran out before a fixpoint. */
      readonly complete: boolean;
      readonly before: ScheduleSize;
      readonly after: ScheduleSize;
      readonly property: string;
    }
  | { readonly status: 'n/a'; readonly reason: string };

function detectInRange(bug: Bug, lo: number, cap: number): RangeResult {
  const settings = { mode: 'swarm' as const, overrides: {}, bugs: [bug.name] };
  const t0 = performance.now();
  let events = 0;
  for (let k = 0; k < cap; k++) {
    const outcome: SeedOutcome = runSeedJob(lo + k, settings);
    events += outcome.events;
    if (!outcome.ok) {
      return {
        lo,
        seedsToDetect: k + 1,
        failingSeed: lo + k,
        property: outcome.property,
        wallMs: performance.now() - t0,
        events,
      };
    }
  }
  return {
    lo,
    seedsToDetect: null,
    failingSeed: null,
    property: null,
    wallMs: performance.now() - t0,
    events,
  };
}

/** Shrinks the failing schedule of `seed` with the shrinker's default (deterministic) run budget. */
function shrinkTime(bug: Bug, seed: number | null): ShrinkResult {
  if (seed === null) return { status: 'n/a', reason: 'no failing seed to shrink' };
  const schedule = generateSchedule(seed, configFor(seed, 'swarm', {}));
  const t0 = performance.now();
  let r: ReturnType<typeof shrinkSchedule>;
  try {
    r = shrinkSchedule(schedule, { bugs: [bug.name] });
  } catch (error) {
    return { status: 'n/a', reason: `shrinking seed ${seed} failed: ${(error as Error).message}` };
  }
  const ms = performance.now() - t0;
  return {
    status: 'ok',
    ms,
    runs: r.runs,
    complete: r.complete,
    before: r.before,
    after: r.after,
    property: r.outcome.property,
  };
}

function shrunkSize(r: Extract<ShrinkResult, { status: 'ok' }>): string {
  const a = r.after;
  const b = r.before;
  return (
    `${b.faults}→${a.faults} faults, ${b.ops}→${a.ops} ops, ${b.events}→${a.events} events ` +
    `(${r.runs}${r.complete ? '' : ', budget out'})`
  );
}

export function benchDetect(opts: DetectOptions = DEFAULT_DETECT): GroupResult {
  const bugs = opts.bugs === undefined ? BUGS : BUGS.filter((b) => opts.bugs!.includes(b.name));
  const results: BugResult[] = [];
  for (const bug of bugs) {
    const ranges = opts.rangeStarts.map((lo) => detectInRange(bug, lo, opts.cap));
    const first = ranges.find((r) => r.failingSeed !== null);
    results.push({
      bug: bug.name,
      expected: bug.property,
      ranges,
      shrink: shrinkTime(bug, first?.failingSeed ?? null),
    });
  }

  const n = opts.rangeStarts.length;
  const rows = results.map((r) => {
    const found = r.ranges.filter((x) => x.seedsToDetect !== null);
    // Not detected within the cap counts as "more than the cap" for the median.
    const seeds = r.ranges.map((x) => x.seedsToDetect ?? Number.POSITIVE_INFINITY);
    const med = median(seeds);
    const wall = median(
      r.ranges.map((x) => (x.seedsToDetect === null ? Number.POSITIVE_INFINITY : x.wallMs)),
    );
    const properties = [...new Set(found.map((x) => x.property))].join(', ') || '-';
    return [
      r.bug,
      `${found.length}/${n}`,
      Number.isFinite(med) ? String(med) : `> ${opts.cap}`,
      Number.isFinite(wall)
        ? (wall / 1000).toFixed(2)
        : `> ${(Math.max(...r.ranges.map((x) => x.wallMs)) / 1000).toFixed(1)}`,
      r.ranges.map((x) => x.seedsToDetect ?? '-').join(' / '),
      properties,
      r.expected,
      r.shrink.status === 'ok' ? `${(r.shrink.ms / 1000).toFixed(2)} s` : 'n/a',
      r.shrink.status === 'ok' ? shrunkSize(r.shrink) : '-',
    ];
  });
  const undetected = results.filter((r) => r.ranges.every((x) => x.seedsToDetect === null)).map((r) => r.bug);
  const notes: string[] = [];
  if (undetected.length > 0) {
    notes.push(`not detected in any range within ${opts.cap} seeds: ${undetected.join(', ')}`);
  }
  for (const r of results) {
    if (r.shrink.status === 'n/a') notes.push(`${r.bug}: shrink n/a (${r.shrink.reason})`);
  }
  const totalEvents = results.reduce((s, r) => s + r.ranges.reduce((t, x) => t + x.events, 0), 0);
  notes.push(`${fmtInt(totalEvents)} events simulated in this group.`);

  return {
    group: 'detect',
    title: 'Detection: seeds and wall time to the first failure, per bug',
    workload:
      `for each bug in bugs/, ${n} seed ranges starting at ${opts.rangeStarts.join(', ')}, ` +
      `seeds run in order until the first failure, at most ${opts.cap} per range; swarm profile, ` +
      `60 s virtual per seed, every safety checker, the liveness probe and the end-of-run ` +
      `linearizability check on (runSeedJob, as a sweep runs a seed), one thread; medians over ` +
      `ranges (a range without a failure counts as more than the cap). Shrink: wall time of ` +
      `shrinkSchedule (sim/explore/shrink.ts, its default budget of ${describeBudget(DEFAULT_SHRINK_BUDGET)}) ` +
      `on each bug's first failing seed.`,
    tables: [
      {
        columns: [
          'bug',
          'found',
          'median seeds',
          'median wall s',
          'seeds per range',
          'property found',
          'expected',
          'shrink',
          'shrunk to (runs)',
        ],
        rows,
      },
    ],
    targets: [],
    notes,
    data: {
      cap: opts.cap,
      rangeStarts: opts.rangeStarts,
      bugs: results.map((r) => ({
        ...r,
        ranges: r.ranges.map((x) => ({ ...x, wallMs: round(x.wallMs, 1) })),
      })),
    },
  };
}
