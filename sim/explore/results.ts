// A sweep's results as a file (`--results DIR`), and the merge of any number of them.
//
// A sweep too big for one machine runs as shards on a cluster engine (Kubernetes Indexed Jobs, a
// CI matrix); each shard writes one results file, and `raftsim merge` combines them into the
// summary the unsharded sweep would have printed. The file is plain data: what was run (version,
// commit, profile, overrides, bugs, the seeds), what failed (seed, property, replay command, and
// the shrunk trace where one was shrunk) and what it cost. This module builds, reads and merges
// them; writing them (atomically) is the CLI's.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UsageError } from '../model/errors.ts';
import type { Schedule } from '../model/schedule.ts';
import {
  type FailureKind,
  formatPath,
  makeTraceFile,
  parseTraceFile,
  type TraceFile,
} from '../model/trace-file.ts';
import { kindOfFailure, type RunKind } from './outcome.ts';
import type { SeedOutcome, SweepSettings } from './seed-job.ts';
import { countSeeds, missingRanges, rangesOf, type SeedRange, type Shard } from './shard.ts';
import type { ShrinkResult } from './shrink.ts';

export const RESULTS_FORMAT = 'raftsim-results';
export const RESULTS_VERSION = 1;

/** Which raftsim ran: results of two builds cannot be merged, their seeds may behave differently. */
export interface Build {
  readonly version: string;
  /** The git commit, or 'unknown' outside a checkout (RAFTSIM_COMMIT names it then). */
  readonly commit: string;
}

/** A failure shrunk to its smallest story, and the signature failures are deduplicated by. */
export interface ShrunkFailure {
  /** Readable: the property, the cluster size, the kinds of faults and operations left. */
  readonly signature: string;
  /** A short hash of the signature, for file names and tables. */
  readonly id: string;
  /** Where the trace was saved, relative to the results file's directory. */
  readonly file: string;
  readonly trace: TraceFile;
}

export interface ResultFailure {
  readonly seed: number;
  readonly kind: Exclude<RunKind, 'ok'>;
  readonly property: FailureKind;
  readonly message: string | null;
  readonly step: number;
  readonly timeMs: number;
  readonly profile: string;
  readonly replay: string;
  /** Only the first failing seed of each property is shrunk (as a sweep does); null for the rest. */
  readonly shrunk: ShrunkFailure | null;
}

export interface ResultsFile {
  readonly format: typeof RESULTS_FORMAT;
  readonly version: typeof RESULTS_VERSION;
  readonly build: Build;
  /** How every seed was run: profile, config overrides, bugs. */
  readonly settings: SweepSettings;
  /** The range the whole sweep asked for (all shards together). */
  readonly range: SeedRange;
  /** This file's shard, or null for an unsharded sweep. */
  readonly shard: Shard | null;
  /** The seeds actually run, as sorted inclusive ranges (fewer than the shard's when interrupted). */
  readonly seedsRun: [number, number][];
  readonly passed: number;
  readonly events: number;
  readonly wallMs: number;
  readonly workers: number;
  readonly interrupted: boolean;
  /** Per bug switched on, in how many seeds it fired. */
  readonly seedsFired: Record<string, number>;
  /** In seed order. */
  readonly failures: ResultFailure[];
}

// ---------------------------------------------------------------------------------------------
// Signatures

/** `put×2, get` from `put, put, get`: runs of one kind counted, order kept. */
function runsOf(kinds: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < kinds.length; ) {
    let j = i;
    while (j < kinds.length && kinds[j] === kinds[i]) j++;
    parts.push(j - i === 1 ? kinds[i]! : `${kinds[i]}×${j - i}`);
    i = j;
  }
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/**
 * What makes two shrunk failures "the same bug": the property, and the shape of the smallest story
 * that still breaks it — cluster size, the kinds of faults in order, the kinds of client
 * operations in order. Seeds, times, node ids and values are left out: two seeds shrunk to one
 * shape are one finding. An assertion or harness error names no property, so its message, with
 * numbers blanked, takes that place (like a crash bucketed by its stack).
 */
export function failureSignature(property: FailureKind, schedule: Schedule, message: string | null): string {
  const parts: string[] = [property];
  if (kindOfFailure(property) !== 'violation') parts.push((message ?? '').replace(/\d+/g, '#'));
  parts.push(
    `${schedule.config.nodes} nodes`,
    `faults: ${runsOf(schedule.faults.map((f) => f.type))}`,
    `ops: ${runsOf(schedule.ops.map((o) => o.op.type))}`,
  );
  return parts.join(' · ');
}

