// Coverage-guided exploration: instead of fresh seeds only, keep a corpus of the schedules that
// reached abstract states no earlier run reached (coverage.ts), and spend half the runs on
// mutations of them (mutate.ts) — the feedback loop of ModelFuzz and of P's feedback-guided
// scheduling — picked by how rare their states are now. The other half are fresh seeds, each the
// least-run of a few by the config space's own coverage (config-coverage.ts): the regions the
// profile draws rarely are run as often as the rest.
//
// Deterministic given its seed: every choice comes from the 'explore' stream, every run is
// deterministic, and the corpus grows in run order. Wall time is read only by the caller, between
// runs, as the stopping condition; with a run budget the whole exploration replays exactly.

import { createSafetyCheckers } from '../../../properties/index.ts';
import { chance, intBetween, type Random, stream } from '../../engine/rng.ts';
import { serverCount } from '../../model/config.ts';
import type { Schedule } from '../../model/schedule.ts';
import { generateSchedule } from '../generate.ts';
import { isStopped, type RunKind, runClassified } from '../outcome.ts';
import { configOf, nodeUnderTest, type SweepSettings } from '../seed-job.ts';
import { ConfigCoverage } from './config-coverage.ts';
import { AbstractStateTracker, CoverageMap } from './coverage.ts';
import { type Mutation, mutateOnce } from './mutate.ts';

/** Seeds of fresh schedules are drawn below this (32-bit, as --seed takes). */
const MAX_SEED = 2 ** 32 - 1;
/**
 * Share of runs that start from a fresh seed instead of a corpus entry. Half: fresh seeds from
 * the config space's least-run corners find the bugs that live in one region of it (a membership
 * change, a read path, compaction), which mutants of a few early entries do not reach.
 */
const FRESH_SHARE = 0.5;
/** Runs from fresh seeds before the first mutation: a corpus spread over the config space. */
const WARM_UP_RUNS = 25;
/** Configs drawn for a fresh run: the least-run of them is run (config-coverage.ts). */
const FRESH_CANDIDATES = 8;
/**
 * The power of an entry's state rarity in its energy: the higher, the more the picks go to the
 * few entries whose states are rarest. In the probes bench/README.md records (1,000 runs, half of
 * them fresh), 1 reached about 1.8 times the states of random search, 2 about 2.1 and 3 about 2.2.
 */
const RARITY_POWER = 3;
/** Mutations stacked on one corpus entry per run: 1 to this many. */
const MUTATIONS_MAX = 4;
/**
 * Corpus entries kept: a schedule holds thousands of ops (about a megabyte), and an exploration admits
 * most of its runs. Past this the entry with the least energy left makes room.
 */
export const CORPUS_MAX = 256;
/** Runs between two rescorings of the corpus by rarity (the hit counts change with every run). */
const RESCORE_EVERY = 25;

export interface CorpusSchedule {
  /** The run that found it (1-based) and what it added. */
  readonly run: number;
  readonly newStates: number;
  readonly newTransitions: number;
  readonly schedule: Schedule;
  /** How it was made: `seed N`, or the mutations applied to an earlier entry. */
  readonly origin: string;
  /** The distinct states and features its run reached (coverage.ts). */
  readonly states: readonly number[];
  readonly features: readonly number[];
}

/** A run that failed: the schedule that failed and how. */
export interface ExploreFailure {
  readonly run: number;
  readonly kind: Exclude<RunKind, 'ok'>;
  readonly property: string;
  readonly message: string;
  readonly schedule: Schedule;
  readonly origin: string;
}

export interface ExploreProgress {
  readonly runs: number;
  readonly states: number;
  readonly transitions: number;
  readonly corpus: number;
  readonly failures: number;
}

export interface ExploreOptions {
  readonly seed: number;
  readonly settings: SweepSettings;
  /** 'explore': the corpus and mutations; 'random': fresh seeds only (the baseline, same coverage counted). */
  readonly strategy?: 'explore' | 'random';
  /** Stop after this many runs (null: only shouldStop ends it). */
  readonly maxRuns: number | null;
  /** Asked before each run (the wall-time budget, Ctrl-C). */
  readonly shouldStop?: () => boolean;
  readonly stopOnFailure?: boolean;
  /** Called after every run with the totals so far. */
  readonly onRun?: (p: ExploreProgress) => void;
  /** Called for every failing run, in run order. */
  readonly onFailure?: (f: ExploreFailure) => void;
}

