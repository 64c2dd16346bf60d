// Linearizability of a key-value history.
//
// The search is Wing & Gong's: find a total order of the operations that respects real time
// (an op that returned before another was invoked comes first) and that a sequential
// key-value store would have answered exactly as the clients were answered. Two refinements
// keep it fast, both from Gavin Lowe's work on testing linearizability:
//
// - Just-in-time linearization. Invocations and returns sit in one doubly linked list in
//   time order. Scanning from the front, any op whose invocation we meet before the first
//   remaining return may be linearized next; "linearizing" lifts both its events out of the
//   list, and backtracking puts them back (dancing links). When the scan reaches a return,
//   that op should already have taken effect and did not: undo the last choice and try the
//   next candidate instead.
// - Memoisation. The future of the search depends only on which ops are linearized and on
//   the store's state, so each (set, state) pair is explored once. Sets are bitsets with an
//   incremental (Zobrist) hash; states are interned strings, compared as integers.
//
// More cuts, specific to a key-value register, each argued where it is made (KeySearch): a read
// that fits the current value is taken first and without alternatives; a node whose value can
// no longer become what a get just ahead read is dead; a value that a put will overwrite before
// anyone can read it is forgotten, so that the appends it wipes out are not tried in every
// order; pending ops are tried last, and a node is dropped when the same node without one of
// its pending ops was already explored. Each cut only removes nodes that cannot lead to a
// linearization, or that lead to nothing another explored node does not: the verdicts are
// exact (the tests check them against a brute-force search).
//
// Limits. The problem is NP-complete, and some histories stay hard: many clients on one key
// (beyond about ten at once), long runs of pending appends, and refuting a violation that sits
// deep inside a long history (every way of linearizing what comes before it must fail). The
// budget turns these into 'unknown'.
//
// Keys are independent, so each key is its own search (P-compositionality). The searches are
// run interleaved, a slice of steps each in turn, and the first key that fails ends the check:
// one hard key cannot starve the verdict on the others, and an exhausted budget is reported as
// 'unknown' — never as a guess.
//
// Semantics of the history (properties/history.ts): 'fail' ops did not happen and are dropped.
// 'info' ops are pending to the end: they may take effect at any point after their invocation,
// or never, and their result constrains nothing. A missing key reads as ''.
// An invocation and a return at the same instant count as concurrent: the checker never
// reports a violation that rests on the order of two events with equal timestamps.

import { AssertionError, assert } from '../src/assert.ts';
import type { History, HistoryOp } from './history.ts';
import { describeHistoryOp } from './history.ts';

export type LinWitness = {
  key: string;
  /** The longest linearizable prefix found for `key`, in linearization order. */
  prefix: HistoryOp[];
  /**
   * The op that could not be placed after `prefix`: its return came (or, seen by the look-ahead,
   * was coming) while no order of the ops still open let it take effect in time.
   */
  op: HistoryOp;
  /** The key's value after `prefix`. */
  valueAfterPrefix: string;
  /** One line: the key, the op, the prefix length and the value it leaves. */
  message: string;
};

export type LinResult =
  | { verdict: 'ok'; steps: number }
  | { verdict: 'violation'; steps: number; witness: LinWitness }
  | { verdict: 'unknown'; steps: number; reason: string };

export type LinOptions = {
  /** Total search steps over all keys before giving up with 'unknown' (default: `defaultBudgetSteps`). */
  budgetSteps?: number;
  /** Steps one key may take before the next key gets its turn. */
  sliceSteps?: number;
};

/** The default budget: this many steps, plus DEFAULT_BUDGET_STEPS_PER_OP for each op. */
export const DEFAULT_BUDGET_STEPS = 5_000_000;
export const DEFAULT_BUDGET_STEPS_PER_OP = 100;
const DEFAULT_SLICE_STEPS = 20_000;
/** The witness search may take this many steps, plus this factor times the steps of the search it explains. */
const WITNESS_STEPS_MIN = 100_000;
const WITNESS_STEPS_FACTOR = 1;

export function checkLinearizability(history: History | HistoryOp[], opts: LinOptions = {}): LinResult {
  const ops = Array.isArray(history) ? history : history.ops;
  const budgetSteps = opts.budgetSteps ?? defaultBudgetSteps(ops.length);
  const sliceSteps = opts.sliceSteps ?? DEFAULT_SLICE_STEPS;
  assert(Number.isSafeInteger(budgetSteps) && budgetSteps >= 0, () => `budgetSteps must be an integer >= 0`);
  assert(Number.isSafeInteger(sliceSteps) && sliceSteps > 0, () => `sliceSteps must be an integer > 0`);
  assertWellFormed(ops);

  const values = new ValueTable();
  let active: KeySearch[] = [];
  for (const [key, keyOps] of partitionByKey(ops)) active.push(new KeySearch(key, keyOps, values, true));

  let steps = 0;
  while (active.length > 0) {
    if (steps >= budgetSteps) {
      const first = active[0]!;
      return {
        verdict: 'unknown',
        steps,
        reason:
          `search budget of ${budgetSteps} steps exhausted with ${active.length} key(s) undecided ` +
          `(first: ${JSON.stringify(first.key)}, ${first.ops.length} ops, ${first.steps} steps spent on it)`,
      };
    }
    const stillActive: KeySearch[] = [];
    for (const search of active) {
      const allowance = Math.min(sliceSteps, budgetSteps - steps);
      if (allowance <= 0) {
        stillActive.push(search);
        continue;
      }
      const stepsBefore = search.steps;
      const status = search.run(allowance);
      steps += search.steps - stepsBefore;
      if (status === SearchStatus.Violation) {
        const found = findWitness(search, values, budgetSteps - steps);
        return { verdict: 'violation', steps: steps + found.steps, witness: found.witness };
      }
      if (status === SearchStatus.Running) stillActive.push(search);
      // A finished key is dropped here, and its memo with it.
    }
    active = stillActive;
  }
  return { verdict: 'ok', steps };
}

