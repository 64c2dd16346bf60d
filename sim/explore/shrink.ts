// Shrinking: from a schedule that violates a property to a small one that still violates the
// SAME property — fewer faults and client operations, a shorter run, a calmer network, fewer
// clients and nodes.
//
// Why a hand-rolled ddmin rather than fast-check's shrinker:
// - A failing schedule usually comes from a seed (generateSchedule), not from a fast-check
//   arbitrary, so there is no generation tree for fast-check to walk back; we shrink the data.
// - Each candidate is a whole simulation costing milliseconds, and the predicate ("the same
//   property is violated") is all we know. ddmin removes large chunks first and needs about
//   log2(n) runs when few elements matter, where a one-element-at-a-time shrinker needs ~n.
// - Faults and operations are independent lists (the runner tolerates any subset: a restart
//   without its crash does nothing), which is exactly ddmin's setting; the other reductions
//   (cut the run just past the violation, zero a rate, drop a node and renumber) are edits
//   across fields that no arbitrary's shrinker would propose.
// - The budget is counted in runs, so the same input always gives the same shrunk trace.

import { createHash } from 'node:crypto';
import type { NodeId } from '../../src/raft/types.ts';
import type { ImplSpec } from '../adapters/impl.ts';
import { faultsEndMs, type SimConfig } from '../model/config.ts';
import { renumberFault } from '../model/faults.ts';
import { type Fault, type Schedule, type ScheduledOp, validateSchedule } from '../model/schedule.ts';
import type { ExpectedOutcome, FailureKind, ScheduleSize } from '../model/trace-file.ts';
import { runForOutcome } from './replay.ts';

export type ShrinkBudget =
  | { readonly kind: 'runs'; readonly runs: number }
  | { readonly kind: 'time'; readonly ms: number };

/**
 * 500 runs: enough to reach a fixpoint on most failures (the first runs cut the run short and
 * clear most operations, so later runs are cheap), and deterministic, unlike a time budget.
 */
export const DEFAULT_SHRINK_BUDGET: ShrinkBudget = { kind: 'runs', runs: 500 };

/** `500` (runs) or `30s` / `1500ms` / `2m` (wall time). Returns null when malformed. */
export function parseShrinkBudget(text: string): ShrinkBudget | null {
  const runs = /^(\d+)$/.exec(text);
  if (runs !== null) {
    const n = Number(runs[1]);
    return n >= 1 && Number.isSafeInteger(n) ? { kind: 'runs', runs: n } : null;
  }
  const time = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (time === null) return null;
  const unitMs = time[2] === 'ms' ? 1 : time[2] === 's' ? 1000 : 60_000;
  const ms = Math.round(Number(time[1]) * unitMs);
  return ms >= 1 ? { kind: 'time', ms } : null;
}

export function describeBudget(b: ShrinkBudget): string {
  return b.kind === 'runs' ? `${b.runs} runs` : `${b.ms / 1000} s`;
}

export interface ShrinkProgress {
  readonly runs: number;
  readonly budget: ShrinkBudget;
  /** The reduction being tried. */
  readonly pass: string;
  readonly faults: number;
  readonly ops: number;
  readonly timeMs: number;
}

export interface ShrinkOptions {
  readonly bugs: readonly string[];
  /** The implementation under test instead of the reference node (then `bugs` is empty). */
  readonly impl?: ImplSpec | null;
  readonly budget?: ShrinkBudget;
  /** A wall clock in ms, needed only for a time budget (nothing in sim/ reads the clock itself). */
  readonly clockMs?: () => number;
  readonly onProgress?: (p: ShrinkProgress) => void;
  /** Asked before each run: true ends the shrink with the best schedule so far (Ctrl-C). */
  readonly shouldStop?: () => boolean;
}

export type ViolationOutcome = Extract<ExpectedOutcome, { status: 'violation' }>;

export interface ShrinkResult {
  readonly schedule: Schedule;
  /** The shrunk schedule's outcome: the same property as the original's, maybe at another step. */
  readonly outcome: ViolationOutcome;
  readonly before: ScheduleSize;
  readonly after: ScheduleSize;
  readonly runs: number;
  /** False when the budget ran out before a full round found nothing more to remove. */
  readonly complete: boolean;
}

