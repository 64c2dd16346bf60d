// Replaying a saved trace: pick the expectation for the bug set asked for, run the schedule,
// and say whether the outcome is the one recorded — and if not, what differs.

import { createSafetyCheckers } from '../../properties/index.ts';
import type { ImplSpec } from '../adapters/impl.ts';
import type { Schedule } from '../model/schedule.ts';
import {
  type Expectation,
  type ExpectedOutcome,
  type FailureKind,
  sameBugSet,
  type TraceFile,
} from '../model/trace-file.ts';
import {
  expectedOutcomeOf,
  isStopped,
  kindOfFailure,
  type RunKind,
  runClassified,
  type StoppedRun,
} from './outcome.ts';
import type { RunResult } from './run.ts';
import { nodeUnderTest } from './seed-job.ts';

export interface OutcomeRunOptions {
  readonly bugs: readonly string[];
  /** The implementation under test instead of the reference node (then `bugs` is empty). */
  readonly impl?: ImplSpec | null;
  /** Every step as one JSON line (views, trace files); off for shrinking, where runs must be cheap. */
  readonly onTrace?: (line: string) => void;
  /** Events kept for a violation report; shrink candidates keep none. */
  readonly recentEvents?: number;
  readonly maxSteps?: number;
  /** The end-of-run linearizability check (default on); shrinking switches it off unless it is the target. */
  readonly linearizability?: boolean;
}

/** What one run of a schedule showed; `result` is null when an exception stopped it. */
export interface OutcomeRun {
  readonly kind: RunKind;
  readonly outcome: ExpectedOutcome;
  readonly result: RunResult | null;
  /** The events that led to the exception that stopped the run (assertion, harness error, limit). */
  readonly assertionEvents: readonly string[];
  /** What stopped the run, when an exception did. */
  readonly stopped: StoppedRun | null;
}

/**
 * Runs a schedule with every safety checker and reduces the run to its outcome (classified by
 * runClassified: a failed assertion, a harness error and a resource limit each become an
 * outcome at the step they happened).
 */
export function runForOutcome(schedule: Schedule, opts: OutcomeRunOptions): OutcomeRun {
  const run = runClassified(schedule, {
    ...nodeUnderTest(opts.bugs, opts.impl),
    checkers: createSafetyCheckers(),
    ...(opts.onTrace === undefined ? {} : { onTrace: opts.onTrace }),
    ...(opts.recentEvents === undefined ? {} : { recentEvents: opts.recentEvents }),
    ...(opts.maxSteps === undefined ? {} : { maxSteps: opts.maxSteps }),
    ...(opts.linearizability === undefined ? {} : { linearizability: opts.linearizability }),
  });
  const outcome = expectedOutcomeOf(run);
  if (!isStopped(run)) {
    return { kind: run.kind, outcome, result: run.result, assertionEvents: [], stopped: null };
  }
  return { kind: run.kind, outcome, result: null, assertionEvents: run.recentEvents, stopped: run };
}

export function outcomeOf(result: RunResult): ExpectedOutcome {
  const v = result.violation;
  if (v === null) return { status: 'ok' };
  return { status: 'violation', property: v.property, step: v.step, timeMs: v.timeMs, message: v.message };
}

export function describeOutcome(o: ExpectedOutcome): string {
  if (o.status === 'ok') return 'every property holds';
  return `${failureText(o.property)} at step ${o.step} (t=${o.timeMs} ms)`;
}

/** 'x violated', or what happened instead when the failure is not a property. */
export function failureText(property: FailureKind): string {
  switch (property) {
    case 'assertion':
      return 'an assertion failed';
    case 'harness-error':
      return 'a harness error (raftsim threw)';
    case 'resource-limit':
      return 'a simulator resource limit was hit';
    case 'impl-error':
      return 'an implementation error';
    default:
      return `${property} violated`;
  }
}

/** Null when `actual` is what `expected` says; otherwise one sentence saying what differs. */
export function compareOutcome(expected: ExpectedOutcome, actual: ExpectedOutcome): string | null {
  if (expected.status === 'ok') {
    if (actual.status === 'ok') return null;
    return `expected every property to hold, but ${wasText(actual.property)} at step ${actual.step}`;
  }
  const wanted = `expected ${failureText(expected.property)} at step ${expected.step}`;
  if (actual.status === 'ok') return `${wanted}, but there was no violation`;
  if (actual.property !== expected.property) {
    const other = isProperty(actual.property)
      ? `another property was: ${actual.property}`
      : failureText(actual.property);
    return `${wanted}, but ${other} at step ${actual.step}`;
  }
  if (actual.step !== expected.step) return `${wanted}, but it was at another step: ${actual.step}`;
  return null;
}

function isProperty(kind: FailureKind): boolean {
  return kindOfFailure(kind) === 'violation';
}

/** 'x was violated', or what happened instead. */
function wasText(kind: FailureKind): string {
  return isProperty(kind) ? `${kind} was violated` : failureText(kind);
}

function showBugs(bugs: readonly string[]): string {
  return `[${bugs.join(', ')}]`;
}

/**
 * The expectation a replay checks. Without bugs asked for (undefined): the expectation for no
 * bugs, or, when the file holds exactly one expectation, that one (with its bugs). With bugs:
 * the expectation for exactly that set. Returns a one-line reason when none matches.
 */
export function selectExpectation(
  trace: TraceFile,
  file: string,
  bugs: readonly string[] | undefined,
): Expectation | string {
  const list = trace.expectations;
  const known = list.map((e) => showBugs(e.bugs)).join(', ');
  if (bugs === undefined) {
    const none = list.find((e) => e.bugs.length === 0);
    if (none !== undefined) return none;
    if (list.length === 1) return list[0]!;
    return `${file}: no expectation for the bug set [] and several to choose from (${known}); pick one with --bug`;
  }
  const found = list.find((e) => sameBugSet(e.bugs, bugs));
  if (found !== undefined) return found;
  return `${file}: no expectation for the bug set ${showBugs(bugs)} (the file has ${known})`;
}

export interface ReplayReport {
  readonly file: string;
  readonly bugs: readonly string[];
  readonly matched: boolean;
  readonly expected: ExpectedOutcome;
  readonly actual: ExpectedOutcome;
  /** What differed; null when matched. */
  readonly difference: string | null;
  readonly run: OutcomeRun;
}

/** Replays one expectation of a trace and compares. */
export function replayExpectation(
  trace: TraceFile,
  file: string,
  expectation: Expectation,
  opts: Omit<OutcomeRunOptions, 'bugs'> = {},
): ReplayReport {
  const run = runForOutcome(trace.schedule, { ...opts, bugs: expectation.bugs });
  const difference = compareOutcome(expectation.outcome, run.outcome);
  return {
    file,
    bugs: expectation.bugs,
    matched: difference === null,
    expected: expectation.outcome,
    actual: run.outcome,
    difference,
    run,
  };
}

/** Replays an expectation `times` times; returns how many runs matched (determinism check). */
export function countMatchingReplays(trace: TraceFile, expectation: Expectation, times: number): number {
  let matched = 0;
  for (let i = 0; i < times; i++) {
    const run = runForOutcome(trace.schedule, { bugs: expectation.bugs, recentEvents: 0 });
    if (compareOutcome(expectation.outcome, run.outcome) === null) matched++;
  }
  return matched;
}