/** The budget when none is given: a long history gets more steps, about in proportion. */
export function defaultBudgetSteps(opCount: number): number {
  return DEFAULT_BUDGET_STEPS + DEFAULT_BUDGET_STEPS_PER_OP * opCount;
}

/**
 * The witness of a key found not linearizable. The look-ahead kills a node as soon as some get
 * ahead cannot be satisfied, which settles the verdict sooner but cuts the search off before it
 * gets as far in time as it could: its dead ends say little about which op is to blame. So the
 * key is searched again without it, and the witness is the dead end that got furthest in time
 * (ties: the longest prefix). Without the pruning, proving a key wrong can take far longer, so
 * this second search gets about as many steps as the first one took (and no more than the budget
 * left); if it does not finish, the first search's best dead end is the witness, its look-ahead
 * dead ends ranked by the return they saw coming.
 */
function findWitness(
  failed: KeySearch,
  values: ValueTable,
  budgetSteps: number,
): { witness: LinWitness; steps: number } {
  const plain = new KeySearch(failed.key, failed.ops, values, false);
  const status = plain.run(
    Math.max(0, Math.min(budgetSteps, WITNESS_STEPS_MIN + WITNESS_STEPS_FACTOR * failed.steps)),
  );
  assert(status !== SearchStatus.Linearizable, () => `key ${JSON.stringify(failed.key)}: searches disagree`);
  return {
    witness: status === SearchStatus.Violation ? plain.witness() : failed.witness(),
    steps: plain.steps,
  };
}

function assertWellFormed(ops: readonly HistoryOp[]): void {
  const ids = new Set<number>();
  for (const o of ops) {
    assert(!ids.has(o.id), () => `history: op id ${o.id} is used twice`);
    ids.add(o.id);
    if (o.status !== 'ok') continue;
    assert(o.returnMs !== null, () => `history: op #${o.id} is 'ok' but has no returnMs`);
    assert(
      o.returnMs >= o.invokeMs,
      () => `history: op #${o.id} returns (${o.returnMs}) before its invocation`,
    );
    assert(o.result !== null, () => `history: op #${o.id} is 'ok' but has no result`);
    assert(
      o.result.type === o.op.type,
      () => `history: op #${o.id} is a ${o.op.type} with a ${o.result?.type} result`,
    );
  }
}

/**
 * The ops that matter, grouped by key in order of first appearance. Dropped: 'fail' ops (they
 * did not happen) and pending gets (a read with an unknown result neither constrains nor changes
 * anything).
 */
function partitionByKey(ops: readonly HistoryOp[]): Map<string, HistoryOp[]> {
  const byKey = new Map<string, HistoryOp[]>();
  for (const o of ops) {
    if (o.status === 'fail') continue;
    if (o.status === 'info' && o.op.type === 'get') continue;
    let list = byKey.get(o.op.key);
    if (list === undefined) {
      list = [];
      byKey.set(o.op.key, list);
    }
    list.push(o);
  }
  return byKey;
}

// ---------------------------------------------------------------------------------------------
// The store's values, interned: equal strings get equal ids, so the search compares integers.

/** Id of the empty string: the value of a key never written. */
const EMPTY_VALUE = 0;
/**
 * A value that will be overwritten before anyone can read it (see `overwrittenBeforeRead`).
 * Not the id of any string: no get reads it and no cas expects it.
 */
const OVERWRITTEN = 1;

class ValueTable {
  private readonly idOf = new Map<string, number>();
  readonly strings: string[] = [];
  // Both operations below cost time in the length of the value; the search asks for the same
  // pairs again and again, so their answers are cached by id.
  private readonly appended = new IntPairCache();
  private readonly prefixes = new IntPairCache();

  constructor() {
    const empty = this.intern('');
    assert(empty === EMPTY_VALUE, 'the empty string must be value 0');
    // Reserved without an entry in idOf, so that no string interns to it.
    this.strings.push('(overwritten)');
    assert(this.strings.length - 1 === OVERWRITTEN, 'OVERWRITTEN must be value 1');
  }

  intern(s: string): number {
    assert(typeof s === 'string', () => `history: a value is ${JSON.stringify(s)}, not a string`);
    const known = this.idOf.get(s);
    if (known !== undefined) return known;
    const id = this.strings.length;
    this.strings.push(s);
    this.idOf.set(s, id);
    return id;
  }

  /** The id of strings[stateId] + strings[valueId]. */
  append(stateId: number, valueId: number): number {
    const known = this.appended.get(stateId, valueId);
    if (known >= 0) return known;
    const result = this.intern(this.strings[stateId]! + this.strings[valueId]!);
    this.appended.set(stateId, valueId, result);
    return result;
  }

  /** Whether strings[valueId] starts with strings[prefixId]. */
  isPrefix(prefixId: number, valueId: number): boolean {
    if (prefixId === valueId || prefixId === EMPTY_VALUE) return true;
    const known = this.prefixes.get(prefixId, valueId);
    if (known >= 0) return known === 1;
    const result = this.strings[valueId]!.startsWith(this.strings[prefixId]!);
    this.prefixes.set(prefixId, valueId, result ? 1 : 0);
    return result;
  }
}

/** A map from a pair of non-negative int32s to a non-negative int32: open addressing, no allocation per entry. */
class IntPairCache {
  private keyA = new Int32Array(64).fill(-1);
  private keyB = new Int32Array(64);
  private result = new Int32Array(64);
  private count = 0;

