// Continuous fuzzing: fresh seeds, in order from a start seed, until a budget (wall time or a
// seed count) is spent; each failure shrunk and kept in a corpus of distinct failures (by
// property and shrunk-trace signature, as `raftsim merge` deduplicates); and a canary — a
// catalogue bug switched on for one extra run per N seeds — that tells whether the harness still
// catches what it should.
//
// The state is plain data saved after every chunk of seeds, so a fuzz cut short (a signal, a
// machine lost) resumes where it stopped. Only whole prefixes of a chunk count: seeds that
// finished after one that did not are run again on resume, which gives the same outcome (the run
// is deterministic) and counts it once. Wall time is read here, between runs, never inside one.

import { z } from 'zod';
import { UsageError } from '../model/errors.ts';
import { FAILURE_KINDS, type FailureKind, formatPath } from '../model/trace-file.ts';
import { type Build, parseJsonFile, type ShrunkFailure } from './results.ts';
import type { SeedOutcome, SweepSettings } from './seed-job.ts';
import { runSweep } from './sweep.ts';

export const FUZZ_FORMAT = 'raftsim-fuzz';
export const FUZZ_VERSION = 1;

/** One distinct failure of the corpus. */
export interface CorpusEntry {
  readonly property: FailureKind;
  readonly signature: string;
  readonly id: string;
  /** The shrunk trace, relative to the fuzz directory. */
  readonly file: string;
  readonly firstSeed: number;
  /** Fresh seeds that shrank to this signature. */
  seeds: number;
  lastSeed: number;
  readonly replay: string;
}

export interface CanaryState {
  readonly bug: string;
  /** The property the catalogue says the bug breaks: a canary run failing with it is a find. */
  readonly property: FailureKind;
  /** One canary run per this many fresh seeds. */
  readonly every: number;
  /** The fuzz's settings with the bug added (and, with --profile fixed, the options it needs). */
  readonly settings: SweepSettings;
  /** Canary runs so far: seeds startSeed .. startSeed + runs - 1, with the bug on. */
  runs: number;
  found: number;
  lastFoundSeed: number | null;
  /** Canary runs since the last find (all of them while it was never found). */
  sinceFound: number;
}

export interface FuzzState {
  readonly format: typeof FUZZ_FORMAT;
  readonly version: typeof FUZZ_VERSION;
  readonly build: Build;
  readonly settings: SweepSettings;
  readonly startSeed: number;
  /** Seeds startSeed .. nextSeed - 1 have run. */
  nextSeed: number;
  passed: number;
  /** Fresh seeds that failed (findings and runs not judged). */
  failed: number;
  events: number;
  wallMs: number;
  sessions: number;
  /** Seeds whose run could not be judged (a resource limit), the first few kept for replay. */
  notJudgedSeeds: number[];
  notJudged: number;
  corpus: CorpusEntry[];
  canary: CanaryState | null;
}

/** Not-judged seeds kept by number; the rest are only counted. */
const NOT_JUDGED_KEPT = 100;
/** Canary runs without a find before the canary counts as lost, at the least. */
export const CANARY_PATIENCE_MIN = 20;
/** ... and in multiples of its usual gap between finds. */
const CANARY_PATIENCE_GAPS = 5;

export function newFuzzState(
  build: Build,
  settings: SweepSettings,
  startSeed: number,
  canary: { bug: string; property: FailureKind; every: number; settings: SweepSettings } | null,
): FuzzState {
  return {
    format: FUZZ_FORMAT,
    version: FUZZ_VERSION,
    build,
    settings,
    startSeed,
    nextSeed: startSeed,
    passed: 0,
    failed: 0,
    events: 0,
    wallMs: 0,
    sessions: 0,
    notJudgedSeeds: [],
    notJudged: 0,
    corpus: [],
    canary: canary === null ? null : { ...canary, runs: 0, found: 0, lastFoundSeed: null, sinceFound: 0 },
  };
}

export type CanaryStatus = 'found' | 'not-yet' | 'never-found' | 'lost';

/**
 * - found: caught, and not missing for longer than its usual gaps;
 * - not-yet: not caught, after too few runs to say;
 * - never-found: not caught in CANARY_PATIENCE_MIN runs or more;
 * - lost: caught before, but missing for CANARY_PATIENCE_GAPS times its usual gap (at least
 *   CANARY_PATIENCE_MIN runs): the harness may have stopped catching it.
 */
