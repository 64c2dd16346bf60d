// A saved run: the schedule that replays it exactly, the bug sets it was run with, and what each
// of them must show on replay. Plain JSON, versioned, validated before anything runs.
//
// This module also reads and writes such files. That I/O happens in the CLI and in tests, never
// inside a simulated run: the determinism rules of sim/ concern what a run may touch.

import { z } from 'zod';
import { findBug } from '../../bugs/index.ts';
import { kvOpSchema } from '../../properties/history.ts';
import { PROPERTY_IDS, type PropertyId } from '../../properties/types.ts';
import {
  CLIENT_ROUTINGS,
  COMPACTION_TRIGGERS,
  MAX_SCHEDULE_FAULTS,
  MAX_SCHEDULE_OPS,
  PARTITION_SHAPES,
  type SimConfig,
} from './config.ts';
import { UsageError } from './errors.ts';
import type { FaultOf, FaultType } from './faults.ts';
import { isEventTrace, TRACE_FORMAT } from './file-kinds.ts';
import { type InputOptions, readInputFile } from './input-file.ts';
import { checkOutputPath, writeOutputFile } from './output-file.ts';
import { type Fault, type Schedule, type ScheduledOp, validateSchedule } from './schedule.ts';

export { TRACE_FORMAT } from './file-kinds.ts';
export const TRACE_VERSION = 1;

/**
 * What a failing run reports: a checked property; 'assertion' when a guard in the node or
 * simulator fired; 'harness-error' when raftsim itself threw; 'resource-limit' when the run hit
 * a bound of the simulator; 'impl-error' when an implementation under test (--impl) threw or its
 * process misbehaved (sim/explore/outcome.ts tells them apart).
 */
export type FailureKind = PropertyId | 'assertion' | 'harness-error' | 'resource-limit' | 'impl-error';
export const FAILURE_KINDS: readonly FailureKind[] = [
  ...PROPERTY_IDS,
  'assertion',
  'harness-error',
  'resource-limit',
  'impl-error',
];

/** What a replay must show. `step` is the step count at the violation, the most exact witness we have. */
export type ExpectedOutcome =
  | { readonly status: 'ok' }
  | {
      readonly status: 'violation';
      readonly property: FailureKind;
      readonly step: number;
      readonly timeMs: number;
      /** For the reader only; not compared on replay (wording may improve without breaking traces). */
      readonly message?: string;
    };

/** One expectation per bug set: the same schedule can fail with a bug on and hold without it (Figure 8). */
export interface Expectation {
  readonly bugs: readonly string[];
  readonly outcome: ExpectedOutcome;
}

/** Sizes of a schedule, reported before and after shrinking. `events` is the steps the run took. */
export interface ScheduleSize {
  readonly faults: number;
  readonly ops: number;
  readonly events: number;
  readonly timeMs: number;
  readonly nodes: number;
  readonly clients: number;
}

export interface ShrinkMeta {
  readonly before: ScheduleSize;
  readonly after: ScheduleSize;
  /** Runs the shrinker spent. */
  readonly runs: number;
  /** False when the budget ran out before no further reduction was found. */
  readonly complete: boolean;
}

export interface TraceMeta {
  /** The raftsim version (package.json) that wrote the file. */
  readonly raftsimVersion: string;
  /** The command that produced the file. */
  readonly command: string;
  readonly shrink?: ShrinkMeta;
}

export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  /** What the trace shows, in a sentence or three (scenarios have one). */
  readonly comment?: string;
  readonly schedule: Schedule;
  readonly expectations: readonly Expectation[];
  readonly meta: TraceMeta;
}

/** A trace file that cannot be used: one line naming the file and the field at fault (exit 2). */
export class TraceFileError extends UsageError {
  override name = 'TraceFileError';
}

// ---------------------------------------------------------------------------------------------
// Schemas. Typed against the TypeScript interfaces, so that a field added to SimConfig or Fault
// without its schema fails to compile instead of being silently dropped from saved traces.

const int = () => z.number().int();
const nonNegInt = () => z.number().int().nonnegative();
const nodeId = () => z.number().int().positive();
const rate = () => z.number().min(0).max(1);