  /** The value stored for (a, b), or -1. */
  get(a: number, b: number): number {
    const mask = this.keyA.length - 1;
    let slot = mix32(Math.imul(a, 0x9e3779b1) ^ b) & mask;
    for (;;) {
      const k = this.keyA[slot]!;
      if (k === -1) return -1;
      if (k === a && this.keyB[slot] === b) return this.result[slot]!;
      slot = (slot + 1) & mask;
    }
  }

  set(a: number, b: number, value: number): void {
    const mask = this.keyA.length - 1;
    let slot = mix32(Math.imul(a, 0x9e3779b1) ^ b) & mask;
    while (this.keyA[slot] !== -1 && !(this.keyA[slot] === a && this.keyB[slot] === b))
      slot = (slot + 1) & mask;
    if (this.keyA[slot] === -1) this.count++;
    this.keyA[slot] = a;
    this.keyB[slot] = b;
    this.result[slot] = value;
    if (this.count * 2 > this.keyA.length) this.grow();
  }

  private grow(): void {
    const oldA = this.keyA;
    const oldB = this.keyB;
    const oldResult = this.result;
    const capacity = oldA.length * 2;
    this.keyA = new Int32Array(capacity).fill(-1);
    this.keyB = new Int32Array(capacity);
    this.result = new Int32Array(capacity);
    this.count = 0;
    for (let i = 0; i < oldA.length; i++) {
      if (oldA[i] !== -1) this.set(oldA[i]!, oldB[i]!, oldResult[i]!);
    }
  }
}

/** The memo's hash of (set, state), from the set's incremental hash. */
function memoHash(setHash: number, state: number): number {
  return setHash ^ Math.imul(state + 1, 0x27d4eb2f);
}

/** Murmur3's finaliser: spreads every input bit over the whole word. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

// ---------------------------------------------------------------------------------------------
// The memo: a set of (linearized ops, store state) pairs.
//
// A set of ops is stored as a window of its bitset: completed ops are numbered in invocation
// order, every op below the window is linearized and every op above it is not. The search only
// linearizes ops invoked before the first remaining return, so the window spans about as many
// ops as were concurrent, not the whole history. Pending ops never return and may stay
// unlinearized forever; they get their own small bitset, stored whole, so that they do not pin
// the window open.

class VisitedSet {
  private entryHash = new Int32Array(256);
  private entryState = new Int32Array(256);
  private entryLow = new Int32Array(256);
  /** Entry i's words are arena[entryStart[i] .. entryStart[i + 1]). */
  private entryStart = new Int32Array(257);
  private arena = new Int32Array(1024);
  private count = 0;
  /** Open addressing: entry index + 1, 0 = empty. */
  private table = new Int32Array(512);

  /** Whether the pair is present. */
  has(
    hash: number,
    state: number,
    doneWords: Int32Array,
    low: number,
    high: number,
    pendingWords: Int32Array,
  ): boolean {
    return this.probe(hash, state, doneWords, low, high, pendingWords) < 0;
  }

  /** Adds the pair unless it is present; true if it was added (not seen before). */
  addIfAbsent(
    hash: number,
    state: number,
    doneWords: Int32Array,
    low: number,
    high: number,
    pendingWords: Int32Array,
  ): boolean {
    const slot = this.probe(hash, state, doneWords, low, high, pendingWords);
    if (slot < 0) return false;
    const windowLength = high - low;
    const length = windowLength + pendingWords.length;
    const e = this.count;
    if (e + 1 >= this.entryHash.length) this.growEntries();
    const start = this.entryStart[e]!;
    if (start + length > this.arena.length) this.growArena(start + length);
    const arena = this.arena;
    for (let i = 0; i < windowLength; i++) arena[start + i] = doneWords[low + i]!;
    for (let i = 0; i < pendingWords.length; i++) arena[start + windowLength + i] = pendingWords[i]!;
    this.entryHash[e] = hash;
    this.entryState[e] = state;
    this.entryLow[e] = low;
    this.entryStart[e + 1] = start + length;
    this.table[slot] = e + 1;
    this.count = e + 1;
    if (this.count * 2 > this.table.length) this.growTable();
    return true;
  }

  /** -1 if the pair is present, else the empty table slot where it belongs. */
  private probe(
    hash: number,
    state: number,
    doneWords: Int32Array,
    low: number,
    high: number,
    pendingWords: Int32Array,
  ): number {
    const windowLength = high - low;
    const length = windowLength + pendingWords.length;
    const mask = this.table.length - 1;
    let slot = mix32(hash) & mask;
    for (;;) {
      const found = this.table[slot]!;
      if (found === 0) return slot;
      const e = found - 1;
      if (
        this.entryHash[e] === hash &&
        this.entryState[e] === state &&
        this.entryLow[e] === low &&
        this.entryStart[e + 1]! - this.entryStart[e]! === length &&
        this.sameWords(this.entryStart[e]!, doneWords, low, windowLength, pendingWords)
      ) {
        return -1;
      }
      slot = (slot + 1) & mask;
    }
  }

  private sameWords(
    start: number,
    doneWords: Int32Array,
    low: number,
    windowLength: number,
    pendingWords: Int32Array,
  ): boolean {
    const arena = this.arena;
    for (let i = 0; i < windowLength; i++) if (arena[start + i] !== doneWords[low + i]) return false;
    const pendingStart = start + windowLength;
    for (let i = 0; i < pendingWords.length; i++)
      if (arena[pendingStart + i] !== pendingWords[i]) return false;
    return true;
  }

  private growEntries(): void {
    const capacity = this.entryHash.length * 2;
    this.entryHash = grown(this.entryHash, capacity);
    this.entryState = grown(this.entryState, capacity);
    this.entryLow = grown(this.entryLow, capacity);
    this.entryStart = grown(this.entryStart, capacity + 1);
  }

  private growArena(atLeast: number): void {
    let capacity = this.arena.length * 2;
    while (capacity < atLeast) capacity *= 2;
    this.arena = grown(this.arena, capacity);
  }

  private growTable(): void {
    const capacity = this.table.length * 2;
    const mask = capacity - 1;
    const table = new Int32Array(capacity);
    for (let e = 0; e < this.count; e++) {
      let slot = mix32(this.entryHash[e]!) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = e + 1;
    }
    this.table = table;
  }
}