export function signatureId(signature: string): string {
  return createHash('sha256').update(signature).digest('hex').slice(0, 12);
}

/** The shrunk failure of a trace that violates `property`. */
/** A shrink's result as a trace file: the shrunk schedule, what it shows with `bugs`, and how it was made. */
export function shrunkTrace(
  result: ShrinkResult,
  bugs: readonly string[],
  command: string,
  raftsimVersion: string,
): TraceFile {
  return makeTraceFile({
    schedule: result.schedule,
    expectations: [{ bugs: [...bugs], outcome: result.outcome }],
    meta: {
      raftsimVersion,
      command,
      shrink: { before: result.before, after: result.after, runs: result.runs, complete: result.complete },
    },
  });
}

export function shrunkFailure(trace: TraceFile, property: FailureKind, file: string): ShrunkFailure {
  const outcome = trace.expectations[0]?.outcome;
  const message = outcome?.status === 'violation' ? (outcome.message ?? null) : null;
  const signature = failureSignature(property, trace.schedule, message);
  return { signature, id: signatureId(signature), file, trace };
}

// ---------------------------------------------------------------------------------------------
// Building

export interface SweepRecord {
  readonly build: Build;
  readonly settings: SweepSettings;
  readonly range: SeedRange;
  readonly shard: Shard | null;
  readonly outcomes: readonly SeedOutcome[];
  readonly wallMs: number;
  readonly workers: number;
  readonly interrupted: boolean;
  readonly seedsFired: Record<string, number>;
  readonly replay: (seed: number) => string;
  /** The shrunk failures, by seed. */
  readonly shrunk: ReadonlyMap<number, ShrunkFailure>;
}

export function makeResults(r: SweepRecord): ResultsFile {
  const failures: ResultFailure[] = [];
  let events = 0;
  for (const o of r.outcomes) {
    events += o.events;
    if (o.ok) continue;
    const property = o.property ?? (o.kind as FailureKind);
    failures.push({
      seed: o.seed,
      kind: o.kind === 'ok' ? 'violation' : o.kind,
      property,
      message: o.message,
      step: o.step,
      timeMs: o.timeMs,
      profile: o.profile,
      replay: r.replay(o.seed),
      shrunk: r.shrunk.get(o.seed) ?? null,
    });
  }
  failures.sort((a, b) => a.seed - b.seed);
  return {
    format: RESULTS_FORMAT,
    version: RESULTS_VERSION,
    build: r.build,
    settings: r.settings,
    range: r.range,
    shard: r.shard,
    seedsRun: rangesOf(r.outcomes.map((o) => o.seed)),
    passed: r.outcomes.length - failures.length,
    events,
    wallMs: Math.round(r.wallMs),
    workers: r.workers,
    interrupted: r.interrupted,
    seedsFired: r.seedsFired,
    failures,
  };
}