const raftConfigSchema = z.strictObject({
  electionTimeoutMsMin: int(),
  electionTimeoutMsMax: int(),
  heartbeatMs: int(),
  maxEntriesPerAppend: int(),
  preVote: z.boolean(),
  checkQuorum: z.boolean(),
  readMode: z.enum(['log', 'read-index', 'lease', 'unsafe-local']),
  leaseDriftPpm: int().optional(),
  snapshotChunkBytes: int().optional(),
});

const compactionSchema = z.strictObject({ trigger: z.enum(COMPACTION_TRIGGERS), entries: int() });

const simConfigSchema: z.ZodType<SimConfig> = z.strictObject({
  nodes: int(),
  clients: int(),
  timeMs: int(),
  quietMs: int(),
  livenessBoundMs: int(),
  clockDriftPpmMax: int(),
  raft: raftConfigSchema,
  network: z.strictObject({
    delayMsMin: int(),
    delayMsMax: int(),
    dropRate: rate(),
    dupRate: rate(),
    longDelayRate: rate(),
    longDelayMsMax: int(),
  }),
  faults: z.strictObject({
    partitionsPerMin: z.number().nonnegative(),
    crashesPerMin: z.number().nonnegative(),
    pausesPerMin: z.number().nonnegative(),
    downMsMin: int(),
    downMsMax: int(),
    partitionMsMin: int(),
    partitionMsMax: int(),
    pauseMsMin: int(),
    pauseMsMax: int(),
    partitionShapes: z.array(z.enum(PARTITION_SHAPES)).min(1).optional(),
  }),
  clientsCfg: z.strictObject({
    opIntervalMsMean: z.number(),
    requestTimeoutMs: int(),
    opDeadlineMs: int(),
    keys: int(),
    retryBackoffMs: int(),
    routing: z.enum(CLIENT_ROUTINGS).optional(),
    hotKeyShare: rate().optional(),
  }),
  membership: z
    .strictObject({
      spares: int(),
      changesPerMin: z.number().nonnegative(),
    })
    .optional(),
  compaction: compactionSchema.optional(),
});

/** One schema per fault kind: a kind added to Fault does not compile until it has its row here. */
const FAULT_SCHEMAS: { readonly [T in FaultType]: z.ZodType<FaultOf<T>> } = {
  partition: z.strictObject({
    atMs: nonNegInt(),
    type: z.literal('partition'),
    groups: z.array(z.array(nodeId())),
  }),
  heal: z.strictObject({ atMs: nonNegInt(), type: z.literal('heal') }),
  link: z.strictObject({
    atMs: nonNegInt(),
    type: z.literal('link'),
    from: nodeId(),
    to: nodeId(),
    up: z.boolean(),
  }),
  crash: z.strictObject({ atMs: nonNegInt(), type: z.literal('crash'), node: nodeId() }),
  restart: z.strictObject({ atMs: nonNegInt(), type: z.literal('restart'), node: nodeId() }),
  pause: z.strictObject({
    atMs: nonNegInt(),
    type: z.literal('pause'),
    node: nodeId(),
    durationMs: z.number().int().positive(),
  }),
  campaign: z.strictObject({ atMs: nonNegInt(), type: z.literal('campaign'), node: nodeId() }),
  membership: z.strictObject({
    atMs: nonNegInt(),
    type: z.literal('membership'),
    change: z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('add-learner'), node: nodeId() }),
      z.strictObject({ type: z.literal('promote'), node: nodeId() }),
      z.strictObject({ type: z.literal('remove'), node: nodeId() }),
      z.strictObject({ type: z.literal('joint'), voters: z.array(nodeId()).min(1) }),
      z.strictObject({ type: z.literal('transfer'), node: nodeId() }),
    ]),
    to: nodeId().optional(),
  }),
  propose: z.strictObject({ atMs: nonNegInt(), type: z.literal('propose'), node: nodeId(), op: kvOpSchema }),
  network: z.strictObject({
    atMs: nonNegInt(),
    type: z.literal('network'),
    settings: z.strictObject({
      delayMsMin: int(),
      delayMsMax: int(),
      dropRate: z.number(),
      dupRate: z.number(),
      longDelayRate: z.number(),
      longDelayMsMax: int(),
    }),
  }),
  compaction: z.strictObject({
    atMs: nonNegInt(),
    type: z.literal('compaction'),
    settings: compactionSchema.nullable(),
  }),
};

