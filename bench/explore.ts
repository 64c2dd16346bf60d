// Group: coverage-guided exploration against random search, side by side (issue: "find bugs
// faster than random"). Two measurements, every safety checker on, each measurement an Explorer
// of its own in one worker thread (bench/explore-jobs.ts), one thread per core at a time:
//
// - distinct abstract states (sim/explore/search/coverage.ts) reached in the same number of runs
//   by explore (layers off: --profile random for its fresh draws) and by fresh seeds alone, with
//   the swarm's hand-tuned layers off and on;
// - for the hardest catalogue bugs, runs and wall time until the first failure, for random
//   search with the layers off, random search with them on, and explore with them off: medians
//   over trials (each trial its own exploration seed, so its own fresh seeds), a trial without a
//   failure within the cap counting as more than the cap.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  type CoverageRow,
  EXPLORE_OFF,
  type Job,
  type JobResult,
  RANDOM_OFF,
  runJob,
  STRATEGIES,
  type Trial,
} from './explore-jobs.ts';
import { type GroupResult, median, round, type TargetCheck } from './lib.ts';

export interface ExploreBenchOptions {
  /** Runs per coverage measurement. */
  readonly coverageRuns: number;
  /** Exploration seeds of the coverage measurement (one measurement each). */
  readonly coverageSeeds: readonly number[];
  readonly bugs: readonly string[];
  /** Trials per bug and strategy (exploration seeds 1..trials). */
  readonly trials: number;
  /** Runs per trial before the bug counts as not found there. */
  readonly cap: number;
  /** Worker threads the jobs are spread over (1: all in this thread). */
  readonly workers: number;
}

/**
 * The hard bugs of the issue: figure8, forget-vote and the two read-path bugs, which a sweep finds
 * mostly through a layer tuned for them, and the membership and snapshot bugs, which only the
 * membership and compaction draws reach with the layers off.
 */
export const HARD_BUGS = [
  'figure8',
  'forget-vote',
  'lease-without-check-quorum',
  'read-index-before-noop-commit',
  'joint-skip',
  'change-before-term-commit',
  'joint-union-majority',
  'learner-counted',
  'config-on-commit',
  'install-older-snapshot',
  'snapshot-forgets-term',
  'snapshot-discards-tail',
  'snapshot-beyond-commit',
] as const;

export const DEFAULT_EXPLORE_BENCH: ExploreBenchOptions = {
  coverageRuns: 1000,
  coverageSeeds: [1, 2],
  bugs: HARD_BUGS,
  trials: 5,
  cap: 200,
  workers: availableParallelism(),
};