/** The file's text: one field per line at the top, so that a diff of two shards stays readable. */
export function serializeResults(results: ResultsFile): string {
  return `${JSON.stringify(results, null, 1)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading

const nonNegInt = () => z.number().int().nonnegative();
const rangePair = z.tuple([nonNegInt(), nonNegInt()]);

const failureSchema = z.strictObject({
  seed: nonNegInt(),
  kind: z.enum(['violation', 'assertion', 'harness-error', 'resource-limit']),
  property: z.string(),
  message: z.string().nullable(),
  step: nonNegInt(),
  timeMs: nonNegInt(),
  profile: z.string(),
  replay: z.string(),
  shrunk: z
    .strictObject({ signature: z.string(), id: z.string(), file: z.string(), trace: z.unknown() })
    .nullable(),
});

const resultsSchema = z.strictObject({
  format: z.literal(RESULTS_FORMAT),
  version: z.literal(RESULTS_VERSION),
  build: z.strictObject({ version: z.string(), commit: z.string() }),
  settings: z.looseObject({
    mode: z.enum(['swarm', 'random', 'fixed']),
    overrides: z.record(z.string(), z.unknown()),
    bugs: z.array(z.string()),
  }),
  range: z.strictObject({ lo: nonNegInt(), hi: nonNegInt() }),
  shard: z.strictObject({ index: nonNegInt(), count: z.number().int().positive() }).nullable(),
  seedsRun: z.array(rangePair),
  passed: nonNegInt(),
  events: nonNegInt(),
  wallMs: nonNegInt(),
  workers: nonNegInt(),
  interrupted: z.boolean(),
  seedsFired: z.record(z.string(), nonNegInt()),
  failures: z.array(failureSchema),
});

/** The JSON value of a file's text, or a UsageError of one line naming the file. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Parses a results file's text. Throws a UsageError of one line naming `file` and the field at
 * fault; an embedded shrunk trace is checked as a trace file.
 */
export function parseResults(text: string, file: string): ResultsFile {
  const raw = parseJsonFile(text, file);
  const top = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (top.format !== RESULTS_FORMAT)
    throw new UsageError(
      `${file}: format: expected "${RESULTS_FORMAT}", got ${JSON.stringify(top.format) ?? 'nothing'}`,
    );
  if (top.version !== RESULTS_VERSION)
    throw new UsageError(
      `${file}: version: unsupported results version ${JSON.stringify(top.version) ?? '(missing)'}; ` +
        `this raftsim reads version ${RESULTS_VERSION}`,
    );
  const parsed = resultsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: ${formatPath(issue.path)}: ${issue.message}`);
  }
  const data = parsed.data;
  data.failures.forEach((f, i) => {
    if (f.shrunk !== null)
      parseTraceFile(JSON.stringify(f.shrunk.trace), `${file}: failures[${i}].shrunk.trace`);
  });
  const fail = (what: string): never => {
    throw new UsageError(`${file}: ${what}`);
  };
  let prev = -1;
  for (const [lo, hi] of data.seedsRun) {
    if (lo > hi || lo <= prev) fail('seedsRun: ranges must be sorted, disjoint and each lo..hi');
    prev = hi;
  }
  const counted = countSeeds(data.seedsRun);
  if (counted !== data.passed + data.failures.length)
    fail(`seedsRun holds ${counted} seeds but passed + failures is ${data.passed + data.failures.length}`);
  return data as unknown as ResultsFile;
}

// ---------------------------------------------------------------------------------------------
// Merging

export interface NamedResults {
  /** The file as the user named it (or found it in a directory they named). */
  readonly file: string;
  readonly results: ResultsFile;
}

/** One distinct failure: a property and a shrunk-trace signature, with every seed shrunk to it. */
export interface DistinctFailure {
  readonly property: FailureKind;
  readonly signature: string;
  readonly id: string;
  readonly seeds: number[];
  /** The trace of the lowest seed, and the file it was saved in (relative to the working directory). */
  readonly file: string;
  readonly trace: TraceFile;
}

export interface MergedFailure extends Omit<ResultFailure, 'shrunk'> {
  /** The distinct failure this seed's shrunk trace belongs to; null when it was not shrunk. */
  readonly shrunk: string | null;
}

export interface MergedResults {
  readonly files: string[];
  readonly build: Build;
  readonly settings: SweepSettings;
  /** The ranges the sweeps asked for, merged. */
  readonly requested: [number, number][];
  readonly seedsRun: [number, number][];
  /** Requested seeds no file ran: a missing or interrupted shard. */
  readonly missing: [number, number][];
  readonly seeds: number;
  readonly passed: number;
  readonly events: number;
  /** Summed over the files: the machine time the sweep cost. */
  readonly wallMs: number;
  readonly interrupted: boolean;
  readonly seedsFired: Record<string, number>;
  readonly failures: MergedFailure[];
  /** By property and shrunk-trace signature, in order of their lowest seed. */
  readonly distinct: DistinctFailure[];
  /** The first failing seed of each property and its distinct failure: what an unsharded sweep shrinks. */
  readonly firstByProperty: { property: FailureKind; seed: number; shrunk: string | null }[];
}

/** JSON with object keys sorted, so that two equal values give one text whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function describeBuild(b: Build): string {
  return `raftsim ${b.version} (commit ${b.commit === 'unknown' ? 'unknown' : b.commit.slice(0, 12)})`;
}

export function describeSettings(s: SweepSettings): string {
  const overrides = Object.entries(s.overrides)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `profile ${s.mode}, bugs: ${s.bugs.length === 0 ? 'none' : [...s.bugs].sort().join(', ')}, overrides: ${overrides === '' ? 'none' : overrides}`;
}

/** Settings as one text: equal settings, whatever the order of keys and bugs, give one key. */
export function settingsKey(s: SweepSettings): string {
  return canonical({ ...s, bugs: [...s.bugs].sort() });
}

