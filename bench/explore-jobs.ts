// One measurement of the explore group (bench/explore.ts), runnable in this thread or in a worker
// thread (bench/explore-worker.ts): each job is an Explorer of its own, so jobs are independent
// and the group spreads them over the cores. A job's numbers do not depend on where it ran,
// except its wall time, which is its own thread's.

import { performance } from 'node:perf_hooks';
import type { ProfileMode } from '../sim/explore/profile.ts';
import { Explorer } from '../sim/explore/search/explore.ts';

export interface Strategy {
  readonly name: string;
  readonly mode: ProfileMode;
  readonly strategy: 'explore' | 'random';
}

export const RANDOM_OFF: Strategy = { name: 'random, layers off', mode: 'random', strategy: 'random' };
export const RANDOM_ON: Strategy = { name: 'random, layers on', mode: 'swarm', strategy: 'random' };
export const EXPLORE_OFF: Strategy = { name: 'explore, layers off', mode: 'random', strategy: 'explore' };
export const STRATEGIES: readonly Strategy[] = [RANDOM_OFF, RANDOM_ON, EXPLORE_OFF];

export type Job =
  | { readonly kind: 'coverage'; readonly strategy: Strategy; readonly seed: number; readonly runs: number }
  | {
      readonly kind: 'trial';
      readonly strategy: Strategy;
      readonly bug: string;
      readonly seed: number;
      readonly cap: number;
    };

export interface CoverageRow {
  readonly strategy: string;
  readonly seed: number;
  readonly runs: number;
  readonly states: number;
  readonly transitions: number;
  /** Distinct states after each 100 runs. */
  readonly curve: readonly number[];
  readonly wallMs: number;
}

export interface Trial {
  readonly strategy: string;
  readonly bug: string;
  readonly seed: number;
  /** Runs until the first failure, that one included; null when none failed within the cap. */
  readonly runs: number | null;
  readonly wallMs: number;
  readonly property: string | null;
}

export type JobResult =
  | { readonly kind: 'coverage'; readonly row: CoverageRow }
  | { readonly kind: 'trial'; readonly trial: Trial };

export function runJob(job: Job): JobResult {
  const s = job.strategy;
  const bugs = job.kind === 'trial' ? [job.bug] : [];
  const explorer = new Explorer(job.seed, { mode: s.mode, overrides: {}, bugs }, s.strategy);
  const t0 = performance.now();
  if (job.kind === 'coverage') {
    while (explorer.runs < job.runs) explorer.step();
    const p = explorer.progress();
    const row = {
      strategy: s.name,
      seed: job.seed,
      runs: job.runs,
      states: p.states,
      transitions: p.transitions,
      curve: explorer.curve,
      wallMs: performance.now() - t0,
    };
    return { kind: 'coverage', row };
  }
  const base = { strategy: s.name, bug: job.bug, seed: job.seed };
  while (explorer.runs < job.cap) {
    const failure = explorer.step();
    if (failure !== null)
      return {
        kind: 'trial',
        trial: { ...base, runs: explorer.runs, wallMs: performance.now() - t0, property: failure.property },
      };
  }
  return { kind: 'trial', trial: { ...base, runs: null, wallMs: performance.now() - t0, property: null } };
}