export function sizeOf(s: Schedule, events: number): ScheduleSize {
  return {
    faults: s.faults.length,
    ops: s.ops.length,
    events,
    timeMs: s.config.timeMs,
    nodes: s.config.nodes,
    clients: s.config.clients,
  };
}

// ---------------------------------------------------------------------------------------------
// ddmin

/**
 * Delta debugging (Zeller and Hildebrandt's ddmin): a sublist of `items`, in their order, for
 * which `test` holds and from which no single chunk at the finest granularity tried can be
 * removed. `test(items)` is assumed true. Tries the empty list first (many failures need no
 * operation at all), then subsets and complements of n chunks, doubling n when nothing passes.
 * A candidate already tried is not run again.
 */
export function ddmin<T>(items: readonly T[], test: (subset: readonly T[]) => boolean): T[] {
  const tried = new Set<string>();
  const attempt = (indices: readonly number[]): boolean => {
    const key = indices.join(',');
    if (tried.has(key)) return false;
    tried.add(key);
    return test(indices.map((i) => items[i]!));
  };
  let current: number[] = items.map((_, i) => i);
  if (current.length === 0) return [];
  if (attempt([])) return [];
  let n = 2;
  while (current.length >= 2) {
    const chunks = split(current, Math.min(n, current.length));
    let next: number[] | null = null;
    for (const chunk of chunks) {
      if (attempt(chunk)) {
        next = chunk;
        n = 2;
        break;
      }
    }
    // With two chunks the complements are the subsets just tried.
    if (next === null && chunks.length > 2) {
      for (let k = 0; k < chunks.length; k++) {
        const complement = chunks.filter((_, j) => j !== k).flat();
        if (attempt(complement)) {
          next = complement;
          n = Math.max(n - 1, 2);
          break;
        }
      }
    }
    if (next !== null) {
      current = next;
      continue;
    }
    if (n >= current.length) break;
    n = Math.min(current.length, 2 * n);
  }
  return current.map((i) => items[i]!);
}