export function canaryStatus(c: CanaryState): CanaryStatus {
  if (c.found === 0) return c.runs >= CANARY_PATIENCE_MIN ? 'never-found' : 'not-yet';
  const patience = Math.max(CANARY_PATIENCE_MIN, Math.ceil((CANARY_PATIENCE_GAPS * c.runs) / c.found));
  return c.sinceFound >= patience ? 'lost' : 'found';
}

export interface FuzzOptions {
  readonly workers: number;
  /** Seeds after which this session stops (null: none), on top of the signal. */
  readonly maxSeeds: number | null;
  /** Largest seed: the fuzz stops when the seed space is spent. */
  readonly maxSeed: number;
  /** Ends the session (time budget or Ctrl-C): the chunk in flight is cut and its prefix kept. */
  readonly signal: AbortSignal;
  /** Wall clock, for sizing chunks only (never read inside a run). */
  readonly clockMs: () => number;
  /**
   * Shrinks a fresh failing seed: its signature decides whether the corpus grows. Null when the
   * shrink was interrupted (Ctrl-C): the seed is run again next session.
   */
  readonly shrink: (outcome: SeedOutcome) => Promise<ShrunkFailure | null>;
  /** A new distinct failure: save its trace at `entry.file`. */
  readonly onNewFailure: (entry: CorpusEntry, shrunk: ShrunkFailure) => void;
  /** After every chunk: save the state, show progress. */
  readonly onChunk: (state: FuzzState, sessionSeeds: number) => void;
  /** A canary that changed status (found for the first time, lost, never found). */
  readonly onCanary?: (status: CanaryStatus, canary: CanaryState) => void;
  readonly replay: (seed: number) => string;
}

/** Wall time one chunk of seeds aims at: long enough to amortise starting workers, short enough to save often. */
const CHUNK_TARGET_MS = 30_000;
const CHUNK_SEEDS_MAX = 20_000;

/** The outcomes of seeds lo, lo+1, ... up to the first one missing. */
function contiguousPrefix(outcomes: readonly SeedOutcome[], lo: number): SeedOutcome[] {
  const prefix: SeedOutcome[] = [];
  for (const o of [...outcomes].sort((a, b) => a.seed - b.seed)) {
    if (o.seed !== lo + prefix.length) break;
    prefix.push(o);
  }
  return prefix;
}

/**
 * Runs one fuzz session on `state` (mutated and returned): chunks of fresh seeds until the signal
 * ends it, maxSeeds is reached, or the seed space is spent.
 */
export async function fuzzSession(state: FuzzState, opts: FuzzOptions): Promise<{ seeds: number }> {
  state.sessions++;
  let sessionSeeds = 0;
  let chunk = Math.max(1, opts.workers * 4);
  while (!opts.signal.aborted) {
    const left = opts.maxSeeds === null ? chunk : Math.min(chunk, opts.maxSeeds - sessionSeeds);
    const lo = state.nextSeed;
    const hi = Math.min(opts.maxSeed, lo + left - 1);
    if (left <= 0 || hi < lo) break;
    const startMs = opts.clockMs();
    const swept = await runSweep({
      lo,
      hi,
      workers: opts.workers,
      settings: state.settings,
      stopOnFailure: false,
      signal: opts.signal,
    });
    let done = 0;
    for (const o of contiguousPrefix(swept.outcomes, lo)) {
      if (!(await record(state, o, opts))) break;
      done++;
    }
    state.nextSeed = lo + done;
    sessionSeeds += done;
    if (state.canary !== null) await runCanary(state, state.canary, opts);
    const spentMs = opts.clockMs() - startMs;
    state.wallMs += Math.round(spentMs);
    opts.onChunk(state, sessionSeeds);
    // The next chunk aims at CHUNK_TARGET_MS at the rate just seen.
    if (done > 0 && spentMs > 0)
      chunk = Math.max(
        opts.workers,
        Math.min(CHUNK_SEEDS_MAX, Math.round((done * CHUNK_TARGET_MS) / spentMs)),
      );
    if (state.nextSeed > opts.maxSeed) break;
  }
  return { seeds: sessionSeeds };
}

/**
 * Counts one seed's outcome into the state. False when it could not be (its shrink was
 * interrupted): the seed is left for the next session, as if it had not run.
 */
async function record(state: FuzzState, o: SeedOutcome, opts: FuzzOptions): Promise<boolean> {
  if (!o.ok && o.kind !== 'resource-limit') {
    const shrunk = await opts.shrink(o);
    if (shrunk === null) return false;
    addToCorpus(state, o, shrunk, opts);
  }
  state.events += o.events;
  if (o.ok) state.passed++;
  else state.failed++;
  if (o.kind === 'resource-limit') {
    state.notJudged++;
    if (state.notJudgedSeeds.length < NOT_JUDGED_KEPT) state.notJudgedSeeds.push(o.seed);
  }
  return true;
}

