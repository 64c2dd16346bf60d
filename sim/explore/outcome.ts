// The one place that runs a schedule and says what kind of outcome it had. Every caller — one
// seed, a sweep's worker, a replay, the shrinker — goes through runClassified, so that an
// assertion, an exception in the harness and a simulator limit are told apart the same way
// everywhere, and the CLI maps the kinds to exit codes in one function.

import { AssertionError } from '../../src/assert.ts';
import { ResourceLimitError } from '../engine/limits.ts';
import { simErrorContext } from '../engine/runner.ts';
import { type Schedule, validateSchedule } from '../model/schedule.ts';
import type { ExpectedOutcome, FailureKind } from '../model/trace-file.ts';
import { type RunOptions, type RunResult, runSchedule } from './run.ts';

/**
 * - ok: every property held.
 * - violation: a checked Raft property was violated (`result.violation`).
 * - assertion: a guard in the node or simulator fired: a found bug, like a violation.
 * - harness-error: any other exception (a checker or the simulator threw): a bug in raftsim,
 *   reported for its seed and shrinkable like a violation, but never counted as a Raft finding.
 * - resource-limit: the run hit a bound of the simulator (the event-queue cap): it could not be
 *   judged, which says nothing about Raft.
 * - impl-error: the implementation under test (--impl, --impl-cmd) threw, or its process exited,
 *   wrote something that is not an answer, or did not answer in time: a finding about it, named by
 *   node and call (sim/adapters/impl-error.ts).
 */
export type RunKind = 'ok' | 'violation' | 'assertion' | 'harness-error' | 'resource-limit' | 'impl-error';

/** A run that an exception stopped: what was thrown and where. */
export interface StoppedRun {
  readonly kind: 'assertion' | 'harness-error' | 'resource-limit' | 'impl-error';
  readonly message: string;
  readonly step: number;
  readonly timeMs: number;
  /** The events that led there, the last one being the step that threw. */
  readonly recentEvents: readonly string[];
  /** The stack of a harness error (a bug in raftsim wants it); null for the other kinds. */
  readonly stack: string | null;
}

export type ClassifiedRun = { readonly kind: 'ok' | 'violation'; readonly result: RunResult } | StoppedRun;

/** Narrows a classified run to one an exception stopped. */
export function isStopped(run: ClassifiedRun): run is StoppedRun {
  return !('result' in run);
}

function kindOfError(error: unknown): StoppedRun['kind'] {
  if (error instanceof ResourceLimitError) return 'resource-limit';
  if (error instanceof AssertionError) return 'assertion';
  // An AssertionError from another copy of the module (a worker) still names itself.
  if (error instanceof Error && error.name === 'AssertionError') return 'assertion';
  if (error instanceof Error && error.name === 'ResourceLimitError') return 'resource-limit';
  if (error instanceof Error && error.name === 'ImplementationError') return 'impl-error';
  return 'harness-error';
}

/**
 * Runs a schedule and classifies the run. Throws only for a schedule that is not valid (the
 * caller's mistake, checked before the run starts); everything thrown during the run becomes an
 * outcome.
 */
export function runClassified(schedule: Schedule, opts: RunOptions = {}): ClassifiedRun {
  const invalid = validateSchedule(schedule);
  if (invalid !== null) throw new RangeError(`invalid schedule: ${invalid}`);
  try {
    const result = runSchedule(schedule, opts);
    return { kind: result.violation === null ? 'ok' : 'violation', result };
  } catch (error) {
    const kind = kindOfError(error);
    const where = simErrorContext(error);
    const message = error instanceof Error ? error.message : String(error);
    return {
      kind,
      message: kind === 'harness-error' ? `${errorName(error)}: ${message}` : message,
      step: where?.step ?? 0,
      timeMs: where?.timeMs ?? 0,
      recentEvents: where?.recentEvents ?? [],
      stack: kind === 'harness-error' && error instanceof Error ? (error.stack ?? null) : null,
    };
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** The outcome a trace file records for a classified run. */
export function expectedOutcomeOf(run: ClassifiedRun): ExpectedOutcome {
  switch (run.kind) {
    case 'ok':
      return { status: 'ok' };
    case 'violation': {
      const v = run.result.violation!;
      return {
        status: 'violation',
        property: v.property,
        step: v.step,
        timeMs: v.timeMs,
        message: v.message,
      };
    }
    case 'assertion':
    case 'harness-error':
    case 'resource-limit':
    case 'impl-error':
      return {
        status: 'violation',
        property: run.kind,
        step: run.step,
        timeMs: run.timeMs,
        message: run.message,
      };
  }
}

/** 'violation' for a checked property; otherwise the failure is its own kind. */
export function kindOfFailure(f: FailureKind): Exclude<RunKind, 'ok'> {
  switch (f) {
    case 'assertion':
    case 'harness-error':
    case 'resource-limit':
    case 'impl-error':
      return f;
    default:
      return 'violation';
  }
}

/** Whether a failure of this kind is worth shrinking and saving (a finding, not a limit). */
export function isShrinkable(kind: RunKind): boolean {
  return kind === 'violation' || kind === 'assertion' || kind === 'harness-error';
}

/** One line naming what happened, for summaries. */
export function describeKind(kind: RunKind, name: string): string {
  switch (kind) {
    case 'ok':
      return 'every property held';
    case 'violation':
      return `${name} violated`;
    case 'assertion':
      return 'a node or simulator assertion failed';
    case 'harness-error':
      return 'raftsim itself threw (a harness error, not a Raft finding)';
    case 'resource-limit':
      return 'the run hit a simulator resource limit and was not judged';
    case 'impl-error':
      return 'the implementation under test failed (an implementation error)';
  }
}
