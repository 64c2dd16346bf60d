import { createSafetyCheckers } from '../../properties/index.ts';
import type { RaftConfig } from '../../src/raft/types.ts';
import type { ImplSpec } from '../adapters/impl.ts';
import type { SimConfig } from '../model/config.ts';
import type { FailureKind } from '../model/trace-file.ts';
import { generateSchedule } from './generate.ts';
import { isStopped, type RunKind, runClassified } from './outcome.ts';
import { type ConfigOverrides, configFor, describeProfile, type ProfileMode } from './profile.ts';

/** How every seed of a sweep is run. Plain data: it crosses into worker threads. */
export interface SweepSettings {
  readonly mode: ProfileMode;
  readonly overrides: ConfigOverrides;
  readonly bugs: readonly string[];
  /** The implementation under test when not the reference node (--impl, --impl-cmd); bugs are then []. */
  readonly impl?: ImplSpec | null;
  /**
   * Raft options held at these values in every seed: those the implementation under test does not
   * support (sim/cli/impl-options.ts). Not config flags: naming the implementation again (a
   * replay command does) holds them again.
   */
  readonly held?: HeldRaftOptions | null;
}

export type HeldRaftOptions = Partial<Pick<RaftConfig, 'preVote' | 'checkQuorum' | 'readMode'>> & {
  /** No spares and no membership operations (an implementation without membership change). */
  readonly noMembership?: true;
  /** No log compaction (an implementation without snapshots). */
  readonly noCompaction?: true;
};

/** The config a seed of these settings runs with. */
export function configOf(seed: number, settings: SweepSettings): SimConfig {
  const config = configFor(seed, settings.mode, settings.overrides);
  return withHeld(config, settings.held);
}

/** `config` with the options an implementation does not support held off. */
export function withHeld(config: SimConfig, held: HeldRaftOptions | null | undefined): SimConfig {
  if (held === null || held === undefined) return config;
  const { noMembership, noCompaction, ...raft } = held;
  const { membership, compaction, ...rest } = config;
  return {
    ...rest,
    ...(membership !== undefined && noMembership !== true ? { membership } : {}),
    ...(compaction !== undefined && noCompaction !== true ? { compaction } : {}),
    raft: { ...config.raft, ...raft },
  };
}

/** The node under test, as runSchedule's options name it: an implementation, or the reference with bugs. */
export function nodeUnderTest(
  bugs: readonly string[],
  impl: ImplSpec | null | undefined,
): { readonly impl: ImplSpec } | { readonly bugs: readonly string[] } {
  return impl === null || impl === undefined ? { bugs } : { impl };
}

/**
 * What one seed showed. `kind` says what sort of outcome (sim/explore/outcome.ts); `property` names the
 * violated property, or repeats the kind ('assertion', 'harness-error', 'resource-limit').
 */
export interface SeedOutcome {
  readonly seed: number;
  readonly ok: boolean;
  readonly kind: RunKind;
  readonly property: FailureKind | null;
  readonly message: string | null;
  readonly step: number;
  readonly timeMs: number;
  readonly events: number;
  readonly profile: string;
  /** Per bug switched on, how often its decision differed from the correct one (null: no bugs, or the run threw). */
  readonly bugFires: Record<string, number> | null;
}

/**
 * Run one seed with every safety checker on. The same function serves the CLI, the worker pool
 * and tests. Never throws for a seed: whatever a run throws is classified, so one seed cannot end
 * a sweep.
 */
export function runSeedJob(seed: number, settings: SweepSettings): SeedOutcome {
  const config = configOf(seed, settings);
  const profile = describeProfile(config);
  const run = runClassified(generateSchedule(seed, config), {
    ...nodeUnderTest(settings.bugs, settings.impl),
    checkers: createSafetyCheckers(),
  });
  if (!isStopped(run)) {
    const result = run.result;
    const v = result.violation;
    return {
      seed,
      ok: v === null,
      kind: run.kind,
      property: v?.property ?? null,
      message: v?.message ?? null,
      step: v?.step ?? result.events,
      timeMs: v?.timeMs ?? result.simulatedMs,
      events: result.events,
      profile,
      bugFires: result.bugFires,
    };
  }
  return {
    seed,
    ok: false,
    kind: run.kind,
    property: run.kind,
    message: run.message,
    step: run.step,
    timeMs: run.timeMs,
    events: run.step,
    profile,
    bugFires: null,
  };
}