export interface ExploreResult extends ExploreProgress {
  readonly corpusEntries: readonly CorpusSchedule[];
  readonly failureList: readonly ExploreFailure[];
  /** Runs that could not be judged (a resource limit). */
  readonly notJudged: number;
  /** Distinct states reached after each 100 runs (a coverage curve). */
  readonly curve: readonly number[];
}

/**
 * Picks a corpus entry with a chance in proportion to its energy: how rare the states (or the
 * features) its run reached are now (CoverageMap.rarity), divided by one more than the times it
 * was picked already (as AFL favours entries it has not fuzzed much). Without the decay the runs
 * that opened the rarest ground would be mutated for ever; without rarity every entry that once
 * found something new would weigh the same long after every run reaches what it found (the first
 * version weighed entries by the new states they brought, and explored no more than 1.6 times
 * the states of random search). Linear in the corpus, which grows far slower than the runs.
 */
function pickEntry(rng: Random, energies: readonly number[]): number {
  let total = 0;
  for (const e of energies) total += e;
  let x = rng() * total;
  for (let i = 0; i < energies.length; i++) {
    x -= energies[i]!;
    if (x < 0) return i;
  }
  return energies.length - 1;
}

/**
 * The exploration, one run at a time (`step`), so that a caller can yield to its event loop
 * between runs (Ctrl-C) and read the totals whenever it likes.
 */
export class Explorer {
  private readonly rng: Random;
  private readonly settings: SweepSettings;
  private readonly strategy: 'explore' | 'random';
  private readonly node: ReturnType<typeof nodeUnderTest>;
  readonly coverage = new CoverageMap();
  private readonly configs = new ConfigCoverage();
  readonly corpus: CorpusSchedule[] = [];
  readonly failures: ExploreFailure[] = [];
  readonly curve: number[] = [];
  notJudged = 0;
  runs = 0;
  /** Times each corpus entry was picked as a parent. */
  private readonly picks: number[] = [];
  /** Each corpus entry's rarity, as last scored. */
  private readonly rarities: { states: number; features: number }[] = [];

  constructor(seed: number, settings: SweepSettings, strategy: 'explore' | 'random' = 'explore') {
    this.rng = stream(seed, 'explore');
    this.settings = settings;
    this.strategy = strategy;
    this.node = nodeUnderTest(settings.bugs, settings.impl);
  }

  /** The next schedule: a fresh seed's, or a corpus entry mutated one to MUTATIONS_MAX times. */
  private next(): { schedule: Schedule; origin: string } {
    const rng = this.rng;
    const corpus = this.corpus;
    // Random search: every run a fresh seed, as drawn (the least run of one).
    if (this.strategy === 'random') return this.fresh(1);
    if (this.runs < WARM_UP_RUNS || corpus.length === 0 || chance(rng, FRESH_SHARE))
      return this.fresh(FRESH_CANDIDATES);
    const parentIndex = pickEntry(rng, this.energies('states'));
    this.picks[parentIndex]!++;
    const parent = corpus[parentIndex]!;
    let schedule = parent.schedule;
    const applied: Mutation[] = [];
    const count = intBetween(rng, 1, MUTATIONS_MAX);
    for (let k = 0; k < count; k++) {
      const donor = corpus[intBetween(rng, 0, corpus.length - 1)]!.schedule;
      const m = mutateOnce(rng, schedule, donor);
      schedule = m.schedule;
      applied.push(m.mutation);
    }
    return { schedule, origin: `run ${parent.run} + ${applied.join(', ')}` };
  }

  /**
   * A fresh seed from the least-run corner of the config space: of `candidates` seeds, the one
   * whose config's knob values and pairs of them were run least (config-coverage.ts). Only the
   * others' configs are drawn, never their schedules.
   */
  private fresh(candidates: number): { schedule: Schedule; origin: string } {
    const seeds: number[] = [];
    for (let k = 0; k < candidates; k++) seeds.push(intBetween(this.rng, 0, MAX_SEED));
    const configs = seeds.map((seed) => configOf(seed, this.settings));
    const i = this.configs.leastRun(configs);
    return { schedule: generateSchedule(seeds[i]!, configs[i]!), origin: `seed ${seeds[i]!}` };
  }