/** Refuses results of two builds or two settings: their seeds may behave differently. */
function checkSameRun(inputs: readonly NamedResults[]): void {
  const first = inputs[0]!;
  for (const x of inputs.slice(1)) {
    if (canonical(x.results.build) !== canonical(first.results.build))
      throw new UsageError(
        `merge: ${x.file} was written by ${describeBuild(x.results.build)} but ${first.file} by ` +
          `${describeBuild(first.results.build)}; results of different versions cannot be merged`,
      );
    if (settingsKey(x.results.settings) !== settingsKey(first.results.settings))
      throw new UsageError(
        `merge: ${x.file} ran ${describeSettings(x.results.settings)} but ${first.file} ran ` +
          `${describeSettings(first.results.settings)}; results of different configs cannot be merged`,
      );
  }
}

/**
 * The seeds the files ran, as sorted disjoint ranges. Refuses a seed in two files: the same shard
 * merged twice, or overlapping ranges.
 */
function seedsRunOf(inputs: readonly NamedResults[]): [number, number][] {
  const owners: { lo: number; hi: number; file: string }[] = [];
  for (const x of inputs) for (const [lo, hi] of x.results.seedsRun) owners.push({ lo, hi, file: x.file });
  owners.sort((a, b) => a.lo - b.lo);
  for (let i = 1; i < owners.length; i++) {
    const a = owners[i - 1]!;
    const b = owners[i]!;
    if (b.lo <= a.hi)
      throw new UsageError(
        `merge: seed ${b.lo} was run by both ${a.file} and ${b.file}; each seed must come from one file`,
      );
  }
  return joinRanges(owners.map((o) => [o.lo, o.hi]));
}

/** Sorted ranges joined where they touch or overlap. */
function joinRanges(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/**
 * Every failure in seed order, each shrunk one filed under its distinct failure (property and
 * signature), and the first failing seed of each property.
 */
function groupFailures(
  inputs: readonly NamedResults[],
  dirOf: (file: string) => string,
): Pick<MergedResults, 'failures' | 'distinct' | 'firstByProperty'> {
  const all = inputs
    .flatMap((x) => x.results.failures.map((f) => ({ f, dir: dirOf(x.file) })))
    .sort((a, b) => a.f.seed - b.f.seed);
  const distinct = new Map<string, DistinctFailure>();
  const failures: MergedFailure[] = [];
  const firstByProperty = new Map<FailureKind, MergedResults['firstByProperty'][number]>();
  for (const { f, dir } of all) {
    let shrunk: string | null = null;
    if (f.shrunk !== null) {
      const key = `${f.property}\u0000${f.shrunk.signature}`;
      const known = distinct.get(key);
      if (known === undefined) {
        distinct.set(key, {
          property: f.property,
          signature: f.shrunk.signature,
          id: f.shrunk.id,
          seeds: [f.seed],
          file: dir === '.' ? f.shrunk.file : `${dir}/${f.shrunk.file}`,
          trace: f.shrunk.trace,
        });
      } else {
        known.seeds.push(f.seed);
      }
      shrunk = distinct.get(key)!.id;
    }
    const { shrunk: _dropped, ...rest } = f;
    failures.push({ ...rest, shrunk });
    if (!firstByProperty.has(f.property))
      firstByProperty.set(f.property, { property: f.property, seed: f.seed, shrunk });
  }
  return { failures, distinct: [...distinct.values()], firstByProperty: [...firstByProperty.values()] };
}

/**
 * Merges results files into one summary. Throws a UsageError of one line when they cannot be
 * merged: none given, different builds or settings, or one seed in two files.
 */
export function mergeResults(
  inputs: readonly NamedResults[],
  dirOf: (file: string) => string,
): MergedResults {
  if (inputs.length === 0) throw new UsageError('merge: no results files to merge');
  checkSameRun(inputs);
  const seedsRun = seedsRunOf(inputs);
  const requested = joinRanges(inputs.map((x) => [x.results.range.lo, x.results.range.hi]));
  const seedsFired: Record<string, number> = {};
  for (const x of inputs)
    for (const [name, n] of Object.entries(x.results.seedsFired))
      seedsFired[name] = (seedsFired[name] ?? 0) + n;
  const sum = (pick: (r: ResultsFile) => number): number => inputs.reduce((s, x) => s + pick(x.results), 0);
  return {
    files: inputs.map((x) => x.file),
    build: inputs[0]!.results.build,
    settings: inputs[0]!.results.settings,
    requested,
    seedsRun,
    missing: missingRanges(requested, seedsRun),
    seeds: countSeeds(seedsRun),
    passed: sum((r) => r.passed),
    events: sum((r) => r.events),
    wallMs: sum((r) => r.wallMs),
    interrupted: inputs.some((x) => x.results.interrupted),
    seedsFired,
    ...groupFailures(inputs, dirOf),
  };
}
