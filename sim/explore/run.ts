// Running a schedule on the reference node with bugs named from the catalogue: the convenience
// the tests, sweeps, replay, shrinking and the CLI use. The engine (sim/engine/runner.ts) takes
// any node factory; this builds the reference node's (sim/adapters/reference.ts) and adds to the
// result how often each bug fired.

import { type ImplSpec, openImpl } from '../adapters/impl.ts';
import { referenceNodeWithBugs } from '../adapters/reference.ts';
import { type EngineOptions, type EngineResult, type NodeFactory, simulate } from '../engine/runner.ts';
import type { Schedule } from '../model/schedule.ts';

/** The engine's options, with the node under test named either by bugs or by a factory. */
export type RunOptions = Omit<EngineOptions, 'createNode'> &
  (
    | {
        /** Names of bugs from the catalogue (bugs/) to switch on in the reference node. */
        readonly bugs?: readonly string[];
        readonly createNode?: undefined;
        readonly impl?: undefined;
      }
    | {
        /** Another implementation (or the reference node with a policy of one's own). */
        readonly createNode: NodeFactory;
        readonly bugs?: undefined;
        readonly impl?: undefined;
      }
    | {
        /** An implementation named by --impl or --impl-cmd, loaded in this thread (loadImpl). */
        readonly impl: ImplSpec;
        readonly bugs?: undefined;
        readonly createNode?: undefined;
      }
  );

export interface RunResult extends EngineResult {
  /** For each bug switched on, how often its decision differed from the correct one (bugs/fires.ts). */
  readonly bugFires: Record<string, number> | null;
}

/** Runs one schedule to its end or to its first violation. Deterministic: same schedule, same result. */
export function runSchedule(schedule: Schedule, opts: RunOptions = {}): RunResult {
  const { bugs, createNode, impl, ...engine } = opts;
  if (createNode !== undefined) return { ...simulate(schedule, { ...engine, createNode }), bugFires: null };
  if (impl !== undefined) {
    const opened = openImpl(impl);
    try {
      return { ...simulate(schedule, { ...engine, createNode: opened.createNode }), bugFires: null };
    } finally {
      opened.close();
    }
  }
  const reference = referenceNodeWithBugs(bugs ?? []);
  const result = simulate(schedule, { ...engine, createNode: reference.createNode });
  return { ...result, bugFires: reference.fires() };
}
