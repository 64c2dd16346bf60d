import { assert } from '../assert.ts';
import type { ReadReady } from './types.ts';

/** Bound on reads a leader holds while it confirms its leadership; past it, read() refuses. */
export const MAX_PENDING_READS = 4096;
/** Send times of this many recent heartbeat rounds are kept for lease bookkeeping. */
const ROUND_RING = 64;
const EMPTY_READS: readonly ReadReady[] = Object.freeze([]);

/**
 * The leader's side of reads without a log entry (thesis §6.4), after etcd's read_only.go:
 * heartbeat rounds and when each was sent, the highest round a quorum acknowledged, the lease
 * that confirmation renews, and the reads waiting for their round. The node decides what counts
 * as an acknowledgement (a reply to one of its own requests of this term) and when the term's
 * no-op has committed; this keeps the bookkeeping.
 */
export class ReadOnly {
  /**
   * Heartbeat round of this incarnation, echoed by followers. Volatile: it starts again at 0
   * after a restart, which is why a round is only ever compared within one leadership.
   */
  round = 0;
  /** Highest round a quorum acknowledged in this term: leadership confirmed as of its send time. */
  confirmedRound = 0;
  /** Local send time of round r at slot r % ROUND_RING. */
  private readonly roundSentMs = new Float64Array(ROUND_RING);
  /** Local send time of the latest round a quorum acknowledged in this term. */
  private leaseStartMs = Number.NEGATIVE_INFINITY;
  /** Lease length in local ms; see `leaseValid`. */
  private readonly leaseMs: number;
  /**
   * Reads waiting for their round to be confirmed (and for the term's no-op to commit), in the
   * order they arrived; rounds along the queue never decrease. Parallel arrays, consumed from
   * `head`, so that a read allocates nothing beyond its output record.
   */
  private readonly pendingId: number[] = [];
  private readonly pendingIndex: number[] = [];
  private readonly pendingRound: number[] = [];
  private head = 0;
  private out: ReadReady[] = [];

  constructor(leaseMs: number) {
    assert(Number.isSafeInteger(leaseMs) && leaseMs >= 0, () => `lease of ${leaseMs} ms`);
    this.leaseMs = leaseMs;
  }

  /** A new heartbeat round goes out at local time `nowMs`. */
  nextRound(nowMs: number): number {
    this.round++;
    this.roundSentMs[this.round % ROUND_RING] = nowMs;
    return this.round;
  }

  /** On becoming leader: nothing of an earlier term is confirmed, no lease, no reads waiting. */
  resetForTerm(): void {
    this.confirmedRound = 0;
    this.leaseStartMs = Number.NEGATIVE_INFINITY;
    this.clearPending();
  }

  get pendingCount(): number {
    return this.pendingId.length - this.head;
  }

  /** A read noted at commit index `index`, released once `round` is confirmed. */
  enqueue(requestId: number, index: number, round: number): void {
    assert(this.pendingCount < MAX_PENDING_READS, 'pending reads past their bound');
    assert(
      round <= this.round,
      () => `a read waits for round ${round}, beyond the last sent (${this.round})`,
    );
    this.pendingId.push(requestId);
    this.pendingIndex.push(index);
    this.pendingRound.push(round);
  }

  /** A read answered at once, at `index`. */
  serveNow(requestId: number, index: number): void {
    this.out.push({ requestId, index });
  }

  /** A quorum acknowledged `round`: leadership is confirmed as of its send time, which renews the lease. */
  confirm(round: number): void {
    assert(round > this.confirmedRound, () => `round ${round} confirmed again after ${this.confirmedRound}`);
    this.confirmedRound = round;
    // Older rounds' send times are gone from the ring; such a confirmation renews no lease.
    if (this.round - round < ROUND_RING) {
      const sentMs = this.roundSentMs[round % ROUND_RING]!;
      if (sentMs > this.leaseStartMs) this.leaseStartMs = sentMs;
    }
  }

  /** Valid while nowMs < leaseStartMs + leaseMs, with leaseMs = electionTimeoutMsMin × (1 − drift bound). */
  leaseValid(nowMs: number): boolean {
    return nowMs < this.leaseStartMs + this.leaseMs;
  }

  /**
   * Moves confirmed reads to the output, oldest first. A read noted below the term's no-op
   * (`noopIndex`) is answered at `commitIndex` instead when `raiseToCommit`: a later index is as
   * linearizable, and what waiting for the no-op requires.
   */
  release(noopIndex: number, commitIndex: number, raiseToCommit: boolean): void {
    let head = this.head;
    const ids = this.pendingId;
    while (head < ids.length && this.pendingRound[head]! <= this.confirmedRound) {
      let index = this.pendingIndex[head]!;
      if (index < noopIndex && raiseToCommit) index = commitIndex;
      this.out.push({ requestId: ids[head]!, index });
      head++;
    }
    if (head === ids.length) {
      this.clearPending();
    } else if (head >= 1024 && head * 2 >= ids.length) {
      // Drop the consumed prefix now and then, so the queue stays as long as what is pending.
      ids.splice(0, head);
      this.pendingIndex.splice(0, head);
      this.pendingRound.splice(0, head);
      this.head = 0;
    } else {
      this.head = head;
    }
  }

  /** On losing leadership: unconfirmed reads are dropped; their clients time out and retry elsewhere. */
  clearPending(): void {
    this.pendingId.length = 0;
    this.pendingIndex.length = 0;
    this.pendingRound.length = 0;
    this.head = 0;
  }

  hasReady(): boolean {
    return this.out.length !== 0;
  }

  /** The reads released since the last call, for `ready()`. */
  takeReady(): readonly ReadReady[] {
    if (this.out.length === 0) return EMPTY_READS;
    const out = this.out;
    this.out = [];
    return out;
  }
}
