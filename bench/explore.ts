// Group: coverage-guided exploration against random search, side by side (issue: "find bugs
// faster than random"). Two measurements, each in this thread with every safety checker on:
//
// - distinct abstract states (sim/explore/search/coverage.ts) reached in the same number of runs
//   by explore (layers off: --profile random for its fresh draws) and by fresh seeds alone, with
//   the swarm's hand-tuned layers off and on;
// - for the hardest catalogue bugs, runs and wall time until the first failure, for random
//   search with the layers off, random search with them on, and explore with them off: medians
//   over trials (each trial its own exploration seed, so its own fresh seeds), a trial without a
//   failure within the cap counting as more than the cap.

import { performance } from 'node:perf_hooks';
import type { ProfileMode } from '../sim/explore/profile.ts';
import { Explorer } from '../sim/explore/search/explore.ts';
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
}

/** The hard bugs of the issue: found today mostly through a layer tuned for them. */
export const HARD_BUGS = [
  'figure8',
  'forget-vote',
  'lease-without-check-quorum',
  'read-index-before-noop-commit',
  'joint-skip',
  'change-before-term-commit',
] as const;

export const DEFAULT_EXPLORE_BENCH: ExploreBenchOptions = {
  coverageRuns: 1000,
  coverageSeeds: [1],
  bugs: HARD_BUGS,
  trials: 2,
  cap: 100,
};

interface Strategy {
  readonly name: string;
  readonly mode: ProfileMode;
  readonly strategy: 'explore' | 'random';
}

const RANDOM_OFF: Strategy = { name: 'random, layers off', mode: 'random', strategy: 'random' };
const RANDOM_ON: Strategy = { name: 'random, layers on', mode: 'swarm', strategy: 'random' };
const EXPLORE_OFF: Strategy = { name: 'explore, layers off', mode: 'random', strategy: 'explore' };
const STRATEGIES: readonly Strategy[] = [RANDOM_OFF, RANDOM_ON, EXPLORE_OFF];

interface CoverageRow {
  readonly strategy: string;
  readonly seed: number;
  readonly runs: number;
  readonly states: number;
  readonly transitions: number;
  readonly wallMs: number;
}

function coverageOf(s: Strategy, seed: number, runs: number): CoverageRow {
  const explorer = new Explorer(seed, { mode: s.mode, overrides: {}, bugs: [] }, s.strategy);
  const t0 = performance.now();
  while (explorer.runs < runs) explorer.step();
  const p = explorer.progress();
  return {
    strategy: s.name,
    seed,
    runs,
    states: p.states,
    transitions: p.transitions,
    wallMs: performance.now() - t0,
  };
}

interface Trial {
  /** Runs until the first failure, that one included; null when none failed within the cap. */
  readonly runs: number | null;
  readonly wallMs: number;
  readonly property: string | null;
}

function trial(s: Strategy, bug: string, seed: number, cap: number): Trial {
  const explorer = new Explorer(seed, { mode: s.mode, overrides: {}, bugs: [bug] }, s.strategy);
  const t0 = performance.now();
  while (explorer.runs < cap) {
    const failure = explorer.step();
    if (failure !== null)
      return { runs: explorer.runs, wallMs: performance.now() - t0, property: failure.property };
  }
  return { runs: null, wallMs: performance.now() - t0, property: null };
}

function medianRuns(trials: readonly Trial[]): number {
  return median(trials.map((t) => t.runs ?? Number.POSITIVE_INFINITY));
}

function showRuns(m: number, cap: number): string {
  return Number.isFinite(m) ? String(m) : `> ${cap}`;
}

export function benchExplore(opts: ExploreBenchOptions = DEFAULT_EXPLORE_BENCH): GroupResult {
  const coverage: CoverageRow[] = [];
  for (const s of STRATEGIES)
    for (const seed of opts.coverageSeeds) coverage.push(coverageOf(s, seed, opts.coverageRuns));
  const perThousand = (name: string): number =>
    median(coverage.filter((r) => r.strategy === name).map((r) => (1000 * r.states) / r.runs));
  const statesRatio = perThousand(EXPLORE_OFF.name) / perThousand(RANDOM_OFF.name);

  const bugRows: { bug: string; trials: Record<string, Trial[]> }[] = [];
  for (const bug of opts.bugs) {
    const trials: Record<string, Trial[]> = {};
    for (const s of STRATEGIES) {
      trials[s.name] = [];
      for (let seed = 1; seed <= opts.trials; seed++) trials[s.name]!.push(trial(s, bug, seed, opts.cap));
    }
    bugRows.push({ bug, trials });
  }
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
      'one thread (sim/explore/search/explore.ts Explorer; random = fresh seeds only).',
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
