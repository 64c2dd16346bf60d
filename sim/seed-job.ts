import { createSafetyCheckers } from '../properties/index.ts';
import type { PropertyId } from '../properties/types.ts';
import { runSeed } from './index.ts';
import { type ConfigOverrides, configFor, describeProfile, type ProfileMode } from './profile.ts';

/** How every seed of a sweep is run. Plain data: it crosses into worker threads. */
export interface SweepSettings {
  readonly mode: ProfileMode;
  readonly overrides: ConfigOverrides;
  readonly bugs: readonly string[];
}

/** What one seed showed. `property` is 'assertion' when a guard in the node or simulator fired. */
export interface SeedOutcome {
  readonly seed: number;
  readonly ok: boolean;
  readonly property: PropertyId | 'assertion' | null;
  readonly message: string | null;
  readonly step: number;
  readonly timeMs: number;
  readonly events: number;
  readonly profile: string;
}

/** Run one seed with every safety checker on. The same function serves the CLI, the worker pool and tests. */
export function runSeedJob(seed: number, settings: SweepSettings): SeedOutcome {
  const config = configFor(seed, settings.mode, settings.overrides);
  const profile = describeProfile(config);
  try {
    const result = runSeed(seed, config, { bugs: settings.bugs, checkers: createSafetyCheckers() });
    const v = result.violation;
    return {
      seed,
      ok: v === null,
      property: v?.property ?? null,
      message: v?.message ?? null,
      step: v?.step ?? result.events,
      timeMs: v?.timeMs ?? result.simulatedMs,
      events: result.events,
      profile,
    };
  } catch (error) {
    // A violated assertion is a found bug: report it like a property, with the seed that shows it.
    if (!(error instanceof Error) || error.name !== 'AssertionError') throw error;
    return {
      seed,
      ok: false,
      property: 'assertion',
      message: error.message,
      step: 0,
      timeMs: 0,
      events: 0,
      profile,
    };
  }
}