  /** One run: returns its failure, if it failed. */
  step(): ExploreFailure | null {
    const { schedule, origin } = this.next();
    const run = ++this.runs;
    const tracker = new AbstractStateTracker(serverCount(schedule.config));
    const outcome = runClassified(schedule, {
      ...this.node,
      checkers: createSafetyCheckers(),
      observer: tracker,
    });
    const reached = tracker.coverage();
    if (this.strategy === 'explore') this.configs.add(schedule.config);
    const newFeatures = this.coverage.newFeatures(reached);
    const gained = this.coverage.add(reached);
    // New states or features only: nearly every run takes some transition no run took before (a
    // state pair times its cause), which would admit every run and steer nothing.
    if (this.strategy === 'explore' && (gained.newStates > 0 || newFeatures > 0)) {
      const entry = { run, ...gained, schedule, origin, states: reached.states, features: reached.features };
      if (this.corpus.length >= CORPUS_MAX) this.evictWeakest();
      this.corpus.push(entry);
      this.picks.push(0);
      this.rarities.push(this.coverage.rarity(entry));
    }
    if (this.strategy === 'explore' && run % RESCORE_EVERY === 0) {
      for (let i = 0; i < this.corpus.length; i++) this.rarities[i] = this.coverage.rarity(this.corpus[i]!);
    }
    if (run % 100 === 0) this.curve.push(this.coverage.states.size);
    let failure: ExploreFailure | null = null;
    if (isStopped(outcome)) {
      if (outcome.kind === 'resource-limit') this.notJudged++;
      else
        failure = {
          run,
          kind: outcome.kind,
          property: outcome.kind,
          message: outcome.message,
          schedule,
          origin,
        };
    } else if (outcome.kind === 'violation' && outcome.result.violation !== null) {
      const v = outcome.result.violation;
      failure = { run, kind: outcome.kind, property: v.property, message: v.message, schedule, origin };
    }
    if (failure !== null) this.failures.push(failure);
    return failure;
  }

  /**
   * Each corpus entry's energy by one kind of rarity: that rarity to the RARITY_POWER, over one
   * more than its picks. Picks go by states; eviction weighs features too.
   */
  private energies(by: 'states' | 'features'): number[] {
    return this.corpus.map((_, i) => this.rarities[i]![by] ** RARITY_POWER / (1 + this.picks[i]!));
  }

  /** Drops the entry with the least energy, both kinds as shares of their totals (the oldest of equals). */
  private evictWeakest(): void {
    const byStates = this.energies('states');
    const byFeatures = this.energies('features');
    const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) || 1;
    const totalStates = sum(byStates);
    const totalFeatures = sum(byFeatures);
    const share = (i: number): number => byStates[i]! / totalStates + byFeatures[i]! / totalFeatures;
    let weakest = 0;
    for (let i = 1; i < this.corpus.length; i++) if (share(i) < share(weakest)) weakest = i;
    this.corpus.splice(weakest, 1);
    this.picks.splice(weakest, 1);
    this.rarities.splice(weakest, 1);
  }

  progress(): ExploreProgress {
    return progressOf(this.runs, this.coverage, this.corpus, this.failures);
  }

  result(): ExploreResult {
    return {
      ...this.progress(),
      corpusEntries: this.corpus,
      failureList: this.failures,
      notJudged: this.notJudged,
      curve: this.curve,
    };
  }
}

/** Runs an exploration to its budget, in this thread. */
export function explore(opts: ExploreOptions): ExploreResult {
  const explorer = new Explorer(opts.seed, opts.settings, opts.strategy ?? 'explore');
  while (opts.maxRuns === null || explorer.runs < opts.maxRuns) {
    if (opts.shouldStop?.() === true) break;
    const failure = explorer.step();
    if (failure !== null) opts.onFailure?.(failure);
    opts.onRun?.(explorer.progress());
    if (failure !== null && opts.stopOnFailure === true) break;
  }
  return explorer.result();
}

function progressOf(
  runs: number,
  coverage: CoverageMap,
  corpus: readonly CorpusSchedule[],
  failures: readonly ExploreFailure[],
): ExploreProgress {
  return {
    runs,
    states: coverage.states.size,
    transitions: coverage.transitions.size,
    corpus: corpus.length,
    failures: failures.length,
  };
}