// Built from the table, so that no kind can be left out; each row's type is checked above, which the
// union of rows (a list zod wants as a tuple) cannot be without restating it.
const faultSchema = z.discriminatedUnion(
  'type',
  Object.values(FAULT_SCHEMAS) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<Fault>;

const opSchema: z.ZodType<ScheduledOp> = z.strictObject({
  client: z.number().int().positive(),
  atMs: nonNegInt(),
  op: kvOpSchema,
  to: nodeId().optional(),
});

const scheduleSchema: z.ZodType<Schedule> = z.strictObject({
  version: z.literal(1),
  // 32-bit like --seed, so that the seed a file names can always be given on the command line.
  seed: nonNegInt().max(2 ** 32 - 1),
  config: simConfigSchema,
  // Bounded like a generated schedule, so that a file cannot ask for more memory than a run may use.
  faults: z.array(faultSchema).max(MAX_SCHEDULE_FAULTS),
  ops: z.array(opSchema).max(MAX_SCHEDULE_OPS),
});

const outcomeSchema: z.ZodType<ExpectedOutcome> = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('ok') }),
  z.strictObject({
    status: z.literal('violation'),
    property: z.enum(FAILURE_KINDS as [FailureKind, ...FailureKind[]]),
    step: nonNegInt(),
    timeMs: nonNegInt(),
    message: z.string().optional(),
  }),
]);

const sizeSchema = z.strictObject({
  faults: nonNegInt(),
  ops: nonNegInt(),
  events: nonNegInt(),
  timeMs: nonNegInt(),
  nodes: nonNegInt(),
  clients: nonNegInt(),
});

/** A comment is a few sentences; this bound only keeps a runaway one out of memory and terminals. */
export const MAX_COMMENT_CHARS = 100_000;

const traceSchema = z.strictObject({
  format: z.literal(TRACE_FORMAT),
  version: z.literal(TRACE_VERSION),
  comment: z.string().max(MAX_COMMENT_CHARS).optional(),
  schedule: scheduleSchema,
  expectations: z
    .array(z.strictObject({ bugs: z.array(z.string()), outcome: outcomeSchema }))
    .min(1, 'a trace needs at least one expectation'),
  meta: z.strictObject({
    raftsimVersion: z.string(),
    command: z.string(),
    shrink: z
      .strictObject({ before: sizeSchema, after: sizeSchema, runs: nonNegInt(), complete: z.boolean() })
      .optional(),
  }),
});

/** `schedule.faults[3].node` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function fail(file: string, path: string, what: string): never {
  throw new TraceFileError(`${file}: ${path}: ${what}`);
}

/** Two bug sets are the same set whatever the order they were named in. */
export function sameBugSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sa = [...a].sort();
  const sb = [...b].sort();
  return sa.every((x, i) => x === sb[i]);
}

/**
 * Parses and validates a trace file's text. Throws TraceFileError with one line naming `file`
 * and the JSON path at fault: malformed JSON, another format or version, a missing field, a
 * wrong type, a value out of range (a node id beyond config.nodes), an unknown bug.
 */