function grown(a: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity);
  b.set(a);
  return b;
}

// ---------------------------------------------------------------------------------------------
// One key's search.

const SearchStatus = { Running: 0, Linearizable: 1, Violation: 2 } as const;
type SearchStatus = (typeof SearchStatus)[keyof typeof SearchStatus];

/**
 * What an op does to the store, as a small integer: the search loop switches on it for every
 * candidate, so it stays in a typed array instead of a union of objects.
 */
const Kind = {
  /** argA: the value read. */
  Get: 0,
  /** argA: the value written. */
  Put: 1,
  /** argA: the value appended. */
  Append: 2,
  /** cas that reported success. argA: expected, argB: new value. */
  CasSucceeded: 3,
  /** cas that ran and reported that the value was not the expected one. argA: expected. */
  CasFailed: 4,
  /** cas with unknown outcome: it succeeds iff the value is the expected one. argA, argB as above. */
  CasPending: 5,
} as const;

/** How far the expansion of a search node has got: see `KeySearch.run`. */
const Phase = { Reads: 0, Writes: 1, PendingWrites: 2 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** The list's front sentinel; the back sentinel is the slot after the last event. */
const HEAD = 0;
/** How far past the first return the look-ahead goes, in events: a bound on the cost per node... */
const LOOKAHEAD_EVENTS = 64;
/** ... and how many reads it checks: the first few decide nearly always. */
const LOOKAHEAD_READS = 4;
/** How far `overwrittenBeforeRead` looks for a put that hides the current value. */
const OVERWRITE_LOOKAHEAD_EVENTS = 32;
/** How many of the pending ops placed last `dominatedWithoutAPendingOp` tries to take out. */
const DOMINANCE_PENDING_OPS = 8;
/** The look-ahead gives up past this many distinct reset values: each one weakens the check. */
const MAX_RESETTERS = 32;
/**
 * Likewise for appends. Both bounds must leave room for the pending ops, which stay candidates
 * to the end of the history.
 */
const MAX_APPENDS = 64;
/** A bound on the work of one `reachable` check: appends compared against the wanted value. */
const APPEND_BUILD_STEPS = 256;

class KeySearch {
  steps = 0;
  private readonly kind: Uint8Array;
  private readonly argA: Int32Array;
  private readonly argB: Int32Array;
  private readonly isPending: Uint8Array;
  /** Bit of an op: in `doneWords` for completed ops, in `pendingWords` for pending ones. */
  private readonly bit: Int32Array;
  private readonly zobrist: Int32Array;

  // The event list. Slots 1..eventCount hold events in time order.
  private readonly end: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly eventOp: Int32Array;
  private readonly eventIsReturn: Uint8Array;
  private readonly callSlot: Int32Array;
  /** -1 for pending ops: they never return, so nothing forces them to take effect. */
  private readonly returnSlot: Int32Array;

  // The search state, kept between slices: the node being expanded is (state, the ops linearized
  // so far), and (phase, entry, ...) say how far its expansion has got.
  private entry: number;
  private state = EMPTY_VALUE;
  private phase: Phase = Phase.Reads;
  /**
   * In phase Reads: the values that ops seen so far may overwrite the key's value
   * with (puts, successful and pending cas), in resetterValues[0 .. resetterCount); a count above
   * MAX_RESETTERS means "too many to be worth tracking".
   */
  private resetterCount = 0;
  private readonly resetterValues = new Int32Array(MAX_RESETTERS);
  private readonly resetterExpected = new Int32Array(MAX_RESETTERS);
  /** Likewise for the values of unplaced appends (completed or pending) seen so far. */
  private appendCount = 0;
  private readonly appendValues = new Int32Array(MAX_APPENDS);
  private readonly appendUsed = new Uint8Array(MAX_APPENDS);
  private buildStepsLeft = 0;
  private depth = 0;
  // One frame per choice on the current path: the op chosen, the state before it, and whether it
  // was a forced read (see `run`).
  private readonly stackOp: Int32Array;
  private readonly stackState: Int32Array;
  private readonly stackForced: Uint8Array;
  /** The pending ops on the current path, in the order they were placed. */
  private readonly placedPending: Int32Array;
  private placedPendingCount = 0;
  private readonly doneWords: Int32Array;
  private readonly pendingWords: Int32Array;
  /** Lowest word of doneWords that is not all ones. */
  private low = 0;
  /** One past the highest non-zero word of doneWords (>= low). */
  private high = 0;
  private setHash = 0;
  private readonly visited = new VisitedSet();

  // The dead end that got furthest in time (then deepest): the witness if the key fails.
  /** Slot of the first remaining return at the best dead end: how far in time the search got. */
  private bestFrontier = -1;
  private bestDepth = -1;
  private readonly bestOps: Int32Array;
  private bestBlockedOp = -1;
  /** bestOps[0 .. this) still equals the stack: only the rest needs copying at the next snapshot. */
  private stackAgreesWithBestBelow = 0;

  constructor(
    readonly key: string,
    readonly ops: readonly HistoryOp[],
    private readonly values: ValueTable,
    /** Whether to prune with the look-ahead; off when searching for a witness (see `findWitness`). */
    private readonly lookahead: boolean,
  ) {
    const n = ops.length;
    this.kind = new Uint8Array(n);
    this.argA = new Int32Array(n);
    this.argB = new Int32Array(n);
    this.isPending = new Uint8Array(n);
    this.bit = new Int32Array(n);
    this.zobrist = new Int32Array(n);
    this.callSlot = new Int32Array(n);
    this.returnSlot = new Int32Array(n).fill(-1);
    this.stackOp = new Int32Array(n);
    this.stackState = new Int32Array(n);
    this.stackForced = new Uint8Array(n);
    this.placedPending = new Int32Array(n);
    this.bestOps = new Int32Array(n);

    // Events: a call per op, a return per completed op.
    const eventTime: number[] = [];
    const eventOpList: number[] = [];
    const eventReturn: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const o = ops[i]!;
      this.encode(i, o);
      this.zobrist[i] = mix32(Math.imul(i + 1, 0x9e3779b9) ^ 0x5bd1e995);
      eventTime.push(o.invokeMs);
      eventOpList.push(i);
      eventReturn.push(false);
      if (o.status === 'ok') {
        eventTime.push(o.returnMs!);
        eventOpList.push(i);
        eventReturn.push(true);
      }
    }
    const order = eventTime.map((_, k) => k);
    // Equal times: invocations first (equal instants count as concurrent), then by op order.
    order.sort(
      (x, y) =>
        eventTime[x]! - eventTime[y]! ||
        Number(eventReturn[x]) - Number(eventReturn[y]) ||
        eventOpList[x]! - eventOpList[y]!,
    );

    const eventCount = order.length;
    this.end = eventCount + 1;
    this.next = new Int32Array(eventCount + 2);
    this.prev = new Int32Array(eventCount + 2);
    this.eventOp = new Int32Array(eventCount + 2).fill(-1);
    this.eventIsReturn = new Uint8Array(eventCount + 2);
    let doneCount = 0;
    let pendingCount = 0;
    for (let k = 0; k < eventCount; k++) {
      const slot = k + 1;
      const e = order[k]!;
      const op = eventOpList[e]!;
      this.eventOp[slot] = op;
      if (eventReturn[e]) {
        this.eventIsReturn[slot] = 1;
        this.returnSlot[op] = slot;
      } else {
        this.callSlot[op] = slot;
        // Bits in invocation order: what keeps the memo's windows short.
        this.bit[op] = this.isPending[op] ? pendingCount++ : doneCount++;
      }
    }
    for (let slot = 0; slot <= this.end; slot++) {
      this.next[slot] = slot + 1;
      this.prev[slot] = slot - 1;
    }
    // One spare zero word, so that the scan for the lowest non-full word always stops.
    this.doneWords = new Int32Array((doneCount >>> 5) + 2);
    this.pendingWords = new Int32Array((pendingCount + 31) >>> 5);
    this.entry = this.next[HEAD]!;
  }

  private encode(i: number, o: HistoryOp): void {
    const values = this.values;
    const pending = o.status !== 'ok';
    this.isPending[i] = pending ? 1 : 0;
    const op = o.op;
    switch (op.type) {
      case 'get': {
        assert(!pending, 'pending gets are dropped before the search');
        const result = o.result;
        assert(result !== null && result.type === 'get', 'a completed get has a get result');
        this.kind[i] = Kind.Get;
        this.argA[i] = values.intern(result.value ?? '');
        return;
      }
      case 'put':
        this.kind[i] = Kind.Put;
        this.argA[i] = values.intern(op.value);
        return;
      case 'append':
        this.kind[i] = Kind.Append;
        this.argA[i] = values.intern(op.value);
        return;
      case 'cas': {
        this.argA[i] = values.intern(op.expected);
        this.argB[i] = values.intern(op.value);
        if (pending) {
          this.kind[i] = Kind.CasPending;
          return;
        }
        const result = o.result;
        assert(result !== null && result.type === 'cas', 'a completed cas has a cas result');
        this.kind[i] = result.ok ? Kind.CasSucceeded : Kind.CasFailed;
        return;
      }
      default:
        assert(false, () => `unknown op ${JSON.stringify(op)}`);
    }
  }

  /**
   * Runs at most `maxSteps` steps. A step is one event looked at in a scan, one candidate tried,
   * or one backtrack; the bounded look-aheads below count as part of the step they are in.
   *
   * A node's candidates are the ops invoked before the first remaining return. Its expansion has
   * two phases:
   * - Reads: look for a read-only candidate that fits the current state (a get of the current
   *   value, or a failed cas whose expected value differs). Such an op may always go first: it
   *   changes nothing, and no candidate has to precede it in real time, since every remaining op
   *   returns after its invocation. So if the node has a valid continuation, it has one that starts
   *   with that read: the read is a forced move, and if it fails the node fails, with no
   *   alternative tried.
   *   At the end of this phase, look ahead (after a write): values only grow by appends, so until
   *   an op that may overwrite the value (put, successful or pending cas) takes effect, every get
   *   must read a value that starts with the current one or with one of those ops' values. A node
   *   that breaks this for a get returning in the next few events is dead.
   * - Writes: try the candidates one by one in invocation order (Lowe's just-in-time order),
   *   completed ops first.
   * - PendingWrites: then the pending ones. They may as well never take effect, so the search
   *   first looks for a continuation without them; a node that places one is then often found
   *   to be no better than one already seen without it (see `dominatedWithoutAPendingOp`).
   */
  run(maxSteps: number): SearchStatus {
    const {
      kind,
      argA,
      argB,
      isPending,
      next,
      eventOp,
      eventIsReturn,
      stackOp,
      stackState,
      stackForced,
      values,
      visited,
    } = this;
    const end = this.end;
    let entry = this.entry;
    let state = this.state;
    let phase = this.phase;
    let resetterCount = this.resetterCount;
    let appendCount = this.appendCount;
    let depth = this.depth;
    let status: SearchStatus = SearchStatus.Running;
    let used = 0;
    while (used < maxSteps) {
      used++;
      /** Set when this node is found dead: the op to blame, and the slot of the node's first return. */
      let blocked = -1;
      let frontier = -1;
      /** Set when a candidate fits: the state after it. */
      let nextState = -1;
      let op = -1;

      if (phase === Phase.Reads) {
        if (entry === end) {
          // No return left: every completed op is placed; the pending ones left over never took effect.
          status = SearchStatus.Linearizable;
          break;
        }
        op = eventOp[entry]!;
        if (eventIsReturn[entry] !== 0) {
          // Only a write can have made the value unreachable for a get ahead; the empty value
          // is a prefix of every value.
          const wrote = depth > 0 && stackForced[depth - 1] === 0;
          if (this.lookahead && wrote && state !== EMPTY_VALUE && state !== OVERWRITTEN) {
            blocked = this.unreachableGetAhead(entry, state, resetterCount, appendCount);
            // Ranked as if the search had got as far as the return it saw coming.
            if (blocked >= 0) frontier = this.returnSlot[blocked]!;
          }
          phase = Phase.Writes;
          entry = next[HEAD]!;
        } else {
          const k = kind[op]!;
          const a = argA[op]!;
          if ((k === Kind.Get && state === a) || (k === Kind.CasFailed && state !== a)) {
            nextState = state;
          } else {
            if (k === Kind.Put) resetterCount = this.noteResetter(resetterCount, a, -1);
            else if (k === Kind.CasSucceeded || k === Kind.CasPending) {
              resetterCount = this.noteResetter(resetterCount, argB[op]!, argA[op]!);
            } else if (k === Kind.Append) appendCount = this.noteAppend(appendCount, a);
            entry = next[entry]!;
          }
        }
      } else {
        op = eventOp[entry]!;
        if (eventIsReturn[entry] !== 0) {
          if (phase === Phase.Writes) {
            phase = Phase.PendingWrites;
            entry = next[HEAD]!;
            continue;
          }
          // Every candidate was tried: the op of the first return cannot be placed in time.
          blocked = op;
          frontier = entry;
        } else {
          entry = next[entry]!;
          // Completed ops first, pending ones in a second pass: see `run`.
          if ((isPending[op] !== 0) !== (phase === Phase.PendingWrites)) continue;
          const a = argA[op]!;
          switch (kind[op]) {
            case Kind.Get:
            case Kind.CasFailed:
              // Read-only: phase Reads found that it does not fit.
              break;
            case Kind.Put:
              nextState = a;
              break;
            case Kind.Append:
              nextState = state === OVERWRITTEN ? OVERWRITTEN : values.append(state, a);
              break;
            case Kind.CasSucceeded:
              if (state === a) nextState = argB[op]!;
              break;
            case Kind.CasPending:
              nextState = state === a ? argB[op]! : state;
              break;
            default:
              assert(false, () => `bad op kind ${kind[op]}`);
          }
        }
      }

      if (nextState >= 0) {
        this.setBit(op);
        this.lift(op);
        if (nextState !== OVERWRITTEN && this.overwrittenBeforeRead(nextState)) nextState = OVERWRITTEN;
        if (
          !this.dominatedWithoutAPendingOp(op, nextState) &&
          visited.addIfAbsent(
            memoHash(this.setHash, nextState),
            nextState,
            this.doneWords,
            this.low,
            this.high,
            this.pendingWords,
          )
        ) {
          if (isPending[op] !== 0) this.placedPending[this.placedPendingCount++] = op;
          stackOp[depth] = op;
          stackState[depth] = state;
          stackForced[depth] = phase === Phase.Reads ? 1 : 0;
          depth++;
          state = nextState;
          entry = next[HEAD]!;
          phase = Phase.Reads;
          resetterCount = 0;
          appendCount = 0;
          continue;
        }
        // Seen before and not on the current path (its set is larger): explored, and dead.
        this.unlift(op);
        this.clearBit(op);
        if (phase !== Phase.Reads) continue;
        // A forced move leads to a dead node, so this node is dead too.
        blocked = this.firstReturningOp();
        frontier = this.returnSlot[blocked]!;
      }
      if (blocked < 0) continue;

      // This node is dead. Undo the last choice and go on with the candidate after it; undoing a
      // forced read, its node is dead as well.
      if (frontier > this.bestFrontier || (frontier === this.bestFrontier && depth > this.bestDepth)) {
        this.snapshot(depth, blocked, frontier);
      }
      for (;;) {
        if (depth === 0) {
          status = SearchStatus.Violation;
          break;
        }
        depth--;
        if (depth < this.stackAgreesWithBestBelow) this.stackAgreesWithBestBelow = depth;
        const undone = stackOp[depth]!;
        state = stackState[depth]!;
        if (isPending[undone] !== 0) this.placedPendingCount--;
        this.unlift(undone);
        this.clearBit(undone);
        if (stackForced[depth] === 0) {
          phase = isPending[undone] !== 0 ? Phase.PendingWrites : Phase.Writes;
          entry = next[this.callSlot[undone]!]!;
          break;
        }
      }
      if (status === SearchStatus.Violation) break;
    }
    this.steps += used;
    this.entry = entry;
    this.state = state;
    this.phase = phase;
    this.resetterCount = resetterCount;
    this.appendCount = appendCount;
    this.depth = depth;
    return status;
  }

  /**
   * A get (or successful cas) returning within the next few events from `firstReturn` whose value
   * (expected value) can no longer be current, or -1. `resetterCount` counts the overwriting ops
   * among the candidates; those invoked further ahead are added as the walk passes them.
   */
  private unreachableGetAhead(
    firstReturn: number,
    state: number,
    resetterCount: number,
    appendCount: number,
  ): number {
    const { kind, argA, argB, next, eventOp, eventIsReturn, end } = this;
    let e = firstReturn;
    let readsLeft = LOOKAHEAD_READS;
    for (let left = LOOKAHEAD_EVENTS; left > 0 && e !== end && resetterCount <= MAX_RESETTERS; left--) {
      const op = eventOp[e]!;
      const k = kind[op]!;
      if (eventIsReturn[e] === 0) {
        if (k === Kind.Put) resetterCount = this.noteResetter(resetterCount, argA[op]!, -1);
        else if (k === Kind.CasSucceeded || k === Kind.CasPending) {
          resetterCount = this.noteResetter(resetterCount, argB[op]!, argA[op]!);
        } else if (k === Kind.Append) appendCount = this.noteAppend(appendCount, argA[op]!);
      } else if (k === Kind.Get || k === Kind.CasSucceeded) {
        if (!this.reachable(state, resetterCount, appendCount, argA[op]!)) return op;
        if (--readsLeft === 0) break;
      }
      e = next[e]!;
    }
    return -1;
  }

  /**
   * Whether the node about to be entered (the current set, which includes `op`, and `state`) is
   * dominated by one already seen: the same without some pending op. A pending op need never take
   * effect, so the node without it can do all this one can, and more; if it was explored, this
   * one fails too, and if it is the parent (`op` pending and the state unchanged), the parent's
   * other candidates cover everything this node could do. This is what keeps pending ops that a
   * put wipes out, or that change nothing, from doubling the search once each.
   * Only `op` and the few pending ops placed last are tried: a bound on the cost per node.
   */
  private dominatedWithoutAPendingOp(op: number, state: number): boolean {
    if (this.isPending[op] !== 0 && this.seenWithout(op, state)) return true;
    const stop = Math.max(0, this.placedPendingCount - DOMINANCE_PENDING_OPS);
    for (let i = this.placedPendingCount - 1; i >= stop; i--) {
      if (this.seenWithout(this.placedPending[i]!, state)) return true;
    }
    return false;
  }

  /** Whether (the current set without pending op `p`, state) is in the memo. */
  private seenWithout(p: number, state: number): boolean {
    const w = this.bit[p]! >>> 5;
    const m = 1 << (this.bit[p]! & 31);
    const words = this.pendingWords;
    words[w]! &= ~m;
    const hash = memoHash(this.setHash ^ this.zobrist[p]!, state);
    const seen = this.visited.has(hash, state, this.doneWords, this.low, this.high, words);
    words[w]! |= m;
    return seen;
  }

  /**
   * Whether `state` can never be observed: some completed put returns before any op is invoked
   * that could read `state` or a value grown from it by appends (a get of a value that starts with
   * it, a cas expecting such a value). Every op invoked later comes after that put, which
   * overwrites whatever the value is by then; ops invoked earlier read other values, which an
   * append to `state` cannot produce. So nodes that differ only in such a value are the same
   * node. This is what keeps appends that a put wipes out from being tried in every order.
   */
  private overwrittenBeforeRead(state: number): boolean {
    const { kind, argA, next, eventOp, eventIsReturn, end, values } = this;
    let e = next[HEAD]!;
    for (let left = OVERWRITE_LOOKAHEAD_EVENTS; left > 0 && e !== end; left--) {
      const op = eventOp[e]!;
      const k = kind[op]!;
      if (eventIsReturn[e] !== 0) {
        if (k === Kind.Put) return true;
      } else if (k !== Kind.Put && k !== Kind.Append && values.isPrefix(state, argA[op]!)) {
        // A get, or a cas whose expected value is argA: it might see this value.
        return false;
      }
      e = next[e]!;
    }
    return false;
  }

  /**
   * Records a value that an unplaced op may overwrite the key with, and for a cas the value it
   * expects (-1 for a put); returns the new count.
   */
  private noteResetter(count: number, valueId: number, expectedId: number): number {
    if (count >= MAX_RESETTERS) return MAX_RESETTERS + 1;
    for (let i = 0; i < count; i++) {
      if (this.resetterValues[i] === valueId && this.resetterExpected[i] === expectedId) return count;
    }
    this.resetterValues[count] = valueId;
    this.resetterExpected[count] = expectedId;
    return count + 1;
  }

  /** Records the value of an unplaced append; returns the new count. */
  private noteAppend(count: number, valueId: number): number {
    if (count >= MAX_APPENDS) return MAX_APPENDS + 1;
    this.appendValues[count] = valueId;
    return count + 1;
  }

  /**
   * Whether the value `wanted` can still be current at some point, given that from now on values
   * only grow by appends, except for the resets recorded: it must be the current value or one of
   * the reset values, followed by values of recorded appends, each used once. (With too many
   * appends to track, only the first part is checked.)
   */
  private reachable(state: number, resetterCount: number, appendCount: number, wanted: number): boolean {
    const values = this.values;
    const wantedString = values.strings[wanted]!;
    const bases = resetterCount + 1;
    // One budget for all bases: this runs for every look-ahead, and must stay cheap.
    this.buildStepsLeft = APPEND_BUILD_STEPS;
    for (let i = 0; i < bases; i++) {
      const base = i === 0 ? state : this.resetterValues[i - 1]!;
      if (!values.isPrefix(base, wanted)) continue;
      // A cas resets only if the value it expects can be current before it.
      if (i > 0 && this.resetterExpected[i - 1]! >= 0 && !this.canPrecede(state, resetterCount, i - 1))
        continue;
      if (appendCount > MAX_APPENDS) return true;
      this.appendUsed.fill(0, 0, appendCount);
      if (this.buildable(wantedString, values.strings[base]!.length, appendCount)) return true;
    }
    return false;
  }

  /**
   * Whether the value that recorded cas `cas` expects can be current before it takes effect: the
   * last reset before it (if any) is another recorded op, and only appends follow, so the value
   * must start with the current one or with another recorded reset value.
   */
  private canPrecede(state: number, resetterCount: number, cas: number): boolean {
    const values = this.values;
    const expected = this.resetterExpected[cas]!;
    if (values.isPrefix(state, expected)) return true;
    for (let i = 0; i < resetterCount; i++) {
      if (i !== cas && values.isPrefix(this.resetterValues[i]!, expected)) return true;
    }
    return false;
  }

  /**
   * Whether wanted[pos..] is a concatenation of recorded append values, each used at most once
   * (appendUsed marks those in use). A search that runs out of steps answers yes: the
   * check may only ever prune what is certainly dead.
   */
  private buildable(wanted: string, pos: number, appendCount: number): boolean {
    if (pos === wanted.length) return true;
    const strings = this.values.strings;
    const used = this.appendUsed;
    for (let i = 0; i < appendCount; i++) {
      if (used[i] !== 0) continue;
      if (--this.buildStepsLeft < 0) return true;
      const piece = strings[this.appendValues[i]!]!;
      // An empty append changes nothing; it cannot help build anything.
      if (piece.length === 0 || !wanted.startsWith(piece, pos)) continue;
      used[i] = 1;
      const built = this.buildable(wanted, pos + piece.length, appendCount);
      used[i] = 0;
      if (built) return true;
    }
    return false;
  }

  /** The op of the first return event still in the list (there is one: the node has a completed op left). */
  private firstReturningOp(): number {
    let e = this.next[HEAD]!;
    while (e !== this.end && this.eventIsReturn[e] === 0) e = this.next[e]!;
    assert(e !== this.end, 'a dead node has a return left');
    return this.eventOp[e]!;
  }

  private setBit(op: number): void {
    const b = this.bit[op]!;
    const m = 1 << (b & 31);
    const w = b >>> 5;
    this.setHash ^= this.zobrist[op]!;
    if (this.isPending[op]) {
      this.pendingWords[w]! |= m;
      return;
    }
    const words = this.doneWords;
    words[w]! |= m;
    if (w >= this.high) this.high = w + 1;
    while (words[this.low] === -1) this.low++;
  }

  private clearBit(op: number): void {
    const b = this.bit[op]!;
    const m = 1 << (b & 31);
    const w = b >>> 5;
    this.setHash ^= this.zobrist[op]!;
    if (this.isPending[op]) {
      this.pendingWords[w]! &= ~m;
      return;
    }
    const words = this.doneWords;
    words[w]! &= ~m;
    if (w < this.low) this.low = w;
    while (this.high > 0 && words[this.high - 1] === 0) this.high--;
  }

  /** Takes op's events out of the list: it is linearized. */
  private lift(op: number): void {
    const { next, prev } = this;
    const c = this.callSlot[op]!;
    next[prev[c]!] = next[c]!;
    prev[next[c]!] = prev[c]!;
    const r = this.returnSlot[op]!;
    if (r < 0) return;
    next[prev[r]!] = next[r]!;
    prev[next[r]!] = prev[r]!;
  }

  /** Puts op's events back, in the reverse order of `lift`, so that the links come back exactly. */
  private unlift(op: number): void {
    const { next, prev } = this;
    const r = this.returnSlot[op]!;
    if (r >= 0) {
      next[prev[r]!] = r;
      prev[next[r]!] = r;
    }
    const c = this.callSlot[op]!;
    next[prev[c]!] = c;
    prev[next[c]!] = c;
  }

  private snapshot(depth: number, blockedOp: number, frontier: number): void {
    for (let i = this.stackAgreesWithBestBelow; i < depth; i++) this.bestOps[i] = this.stackOp[i]!;
    this.stackAgreesWithBestBelow = depth;
    this.bestFrontier = frontier;
    this.bestDepth = depth;
    this.bestBlockedOp = blockedOp;
  }

  witness(): LinWitness {
    assert(this.bestBlockedOp >= 0, 'a failed search has met a return it could not place');
    const prefix: HistoryOp[] = [];
    for (let i = 0; i < this.bestDepth; i++) prefix.push(this.ops[this.bestOps[i]!]!);
    const op = this.ops[this.bestBlockedOp]!;
    // Replayed rather than remembered: the search may have tracked it as OVERWRITTEN.
    let valueAfterPrefix = '';
    for (const o of prefix) valueAfterPrefix = applyToValue(valueAfterPrefix, o);
    const message =
      `key ${JSON.stringify(this.key)}: ${describeHistoryOp(op)} cannot be linearized: ` +
      `the longest linearizable prefix found for the key has ${prefix.length} op(s) ` +
      `and leaves the value ${quoteShort(valueAfterPrefix)}`;
    return { key: this.key, prefix, op, valueAfterPrefix, message };
  }
}

/** The key's value after `o` takes effect on `value` (o fits: the search placed it there). */
function applyToValue(value: string, o: HistoryOp): string {
  switch (o.op.type) {
    case 'get':
      return value;
    case 'put':
      return o.op.value;
    case 'append':
      return value + o.op.value;
    case 'cas':
      return value === o.op.expected ? o.op.value : value;
    default:
      return unreachableOp(o.op);
  }
}

function unreachableOp(op: never): never {
  throw new AssertionError(`unknown op ${JSON.stringify(op)}`);
}

/** A value for a one-line message: long ones keep their ends. */
function quoteShort(s: string): string {
  if (s.length <= 60) return JSON.stringify(s);
  return `${JSON.stringify(s.slice(0, 24))}...${JSON.stringify(s.slice(-24))} (${s.length} chars)`;
}
