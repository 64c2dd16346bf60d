import { describe, expect, it, vi } from 'vitest';
import { createSafetyCheckers } from '../properties/index.ts';
import type { Checker } from '../properties/types.ts';
import { EXIT_FINDING, EXIT_NOT_JUDGED, exitCodeOf, exitCodeOfAll } from '../sim/cli/exit-codes.ts';
import { EXIT_OK } from '../sim/cli/usage.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { expectedOutcomeOf, runClassified } from '../sim/explore/outcome.ts';
import { defaultConfig } from '../sim/model/config.ts';
import { AssertionError } from '../src/assert.ts';
import { cutOffCandidate } from './support/schedules.ts';

/** A checker that throws what `make` gives at the given step, like a checker with a bug in it. */
function throwingChecker(atStep: number, make: () => unknown): Checker {
  let steps = 0;
  return {
    property: 'election-safety',
    onNodeStep: () => {
      steps++;
      if (steps === atStep) throw make();
      return null;
    },
  };
}

const small = () => {
  const c = defaultConfig();
  return generateSchedule(5, { ...c, timeMs: 2000, quietMs: 1000, livenessBoundMs: 1000 });
};

describe('runClassified', () => {
  it('says ok for a clean run and violation for a violated property', () => {
    expect(runClassified(cutOffCandidate(), { bugs: [] }).kind).toBe('ok');
    const bad = runClassified(cutOffCandidate(), {
      bugs: ['vote-no-log-check'],
      checkers: createSafetyCheckers(),
    });
    expect(bad.kind).toBe('violation');
    expect(expectedOutcomeOf(bad)).toMatchObject({ status: 'violation', property: 'leader-completeness' });
  });
  it('turns an exception in a checker into a harness error at its step, with the events before it', () => {
    const run = runClassified(small(), {
      checkers: [
        throwingChecker(40, () => new TypeError("Cannot read properties of undefined (reading 'term')")),
      ],
    });
    expect(run.kind).toBe('harness-error');
    if (run.kind !== 'harness-error') return;
    expect(run.message).toBe("TypeError: Cannot read properties of undefined (reading 'term')");
    expect(run.step).toBeGreaterThan(0);
    expect(run.recentEvents.at(-1)).toMatch(/threw$/);
    expect(run.stack).toContain('TypeError');
    expect(expectedOutcomeOf(run)).toMatchObject({
      status: 'violation',
      property: 'harness-error',
      step: run.step,
    });
  });
  it('turns a failed assertion into an assertion outcome, without a stack', () => {
    const run = runClassified(small(), {
      checkers: [throwingChecker(10, () => new AssertionError('a guard fired'))],
    });
    expect(run).toMatchObject({ kind: 'assertion', message: 'a guard fired', stack: null });
  });
  it('reports the event-queue cap as a resource limit, never as a property or an assertion', () => {
    const run = runClassified(small(), { queuedEventsMax: 20 });
    expect(run.kind).toBe('resource-limit');
    if (run.kind !== 'resource-limit') return;
    expect(run.message).toMatch(/event queue holds 20 events .*the cap is 20/);
  });
  it('is deterministic: the same schedule classifies the same way at the same step', () => {
    const a = runClassified(small(), { checkers: [throwingChecker(77, () => new RangeError('x'))] });
    const b = runClassified(small(), { checkers: [throwingChecker(77, () => new RangeError('x'))] });
    expect(expectedOutcomeOf(a)).toEqual(expectedOutcomeOf(b));
  });
  it("still refuses an invalid schedule up front (the caller's mistake, not an outcome)", () => {
    const s = small();
    expect(() => runClassified({ ...s, config: { ...s.config, nodes: 0 } })).toThrow(/invalid schedule/);
  });
});

describe('exit codes', () => {
  it('map each kind in one place; a Raft finding wins over a run not judged', () => {
    expect(exitCodeOf('ok')).toBe(EXIT_OK);
    expect(exitCodeOf('violation')).toBe(EXIT_FINDING);
    expect(exitCodeOf('assertion')).toBe(EXIT_FINDING);
    expect(exitCodeOf('harness-error')).toBe(EXIT_NOT_JUDGED);
    expect(exitCodeOf('resource-limit')).toBe(EXIT_NOT_JUDGED);
    expect(exitCodeOfAll(['ok', 'harness-error', 'ok'])).toBe(EXIT_NOT_JUDGED);
    expect(exitCodeOfAll(['resource-limit', 'violation'])).toBe(EXIT_FINDING);
    expect(exitCodeOfAll([])).toBe(EXIT_OK);
  });
});

// A checker that throws for one seed must not end the sweep: that seed is a harness error, the
// others run on.
vi.mock('../properties/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../properties/index.ts')>();
  return {
    ...real,
    createSafetyCheckers: () => [
      ...real.createSafetyCheckers(),
      {
        property: 'election-safety',
        onNodeStep: (step: { process: { currentTerm: number } }) => {
          if ((globalThis as { brokenSeed?: boolean }).brokenSeed === true && step.process.currentTerm > 0)
            throw new TypeError('broken checker');
          return null;
        },
      },
    ],
  };
});

describe('a sweep with a harness error', () => {
  it('reports it for its seed and goes on', async () => {
    const { runSweep } = await import('../sim/explore/sweep.ts');
    const seen: number[] = [];
    const result = await runSweep({
      lo: 1,
      hi: 3,
      workers: 0,
      settings: { mode: 'fixed', overrides: { timeMs: 3000 }, bugs: [] },
      stopOnFailure: false,
      onOutcome: (o) => {
        seen.push(o.seed);
        (globalThis as { brokenSeed?: boolean }).brokenSeed = o.seed === 1;
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(result.outcomes.map((o) => o.kind)).toEqual(['ok', 'harness-error', 'ok']);
    expect(result.outcomes[1]).toMatchObject({
      ok: false,
      property: 'harness-error',
      message: 'TypeError: broken checker',
    });
  });
});