function addToCorpus(state: FuzzState, o: SeedOutcome, shrunk: ShrunkFailure, opts: FuzzOptions): void {
  const property = o.property ?? (o.kind as FailureKind);
  const known = state.corpus.find((e) => e.property === property && e.signature === shrunk.signature);
  if (known !== undefined) {
    known.seeds++;
    known.lastSeed = o.seed;
    return;
  }
  const entry: CorpusEntry = {
    property,
    signature: shrunk.signature,
    id: shrunk.id,
    file: shrunk.file,
    firstSeed: o.seed,
    seeds: 1,
    lastSeed: o.seed,
    replay: opts.replay(o.seed),
  };
  opts.onNewFailure(entry, shrunk);
  state.corpus.push(entry);
}

/** Canary runs until there is one per `every` fresh seeds run so far. */
async function runCanary(state: FuzzState, canary: CanaryState, opts: FuzzOptions): Promise<void> {
  const due = Math.ceil((state.nextSeed - state.startSeed) / canary.every);
  if (due <= canary.runs) return;
  const lo = state.startSeed + canary.runs;
  const hi = Math.min(opts.maxSeed, state.startSeed + due - 1);
  if (hi < lo) return;
  const swept = await runSweep({
    lo,
    hi,
    workers: opts.workers,
    settings: canary.settings,
    stopOnFailure: false,
    signal: opts.signal,
  });
  const before = canaryStatus(canary);
  for (const o of contiguousPrefix(swept.outcomes, lo)) {
    canary.runs++;
    if (!o.ok && o.property === canary.property) {
      canary.found++;
      canary.lastFoundSeed = o.seed;
      canary.sinceFound = 0;
    } else {
      canary.sinceFound++;
    }
  }
  const after = canaryStatus(canary);
  if (after !== before) opts.onCanary?.(after, canary);
}

// ---------------------------------------------------------------------------------------------
// Reading a saved state (to resume)

const nonNegInt = () => z.number().int().nonnegative();
const settingsSchema = z.looseObject({
  mode: z.enum(['swarm', 'random', 'fixed']),
  overrides: z.record(z.string(), z.unknown()),
  bugs: z.array(z.string()),
});

const stateSchema = z.strictObject({
  format: z.literal(FUZZ_FORMAT),
  version: z.literal(FUZZ_VERSION),
  build: z.strictObject({ version: z.string(), commit: z.string() }),
  settings: settingsSchema,
  startSeed: nonNegInt(),
  nextSeed: nonNegInt(),
  passed: nonNegInt(),
  failed: nonNegInt(),
  events: nonNegInt(),
  wallMs: nonNegInt(),
  sessions: nonNegInt(),
  notJudgedSeeds: z.array(nonNegInt()),
  notJudged: nonNegInt(),
  corpus: z.array(
    z.strictObject({
      property: z.enum(FAILURE_KINDS as [FailureKind, ...FailureKind[]]),
      signature: z.string(),
      id: z.string(),
      file: z.string(),
      firstSeed: nonNegInt(),
      seeds: nonNegInt(),
      lastSeed: nonNegInt(),
      replay: z.string(),
    }),
  ),
  canary: z
    .strictObject({
      bug: z.string(),
      property: z.enum(FAILURE_KINDS as [FailureKind, ...FailureKind[]]),
      every: z.number().int().positive(),
      settings: settingsSchema,
      runs: nonNegInt(),
      found: nonNegInt(),
      lastFoundSeed: nonNegInt().nullable(),
      sinceFound: nonNegInt(),
    })
    .nullable(),
});

/** Parses a saved fuzz state. Throws a UsageError of one line naming `file` and the field at fault. */
export function parseFuzzState(text: string, file: string): FuzzState {
  const parsed = stateSchema.safeParse(parseJsonFile(text, file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: ${formatPath(issue.path)}: ${issue.message}`);
  }
  const state = parsed.data as FuzzState;
  if (state.nextSeed < state.startSeed) throw new UsageError(`${file}: nextSeed is below startSeed`);
  if (state.passed + state.failed !== state.nextSeed - state.startSeed)
    throw new UsageError(`${file}: passed + failed does not match the seeds from startSeed to nextSeed`);
  return state;
}

export function serializeFuzzState(state: FuzzState): string {
  return `${JSON.stringify(state, null, 1)}\n`;
}