export function parseTraceFile(text: string, file: string): TraceFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    if (isEventTrace(text)) throw new TraceFileError(`${file}: ${EVENT_TRACE_ON_REPLAY}`);
    throw new TraceFileError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TraceFileError(`${file}: (top level): a trace file holds one JSON object`);
  }
  const top = raw as Record<string, unknown>;
  // Format and version first: a file of another kind or version would otherwise fail on some
  // field deep inside, which would hide the real reason.
  if (top.format === undefined && isEventTrace(text))
    throw new TraceFileError(`${file}: ${EVENT_TRACE_ON_REPLAY}`);
  if (top.format === undefined && 'ops' in top && 'version' in top) {
    throw new TraceFileError(
      `${file}: this is a client history (as --history writes), which lincheck checks ` +
        `(npm run lincheck -- ${file}); --replay expects a trace file ("format": "${TRACE_FORMAT}")`,
    );
  }
  if (top.format !== TRACE_FORMAT) {
    fail(file, 'format', `expected "${TRACE_FORMAT}", got ${JSON.stringify(top.format) ?? 'nothing'}`);
  }
  if (top.version !== TRACE_VERSION) {
    fail(
      file,
      'version',
      `unsupported trace version ${JSON.stringify(top.version) ?? '(missing)'}; this raftsim reads version ${TRACE_VERSION}`,
    );
  }
  const parsed = traceSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(file, formatPath(issue.path), issue.message);
  }
  const trace = parsed.data as TraceFile;
  // Ranges that depend on the config (node ids up to config.nodes, times up to timeMs, ...).
  const error = validateSchedule(trace.schedule);
  if (error !== null) {
    const space = error.indexOf(' ');
    fail(file, `schedule.${error.slice(0, space)}`, error.slice(space + 1));
  }
  trace.expectations.forEach((e, i) => {
    e.bugs.forEach((name, j) => {
      if (findBug(name) === undefined) fail(file, `expectations[${i}].bugs[${j}]`, `unknown bug '${name}'`);
    });
    for (let k = 0; k < i; k++) {
      if (sameBugSet(trace.expectations[k]!.bugs, e.bugs)) {
        fail(file, `expectations[${i}].bugs`, `the bug set [${e.bugs.join(', ')}] has two expectations`);
      }
    }
  });
  return trace;
}

const EVENT_TRACE_ON_REPLAY =
  'this is a JSON Lines event trace (one step per line, as --trace writes), which records a run ' +
  `but cannot replay it; --replay expects a trace file ("format": "${TRACE_FORMAT}") such as --save, ` +
  '--out or a failing run writes';

/**
 * Reads and validates a trace file: a regular file within the size limit (input-file.ts); every
 * failure is one TraceFileError line. `opts.shown` names the file in messages.
 */
export function readTraceFile(file: string, opts: InputOptions = {}): TraceFile {
  const shown = opts.shown ?? file;
  let text: string;
  try {
    text = readInputFile(file, opts);
  } catch (error) {
    throw new TraceFileError((error as Error).message);
  }
  return parseTraceFile(text, shown);
}

// ---------------------------------------------------------------------------------------------
// Writing. The layout is for people reading diffs: short objects (a fault, an op, a size) on one
// line, longer ones expanded. Key order is the order the objects were built in, so the same
// trace always gives the same bytes.

const LINE_WIDTH = 110;

/** One line, with a space after each colon and comma: `{"atMs": 1, "type": "heal"}`. */
function printFlat(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(printFlat).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${printFlat(v)}`).join(', ')}}`;
}

function printJson(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const flat = printFlat(value);
  // A list of objects (faults, ops, expectations) gets one line per element, however short.
  const listOfObjects =
    Array.isArray(value) &&
    value.length > 1 &&
    value.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
  if (!listOfObjects && indent.length + flat.length <= LINE_WIDTH) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + printJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${printJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** The file's text: deterministic, newline-terminated. */
export function serializeTraceFile(trace: TraceFile): string {
  return `${printJson(trace, '')}\n`;
}

/**
 * Writes `text` to `file` atomically: a temporary file in the same directory, flushed, then
 * renamed over the target, so that a reader (or a crash) never sees half a trace.
 */
export function writeFileAtomic(file: string, text: string): void {
  writeOutputFile(checkOutputPath('trace file', file, { createParent: true }), text);
}

export function writeTraceFile(file: string, trace: TraceFile): void {
  writeFileAtomic(file, serializeTraceFile(trace));
}

/** Builds a trace file with the fields in their canonical order. */
export function makeTraceFile(parts: {
  schedule: Schedule;
  expectations: readonly Expectation[];
  meta: TraceMeta;
  comment?: string;
}): TraceFile {
  const base = { format: TRACE_FORMAT, version: TRACE_VERSION } as const;
  return parts.comment === undefined
    ? { ...base, schedule: parts.schedule, expectations: parts.expectations, meta: parts.meta }
    : {
        ...base,
        comment: parts.comment,
        schedule: parts.schedule,
        expectations: parts.expectations,
        meta: parts.meta,
      };
}