/** `list` cut into `n` contiguous chunks of near-equal size. */
function split(list: readonly number[], n: number): number[][] {
  const chunks: number[][] = [];
  let start = 0;
  for (let k = 0; k < n; k++) {
    const end = start + Math.floor((list.length - start) / (n - k));
    chunks.push(list.slice(start, end));
    start = end;
  }
  return chunks.filter((c) => c.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Schedule edits. Each returns a new schedule; none mutates its input.

function withConfig(s: Schedule, config: SimConfig): Schedule {
  return { ...s, config };
}

/**
 * The run ends at `timeMs`; faults and ops after it go. For a safety property the quiet period
 * goes too (liveness is then not judged, so it cannot fail in its place); for liveness the
 * instant the faults end is kept, with the quiet period reaching to the new end.
 */
function cutTime(s: Schedule, timeMs: number, target: FailureKind, faultsEndAtMs: number): Schedule {
  const quietMs = target === 'liveness' ? Math.max(0, timeMs - faultsEndAtMs) : 0;
  return {
    ...s,
    config: { ...s.config, timeMs, quietMs },
    faults: s.faults.filter((f) => f.atMs <= timeMs),
    ops: s.ops.filter((o) => o.atMs <= timeMs),
  };
}

/** Node `gone` removed; ids above it move down by one. Faults naming it are dropped. */
export function removeNode(s: Schedule, gone: NodeId): Schedule {
  const map = (id: NodeId): NodeId => (id > gone ? id - 1 : id);
  const faults: Fault[] = [];
  for (const f of s.faults) {
    const renumbered = renumberFault(f, gone, map);
    if (renumbered !== null) faults.push(renumbered);
  }
  return { ...s, config: { ...s.config, nodes: s.config.nodes - 1 }, faults };
}

/** The clients with ops renumbered 1..m, keeping their order; the client count becomes m. */
function compactClients(s: Schedule): Schedule {
  const map = new Map<number, number>();
  for (const o of s.ops) if (!map.has(o.client)) map.set(o.client, 0);
  const used = [...map.keys()].sort((a, b) => a - b);
  for (let i = 0; i < used.length; i++) map.set(used[i]!, i + 1);
  const ops: ScheduledOp[] = s.ops.map((o) => ({ ...o, client: map.get(o.client)! }));
  return { ...s, config: { ...s.config, clients: used.length }, ops };
}

function maxClient(s: Schedule): number {
  let max = 0;
  for (const o of s.ops) if (o.client > max) max = o.client;
  return max;
}

/** Gaps shorter than this are left alone: they are the timing of the story, not idle time. */
const MIN_GAP_SHIFT_MS = 200;

/** Every fault and op at or after `fromMs` moves `amountMs` earlier; the run ends as much sooner. */
function shiftFrom(s: Schedule, fromMs: number, amountMs: number): Schedule {
  const shift = (atMs: number): number => (atMs >= fromMs ? atMs - amountMs : atMs);
  return {
    ...s,
    config: { ...s.config, timeMs: s.config.timeMs - amountMs },
    faults: s.faults.map((f) => ({ ...f, atMs: shift(f.atMs) })),
    ops: s.ops.map((o) => ({ ...o, atMs: shift(o.atMs) })),
  };
}

/** A probability halved, kept to 3 decimals like the profiles', 0 below 0.001. */
function halve(p: number): number {
  const h = Math.floor((p / 2) * 1000) / 1000;
  return h < 0.001 ? 0 : h;
}

// ---------------------------------------------------------------------------------------------
// The shrinker

/** The whole budget is spent: the shrink ends with the best schedule so far. */
class OutOfBudget extends Error {}
/** One pass's share of the budget is spent: the next pass gets its turn. */
class PassOutOfBudget extends Error {}

/**
 * A ddmin pass may get at most this share of the runs left (and at least MIN_PASS_RUNS), so
 * that one timing-sensitive list, where almost every removal changes the outcome, cannot eat
 * the whole budget before the other reductions have had a go. The pass resumes in the next
 * round, skipping (through the cache) the candidates it already ran.
 */
const PASS_SHARE = 4;
const MIN_PASS_RUNS = 60;

class Shrinker {
  readonly bugs: readonly string[];
  readonly impl: ImplSpec | null;
  readonly budget: ShrinkBudget;
  readonly clockMs: (() => number) | undefined;
  readonly onProgress: ((p: ShrinkProgress) => void) | undefined;
  readonly shouldStop: (() => boolean) | undefined;
  readonly target: FailureKind;
  /** Candidates that run far longer than the original are floods, not simplifications. */
  readonly maxSteps: number;
  readonly startMs: number;

  best: Schedule;
  bestOutcome: ViolationOutcome;
  bestEvents: number;
  /** Linearizability: the key the best schedule's history could not linearize (null: unknown). */
  bestKey: string | null = null;
  runs = 0;
  pass = 'start';
  /** Runs allowed to the current pass, counted in total runs; Infinity outside capped passes. */
  private passRunLimit = Number.POSITIVE_INFINITY;
  /** Set when a capped pass stopped early, so another round is worth it even without progress. */
  private passCut = false;
  /** Candidates already run (by content) that did not fail as wanted: never run twice. */
  private readonly rejected = new Set<string>();

  constructor(
    schedule: Schedule,
    outcome: ViolationOutcome,
    events: number,
    runs: number,
    opts: ShrinkOptions,
  ) {
    this.bugs = opts.bugs;
    this.impl = opts.impl ?? null;
    this.budget = opts.budget ?? DEFAULT_SHRINK_BUDGET;
    this.clockMs = opts.clockMs;
    this.onProgress = opts.onProgress;
    this.shouldStop = opts.shouldStop;
    this.target = outcome.property;
    this.maxSteps = Math.max(200_000, 4 * events);
    this.startMs = opts.clockMs?.() ?? 0;
    this.best = schedule;
    this.bestOutcome = outcome;
    this.bestEvents = events;
    this.runs = runs;
  }

  private exhausted(): boolean {
    if (this.shouldStop?.() === true) return true;
    if (this.budget.kind === 'runs') return this.runs >= this.budget.runs;
    if (this.clockMs === undefined) throw new RangeError('a time budget needs clockMs');
    return this.clockMs() - this.startMs >= this.budget.ms;
  }

  /**
   * Runs a candidate; if it violates the target property it becomes the best schedule.
   * Throws OutOfBudget when no run is left, which ends the shrink with the best so far.
   */
  tryCandidate(candidate: Schedule): boolean {
    if (validateSchedule(candidate) !== null) return false;
    // Not on a hot path: one digest per candidate, against runs that cost far more.
    const key = createHash('sha1').update(JSON.stringify(candidate)).digest('hex');
    if (this.rejected.has(key)) return false;
    if (this.exhausted()) throw new OutOfBudget();
    if (this.runs >= this.passRunLimit) throw new PassOutOfBudget();
    this.runs++;
    const run = runForOutcome(candidate, {
      bugs: this.bugs,
      impl: this.impl,
      recentEvents: 0,
      maxSteps: this.maxSteps,
      // Checked only at the end of a run that broke nothing else, so it cannot change where
      // another property fails; off, a candidate that misses the target costs no history search.
      linearizability: this.target === 'linearizability',
    });
    const o = run.outcome;
    const ok = o.status === 'violation' && o.property === this.target;
    if (ok) {
      this.best = candidate;
      this.bestOutcome = o;
      this.bestEvents = run.result?.events ?? o.step;
      this.bestKey = run.result?.linearizability?.key ?? null;
    } else {
      this.rejected.add(key);
    }
    this.onProgress?.({
      runs: this.runs,
      budget: this.budget,
      pass: this.pass,
      faults: this.best.faults.length,
      ops: this.best.ops.length,
      timeMs: this.best.config.timeMs,
    });
    return ok;
  }

  /** Cut the run just past the violation (liveness: just past its deadline). */
  shortenRun(): boolean {
    this.pass = 'shorten the run';
    const s = this.best;
    const endMs = faultsEndMs(s.config);
    const timeMs = this.bestOutcome.timeMs + 1;
    let progress = false;
    if (timeMs < s.config.timeMs || (this.target !== 'liveness' && s.config.quietMs > 0)) {
      progress = this.tryCandidate(cutTime(s, Math.min(timeMs, s.config.timeMs), this.target, endMs));
    }
    if (this.target === 'liveness') progress = this.moveFaultsEnd() || progress;
    if (this.target === 'linearizability') progress = this.endAfterLastOp() || progress;
    return progress;
  }

  /**
   * Linearizability is judged at the end of the run, so the violation's time says nothing of
   * when the history went wrong. Every op has its answer (or its deadline) soon after the last
   * op or fault; try ending the run there, nearest first.
   */
  private endAfterLastOp(): boolean {
    const s = this.best;
    let lastMs = 0;
    for (const f of s.faults) if (f.atMs > lastMs) lastMs = f.atMs;
    for (const o of s.ops) if (o.atMs > lastMs) lastMs = o.atMs;
    const k = s.config.clientsCfg;
    const afters = [100, k.requestTimeoutMs, k.opDeadlineMs].sort((a, b) => a - b);
    for (const after of afters) {
      const timeMs = lastMs + after + 1;
      if (timeMs >= s.config.timeMs) return false;
      if (this.tryCandidate(cutTime(s, timeMs, this.target, faultsEndMs(s.config)))) return true;
    }
    return false;
  }

  /** Liveness: end the faulty period right after the last remaining fault, so the probe starts sooner. */
  private moveFaultsEnd(): boolean {
    const s = this.best;
    const endMs = faultsEndMs(s.config);
    let lastFaultMs = 0;
    for (const f of s.faults) if (f.atMs > lastFaultMs) lastFaultMs = f.atMs;
    if (lastFaultMs >= endMs) return false;
    const timeMs = lastFaultMs + s.config.livenessBoundMs + 1;
    return this.tryCandidate(cutTime(s, timeMs, 'liveness', lastFaultMs));
  }

  dropOps(): boolean {
    this.pass = 'drop operations';
    const before = this.best.ops.length;
    // A linearizability violation is about one key: the ops on every other key are background
    // traffic, and one run can drop all of them (a history of hundreds of ops becomes a few).
    if (this.bestKey !== null) this.keepOnlyKey(this.bestKey);
    // Whole clients first (the highest first): a client's ops share its stream, so they tend to
    // matter or not together, and this costs one run per client where ddmin may cost many.
    for (let client = this.best.config.clients; client >= 1; client--) {
      const ops = this.best.ops.filter((o) => o.client !== client);
      if (ops.length < this.best.ops.length && ops.length > 0) this.tryCandidate({ ...this.best, ops });
    }
    const base = this.best;
    ddmin(base.ops, (ops) => this.tryCandidate({ ...base, ops }));
    return this.best.ops.length < before;
  }

  /** Ops on `key` only; failing that, half of the other keys' ops at a time (ddmin on keys). */
  private keepOnlyKey(key: string): void {
    const others = [...new Set(this.best.ops.map((o) => o.op.key))].filter((k) => k !== key).sort();
    if (others.length === 0) return;
    const base = this.best;
    ddmin(others, (kept) => {
      const keys = new Set([key, ...kept]);
      return this.tryCandidate({ ...base, ops: base.ops.filter((o) => keys.has(o.op.key)) });
    });
  }

  dropFaults(): boolean {
    this.pass = 'drop faults';
    const before = this.best.faults.length;
    const base = this.best;
    ddmin(base.faults, (faults) => this.tryCandidate({ ...base, faults }));
    return this.best.faults.length < before;
  }

  /**
   * Close idle stretches of the timeline: everything after a long gap between scheduled faults
   * and operations moves earlier. Most failures depend on the order of what happens, not on
   * the exact quiet time between, and a shorter run has fewer events to read.
   */
  compressTime(): boolean {
    this.pass = 'compress idle time';
    let progress = false;
    // After a success the gaps are new: start again from the longest; after a failure, the next.
    let rank = 0;
    for (let attempts = 0; attempts < 8; attempts++) {
      const gap = this.longestGap(rank);
      if (gap === null) break;
      let moved = false;
      for (const amount of [gap.lengthMs - 1, Math.floor(gap.lengthMs / 2)]) {
        if (amount < MIN_GAP_SHIFT_MS) continue;
        if (this.tryCandidate(shiftFrom(this.best, gap.endMs, amount))) {
          moved = true;
          break;
        }
      }
      rank = moved ? 0 : rank + 1;
      progress = moved || progress;
    }
    return progress;
  }

  /** The `rank`-th longest gap (0: the longest) between consecutive scheduled instants, from time 0. */
  private longestGap(rank: number): { endMs: number; lengthMs: number } | null {
    const times = new Set<number>();
    for (const f of this.best.faults) times.add(f.atMs);
    for (const o of this.best.ops) times.add(o.atMs);
    const sorted = [...times].sort((a, b) => a - b);
    const gaps: { endMs: number; lengthMs: number }[] = [];
    let prev = 0;
    for (const t of sorted) {
      if (t - prev >= MIN_GAP_SHIFT_MS) gaps.push({ endMs: t, lengthMs: t - prev });
      prev = t;
    }
    // Longest first; equal lengths in time order, so the choice is deterministic.
    gaps.sort((a, b) => b.lengthMs - a.lengthMs || a.endMs - b.endMs);
    return gaps[rank] ?? null;
  }

  /**
   * Loss, duplication and long delays toward zero, the delay spread toward none, no clock
   * drift, smaller AppendEntries batches.
   */
  simplifyConfig(): boolean {
    this.pass = 'simplify the config';
    let progress = false;
    for (const key of ['dropRate', 'dupRate', 'longDelayRate'] as const) {
      const original = this.best.config.network[key];
      if (original === 0) continue;
      // Zero first; failing that, half.
      for (const next of original > 0.001 ? [0, halve(original)] : [0]) {
        const c = this.best.config;
        if (this.tryCandidate(withConfig(this.best, { ...c, network: { ...c.network, [key]: next } }))) {
          progress = true;
          break;
        }
      }
    }
    for (let tries = 0; tries < 3; tries++) {
      const c = this.best.config;
      const { delayMsMin: lo, delayMsMax: hi } = c.network;
      if (hi <= lo) break;
      const next = tries === 0 ? lo : lo + Math.floor((hi - lo) / 2);
      if (next === hi) break;
      if (this.tryCandidate(withConfig(this.best, { ...c, network: { ...c.network, delayMsMax: next } }))) {
        progress = true;
        break;
      }
    }
    const c = this.best.config;
    if (c.clockDriftPpmMax > 0 && this.tryCandidate(withConfig(this.best, { ...c, clockDriftPpmMax: 0 }))) {
      progress = true;
    }
    // Smaller AppendEntries batches: a failure that needs a follower behind by more than one
    // batch then needs a few entries instead of dozens (and so a few operations).
    const batch = this.best.config.raft.maxEntriesPerAppend;
    for (const next of batch > 1 ? [1, Math.floor(batch / 2)] : []) {
      const cfg = this.best.config;
      if (next >= batch) break;
      if (
        this.tryCandidate(withConfig(this.best, { ...cfg, raft: { ...cfg.raft, maxEntriesPerAppend: next } }))
      ) {
        progress = true;
        break;
      }
    }
    return progress;
  }

  fewerClients(): boolean {
    this.pass = 'fewer clients';
    let progress = false;
    const s = this.best;
    const used = maxClient(s);
    // Clients above the last one with an op do nothing but draw from their own streams.
    if (used < s.config.clients && this.tryCandidate(withConfig(s, { ...s.config, clients: used }))) {
      progress = true;
    }
    const compact = compactClients(this.best);
    if (compact.config.clients < this.best.config.clients && this.tryCandidate(compact)) progress = true;
    return progress;
  }

  /** Remove one node at a time (the highest first, so most ids and streams stay the same). */
  fewerNodes(): boolean {
    this.pass = 'fewer nodes';
    let progress = false;
    for (let gone = this.best.config.nodes; gone >= 1 && this.best.config.nodes > 1; gone--) {
      if (gone > this.best.config.nodes) continue;
      if (this.tryCandidate(removeNode(this.best, gone))) progress = true;
    }
    return progress;
  }

  /** Shorter pauses. */
  simplifyFaults(): boolean {
    this.pass = 'simplify faults';
    let progress = false;
    for (let i = 0; i < this.best.faults.length; i++) {
      const f = this.best.faults[i]!;
      if (f.type !== 'pause' || f.durationMs <= 1) continue;
      const faults = this.best.faults.slice();
      faults[i] = { ...f, durationMs: Math.max(1, Math.floor(f.durationMs / 2)) };
      if (this.tryCandidate({ ...this.best, faults })) progress = true;
    }
    return progress;
  }

  /** Runs a list pass with its share of the budget; a cut pass counts as progress-so-far. */
  private capped(pass: () => boolean): boolean {
    const left = this.budget.kind === 'runs' ? this.budget.runs - this.runs : Number.POSITIVE_INFINITY;
    this.passRunLimit = this.runs + Math.max(MIN_PASS_RUNS, Math.floor(left / PASS_SHARE));
    const before = this.best;
    try {
      return pass();
    } catch (error) {
      if (!(error instanceof PassOutOfBudget)) throw error;
      this.passCut = true;
      return this.best !== before;
    } finally {
      this.passRunLimit = Number.POSITIVE_INFINITY;
    }
  }

  run(): boolean {
    try {
      for (;;) {
        this.passCut = false;
        let progress = this.shortenRun();
        // Operations first: without client traffic every later candidate runs much faster.
        progress = this.capped(() => this.dropOps()) || progress;
        progress = this.shortenRun() || progress;
        progress = this.capped(() => this.dropFaults()) || progress;
        progress = this.shortenRun() || progress;
        progress = this.compressTime() || progress;
        progress = this.shortenRun() || progress;
        progress = this.simplifyConfig() || progress;
        progress = this.fewerClients() || progress;
        progress = this.fewerNodes() || progress;
        progress = this.simplifyFaults() || progress;
        if (!progress && !this.passCut) return true;
      }
    } catch (error) {
      if (error instanceof OutOfBudget) return false;
      throw error;
    }
  }
}

/**
 * Shrinks a schedule that violates a property to a small one that violates the same property.
 * Runs the schedule once first to learn the property; throws RangeError if it violates none.
 * Deterministic for a run budget: the same schedule, bugs and budget give the same result.
 */
export function shrinkSchedule(schedule: Schedule, opts: ShrinkOptions): ShrinkResult {
  const first = runForOutcome(schedule, { bugs: opts.bugs, impl: opts.impl ?? null, recentEvents: 0 });
  const o = first.outcome;
  if (o.status !== 'violation') throw new RangeError('nothing to shrink: every property held');
  const events = first.result?.events ?? o.step;
  const shrinker = new Shrinker(schedule, o, events, 1, opts);
  shrinker.bestKey = first.result?.linearizability?.key ?? null;
  const complete = shrinker.run();
  return {
    schedule: shrinker.best,
    outcome: shrinker.bestOutcome,
    before: sizeOf(schedule, events),
    after: sizeOf(shrinker.best, shrinker.bestEvents),
    runs: shrinker.runs,
    complete,
  };
}

export function describeSize(s: ScheduleSize): string {
  return (
    `${s.faults} faults, ${s.ops} operations, ${s.events} events, ${s.timeMs} ms virtual, ` +
    `${s.nodes} nodes, ${s.clients} clients`
  );
}
