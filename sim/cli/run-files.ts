// The files one run can leave for the user: its event trace (--trace), its client history
// (--history, in the JSON format `lincheck` reads) and a replayable trace file of the run as it
// was (--save). All are checked before the run starts, so that a bad path costs no simulation.

import { accessSync, constants, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { HISTORY_VERSION, type History, type HistoryOp } from '../../properties/history.ts';
import {
  checkOutputPath,
  fileKind,
  type OutputTarget,
  userPath,
  writeOutputFile,
} from '../model/output-file.ts';
import type { Schedule } from '../model/schedule.ts';
import {
  type ExpectedOutcome,
  makeTraceFile,
  serializeTraceFile,
  type TraceFile,
  type TraceMeta,
} from '../model/trace-file.ts';
import { UsageError } from './usage.ts';

export interface RunFilePaths {
  readonly trace?: string | undefined;
  readonly out?: string | undefined;
  readonly history?: string | undefined;
  readonly save?: string | undefined;
  /** Where --format html writes its page. */
  readonly view?: string | undefined;
  /** The file --replay reads: no output may replace it. */
  readonly replay?: string | undefined;
}

/** Checked targets for the files asked for; null where none was. */
export interface RunFiles {
  readonly trace: OutputTarget | null;
  readonly out: OutputTarget | null;
  readonly history: OutputTarget | null;
  readonly save: OutputTarget | null;
  readonly view: OutputTarget | null;
}

/** The flag that names each file, for messages. */
const FLAG_OF: { readonly [K in keyof RunFiles]: string } = {
  trace: '--trace',
  out: '--out',
  history: '--history',
  save: '--save',
  view: '--view-out',
};

/** Checks every output path given; throws one UsageError line for the first bad one. */
export function checkRunFiles(paths: RunFilePaths): RunFiles {
  const check = (key: keyof RunFiles): OutputTarget | null => {
    const path = paths[key];
    return path === undefined ? null : checkOutputPath(FLAG_OF[key], path);
  };
  const files: RunFiles = {
    trace: check('trace'),
    out: check('out'),
    history: check('history'),
    save: check('save'),
    view: check('view'),
  };
  // Two flags naming one file would have one write silently replace the other.
  const seen = new Map<string, string>();
  for (const key of Object.keys(FLAG_OF) as (keyof RunFiles)[]) {
    const target = files[key];
    const flag = FLAG_OF[key];
    if (target === null) continue;
    const other = seen.get(target.path);
    if (other !== undefined)
      throw new UsageError(`${flag}: '${target.shown}' is the file ${other} writes too`);
    seen.set(target.path, flag);
    if (paths.replay !== undefined && isSameFile(target.path, userPath(paths.replay)))
      throw new UsageError(`${flag}: '${target.shown}' is the file --replay reads`);
  }
  return files;
}

/** Whether two paths name one existing file (through links of any kind). */
export function isSameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** Where failing runs are saved when no --out names a file, relative to the user's directory. */
export const FAILURES_DIRECTORY = 'failures';

/**
 * Checks, before any run, that failing runs can be saved in failures/ (created only when one is
 * saved): a sweep that finds a failure must not end in an error when there is no place for it.
 */
export function checkFailuresDirectory(dir = FAILURES_DIRECTORY): void {
  const shown = `${dir}/`;
  const fail = (why: string): never => {
    throw new UsageError(
      `cannot save failing runs in '${shown}': ${why} (--no-shrink saves nothing, --out names another file)`,
    );
  };
  const path = userPath(dir);
  let st: Stats | null = null;
  try {
    st = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') fail((error as Error).message);
  }
  if (st !== null && !st.isDirectory()) fail(`it is ${fileKind(st)}, not a directory`);
  try {
    accessSync(st === null ? dirname(path) : path, constants.W_OK | constants.X_OK);
  } catch {
    fail(st === null ? 'its parent directory is not writable' : 'permission denied');
  }
}

/** The target for a failure saved where the user named none: failures/ is created when missing. */
export function defaultFailureTarget(property: string, seed: number, dir = FAILURES_DIRECTORY): OutputTarget {
  return checkOutputPath('saving the failure', `${dir}/${property}-seed${seed}.json`, {
    createParent: true,
  });
}

/**
 * A client history as `lincheck` reads it (properties/history.ts): one object with the version
 * and the ops, one op per line so that a diff or grep of the file stays readable.
 */
export function historyText(ops: readonly HistoryOp[]): string {
  const history: History = { version: HISTORY_VERSION, ops: [...ops] };
  const lines = history.ops.map((op) => JSON.stringify(op));
  const body = lines.length === 0 ? '' : `\n  ${lines.join(',\n  ')}\n`;
  return `{"version": ${history.version}, "ops": [${body}]}\n`;
}

export function writeHistoryFile(target: OutputTarget, ops: readonly HistoryOp[]): void {
  writeOutputFile(target, historyText(ops));
}

/**
 * Saves a run as a trace file that replays it: its schedule, and the outcome it had with its bugs.
 * Returns the trace written (a sweep's results file holds it too).
 */
export function writeRunTrace(
  target: OutputTarget,
  run: {
    schedule: Schedule;
    bugs: readonly string[];
    outcome: ExpectedOutcome;
    meta: TraceMeta;
    comment?: string | undefined;
  },
): TraceFile {
  const trace = makeTraceFile({
    schedule: run.schedule,
    expectations: [{ bugs: [...run.bugs], outcome: run.outcome }],
    meta: run.meta,
    ...(run.comment === undefined ? {} : { comment: run.comment }),
  });
  writeOutputFile(target, serializeTraceFile(trace));
  return trace;
}