/** Runs the jobs over `workers` threads (in this thread when 1); results in job order. */
async function runJobs(jobs: readonly Job[], workers: number): Promise<JobResult[]> {
  if (workers <= 1) return jobs.map(runJob);
  const results = new Array<JobResult>(jobs.length);
  let next = 0;
  const boot = new URL('../sim/explore/worker-boot.mjs', import.meta.url);
  const entry = new URL('./explore-worker.ts', import.meta.url).href;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(boot, { workerData: { entry } });
      let current = -1;
      const feed = (): void => {
        if (next >= jobs.length) {
          void worker.terminate().then(() => resolve());
          return;
        }
        current = next++;
        worker.postMessage(jobs[current]);
      };
      worker.on('message', (r: JobResult) => {
        results[current] = r;
        feed();
      });
      worker.on('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, one));
  return results;
}

function medianRuns(trials: readonly Trial[]): number {
  return median(trials.map((t) => t.runs ?? Number.POSITIVE_INFINITY));
}

function showRuns(m: number, cap: number): string {
  return Number.isFinite(m) ? String(m) : `> ${cap}`;
}

export async function benchExplore(opts: ExploreBenchOptions = DEFAULT_EXPLORE_BENCH): Promise<GroupResult> {
  const jobs: Job[] = [];
  for (const strategy of STRATEGIES)
    for (const seed of opts.coverageSeeds)
      jobs.push({ kind: 'coverage', strategy, seed, runs: opts.coverageRuns });
  for (const bug of opts.bugs)
    for (const strategy of STRATEGIES)
      for (let seed = 1; seed <= opts.trials; seed++)
        jobs.push({ kind: 'trial', strategy, bug, seed, cap: opts.cap });
  const results = await runJobs(jobs, opts.workers);
  const coverage: CoverageRow[] = [];
  const allTrials: Trial[] = [];
  for (const r of results) {
    if (r.kind === 'coverage') coverage.push(r.row);
    else allTrials.push(r.trial);
  }
  const perThousand = (name: string): number =>
    median(coverage.filter((r) => r.strategy === name).map((r) => (1000 * r.states) / r.runs));
  const statesRatio = perThousand(EXPLORE_OFF.name) / perThousand(RANDOM_OFF.name);

  const bugRows = opts.bugs.map((bug) => {
    const trials: Record<string, Trial[]> = {};
    for (const s of STRATEGIES)
      trials[s.name] = allTrials.filter((t) => t.bug === bug && t.strategy === s.name);
    return { bug, trials };
  });
  // A speed-up: explore's median runs against random's with the layers off; a bug random never
  // found within the cap and explore did counts as at least cap / explore's median.
  const speedups = bugRows.map((r) => {
    const random = medianRuns(r.trials[RANDOM_OFF.name]!);
    const explored = medianRuns(r.trials[EXPLORE_OFF.name]!);
    if (!Number.isFinite(explored)) return { bug: r.bug, factor: 0, atLeast: false };
    if (!Number.isFinite(random)) return { bug: r.bug, factor: opts.cap / explored, atLeast: true };
    return { bug: r.bug, factor: random / explored, atLeast: false };
  });
  const twiceAsFast = speedups.filter((x) => x.factor >= 2);

  const targets: TargetCheck[] = [
    {
      name: 'explore reaches at least 2x the distinct abstract states of random per 1,000 runs (layers off)',
      target: '>= 2x',
      measured: `${statesRatio.toFixed(2)}x (${Math.round(perThousand(EXPLORE_OFF.name))} vs ${Math.round(perThousand(RANDOM_OFF.name))} per 1,000 runs)`,
      met: statesRatio >= 2,
    },
    {
      name: 'explore cuts the median runs to failure at least 2x for at least three hard bugs (layers off)',
      target: '>= 3 bugs',
      measured: `${twiceAsFast.length} (${speedups.map((x) => `${x.bug} ${x.atLeast ? '>=' : ''}${x.factor.toFixed(1)}x`).join(', ')})`,
      met: twiceAsFast.length >= 3,
    },
  ];

  return {
    group: 'explore',
    title: 'Coverage-guided exploration against random search',
    workload:
      `coverage: ${opts.coverageRuns} runs per strategy and exploration seed (${opts.coverageSeeds.join(', ')}), ` +
      'distinct abstract states and transitions; bugs: for each of ' +
      `${opts.bugs.join(', ')}, ${opts.trials} trials per strategy (exploration seeds 1..${opts.trials}), ` +
      `runs until the first failure, at most ${opts.cap}; 60 s virtual per run, every safety checker, ` +
      `one thread per measurement, ${opts.workers} at a time (sim/explore/search/explore.ts Explorer; random = fresh seeds only).`,
    tables: [
      {
        columns: [
          'strategy',
          'seed',
          'runs',
          'distinct states',
          'states per 1,000 runs',
          'transitions',
          'wall s',
        ],
        rows: coverage.map((r) => [
          r.strategy,
          r.seed,
          r.runs,
          r.states,
          Math.round((1000 * r.states) / r.runs),
          r.transitions,
          (r.wallMs / 1000).toFixed(1),
        ]),
      },
      {
        columns: [
          'bug',
          ...STRATEGIES.flatMap((s) => [`${s.name}: median runs`, 'median wall s', 'runs per trial']),
        ],
        rows: bugRows.map((r) => [
          r.bug,
          ...STRATEGIES.flatMap((s) => {
            const trials = r.trials[s.name]!;
            const wall = median(trials.map((t) => (t.runs === null ? Number.POSITIVE_INFINITY : t.wallMs)));
            return [
              showRuns(medianRuns(trials), opts.cap),
              Number.isFinite(wall) ? (wall / 1000).toFixed(1) : '-',
              trials.map((t) => t.runs ?? '-').join(' / '),
            ];
          }),
        ]),
      },
    ],
    targets,
    notes: [
      'A trial without a failure within the cap counts as more than the cap in the medians.',
      'Properties found: ' +
        bugRows
          .map(
            (r) =>
              `${r.bug}: ${[...new Set(Object.values(r.trials).flatMap((ts) => ts.map((t) => t.property).filter((p) => p !== null)))].join(', ') || '-'}`,
          )
          .join('; '),
    ],
    data: {
      coverage: coverage.map((r) => ({ ...r, wallMs: round(r.wallMs, 1) })),
      bugs: bugRows,
      speedups,
      statesRatio,
    },
  };
}
