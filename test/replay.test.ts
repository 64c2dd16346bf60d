import { describe, expect, it } from 'vitest';
import {
  compareOutcome,
  countMatchingReplays,
  replayExpectation,
  runForOutcome,
  selectExpectation,
} from '../sim/explore/replay.ts';
import { type ExpectedOutcome, makeTraceFile, type TraceFile } from '../sim/model/trace-file.ts';
import { CUT_OFF_HEAL_MS, cutOffCandidate } from './support/schedules.ts';

const LC = (step: number, timeMs: number): Extract<ExpectedOutcome, { status: 'violation' }> => ({
  status: 'violation',
  property: 'leader-completeness',
  step,
  timeMs,
});

function traceWith(expectations: TraceFile['expectations']): TraceFile {
  return makeTraceFile({
    schedule: cutOffCandidate(),
    expectations,
    meta: { raftsimVersion: 'test', command: 'test' },
  });
}

/** The cut-off candidate's outcome with vote-no-log-check on, as a trace records it (no message). */
function recorded(): Extract<ExpectedOutcome, { status: 'violation' }> {
  const o = runForOutcome(cutOffCandidate(), { bugs: ['vote-no-log-check'] }).outcome;
  if (o.status !== 'violation') throw new Error(`the cut-off candidate broke nothing: ${JSON.stringify(o)}`);
  return { status: o.status, property: o.property, step: o.step, timeMs: o.timeMs };
}

describe('runForOutcome', () => {
  it('reports the violation with the bug on and none without it', () => {
    const withBug = runForOutcome(cutOffCandidate(), { bugs: ['vote-no-log-check'] });
    expect(withBug.outcome).toMatchObject({ status: 'violation', property: 'leader-completeness' });
    // S1, cut off with an empty log, wins once the partition heals.
    expect(withBug.outcome.status === 'violation' && withBug.outcome.timeMs).toBeGreaterThanOrEqual(
      CUT_OFF_HEAL_MS,
    );
    expect(withBug.result?.violation?.message).toMatch(/^leader S1 of term \d+ lacks index 1 /);
    expect(runForOutcome(cutOffCandidate(), { bugs: [] }).outcome).toEqual({ status: 'ok' });
  });
});

describe('compareOutcome', () => {
  it('matches the same property at the same step, whatever the message', () => {
    expect(compareOutcome(LC(52, 797), { ...LC(52, 797), message: 'anything' })).toBeNull();
    expect(compareOutcome({ status: 'ok' }, { status: 'ok' })).toBeNull();
  });

  it('says what differs', () => {
    expect(compareOutcome(LC(52, 797), { status: 'ok' })).toBe(
      'expected leader-completeness violated at step 52, but there was no violation',
    );
    expect(compareOutcome(LC(52, 797), LC(60, 800))).toBe(
      'expected leader-completeness violated at step 52, but it was at another step: 60',
    );
    expect(
      compareOutcome(LC(52, 797), {
        status: 'violation',
        property: 'election-safety',
        step: 52,
        timeMs: 797,
      }),
    ).toBe(
      'expected leader-completeness violated at step 52, but another property was: election-safety at step 52',
    );
    expect(compareOutcome({ status: 'ok' }, LC(52, 797))).toBe(
      'expected every property to hold, but leader-completeness was violated at step 52',
    );
  });
});

describe('selectExpectation', () => {
  const both = traceWith([
    { bugs: ['vote-no-log-check'], outcome: LC(52, 797) },
    { bugs: [], outcome: { status: 'ok' } },
  ]);

  it('without --bug takes the expectation for no bugs', () => {
    expect(selectExpectation(both, 'f.json', undefined)).toEqual({ bugs: [], outcome: { status: 'ok' } });
  });

  it('with --bug takes the expectation for exactly that bug set', () => {
    expect(selectExpectation(both, 'f.json', ['vote-no-log-check'])).toMatchObject({
      bugs: ['vote-no-log-check'],
    });
    expect(selectExpectation(both, 'f.json', ['forget-vote'])).toBe(
      'f.json: no expectation for the bug set [forget-vote] (the file has [vote-no-log-check], [])',
    );
    expect(typeof selectExpectation(both, 'f.json', ['vote-no-log-check', 'forget-vote'])).toBe('string');
  });

  it('without --bug takes the only expectation of a file, with its bugs', () => {
    const one = traceWith([{ bugs: ['vote-no-log-check'], outcome: LC(52, 797) }]);
    expect(selectExpectation(one, 'f.json', undefined)).toMatchObject({ bugs: ['vote-no-log-check'] });
  });

  it('without --bug refuses to guess between several bug sets', () => {
    const two = traceWith([
      { bugs: ['vote-no-log-check'], outcome: LC(52, 797) },
      { bugs: ['forget-vote'], outcome: { status: 'ok' } },
    ]);
    expect(selectExpectation(two, 'f.json', undefined)).toMatch(
      /^f\.json: no expectation for the bug set \[\]/,
    );
  });
});

describe('replayExpectation', () => {
  it('matches each recorded expectation of a two-expectation trace', () => {
    const trace = traceWith([
      { bugs: ['vote-no-log-check'], outcome: recorded() },
      { bugs: [], outcome: { status: 'ok' } },
    ]);
    for (const e of trace.expectations) {
      const report = replayExpectation(trace, 'f.json', e);
      expect(report.matched).toBe(true);
      expect(report.difference).toBeNull();
    }
  });

  it('reports a trace whose recorded step no longer matches', () => {
    const actual = recorded();
    const trace = traceWith([{ bugs: ['vote-no-log-check'], outcome: { ...actual, step: actual.step - 1 } }]);
    const report = replayExpectation(trace, 'f.json', trace.expectations[0]!);
    expect(report.matched).toBe(false);
    expect(report.difference).toContain(`another step: ${actual.step}`);
  });

  it('replays the same violation 100 times out of 100', () => {
    const trace = traceWith([{ bugs: ['vote-no-log-check'], outcome: recorded() }]);
    expect(countMatchingReplays(trace, trace.expectations[0]!, 100)).toBe(100);
  });
});
