import { AssertionError } from '../../src/assert.ts';
import type { RaftProcess } from '../../src/raft/process.ts';
import type { KvOp, KvResult, NodeId, ReadReady, ReadResult, Role } from '../../src/raft/types.ts';
import type { SimEvent } from './events.ts';
import type { StateMachine, StateMachines } from './storage.ts';
import { NodeStorage } from './storage.ts';

// ---------------------------------------------------------------------------------------------

/** Where a node's answers to clients go (the client pool): all a host needs of it. */
export interface ReplySink {
  reply(
    client: number,
    seq: number,
    attempt: number,
    node: NodeId,
    result: KvResult | null,
    leaderHint: NodeId,
    nowMs: number,
  ): void;
}

/** A client request a node accepted and must answer when it applies the command. */
export interface PendingRequest {
  readonly client: number;
  readonly seq: number;
  readonly attempt: number;
}

/**
 * A get a node accepted through `RaftProcess.read`. `index` is -1 until the node clears the read;
 * then the get is answered from the state machine once the node has applied `index`.
 */
export interface PendingRead {
  readonly client: number;
  readonly seq: number;
  readonly attempt: number;
  readonly key: string;
  index: number;
}

/** A state machine that can answer a get without a log entry (KvStore can). */
interface Readable {
  get(key: string): string | null;
}

function isReadable(sm: StateMachine): sm is StateMachine & Readable {
  return typeof (sm as Partial<Readable>).get === 'function';
}

/** (clientId, seq) as one number: client ids stay far below 2^20 and seqs below 2^32. */
export function requestKey(clientId: number, seq: number): number {
  return clientId * 0x1_0000_0000 + seq;
}

/**
 * Everything the simulator keeps about one node: its current incarnation (null while crashed),
 * its disk, its clock, its timer and pause state, and the client requests it has to answer.
 */
export class Host<SM extends StateMachine = StateMachine> {
  readonly id: NodeId;
  process: RaftProcess | null = null;
  readonly storage: NodeStorage<SM>;
  /** Incarnations so far: 1 for the first start, +1 per restart. */
  incarnation = 0;

  /** Global time of the pending valid timer event; Infinity when none. */
  timerAtMs = Number.POSITIVE_INFINITY;
  /** Bumped whenever pending timer events must be ignored (a crash, an earlier wake). */
  timerGen = 0;

  paused = false;
  pausedUntilMs = 0;
  pauseGen = 0;
  /** Events that reached the node while it was paused, in arrival order. */
  readonly held: SimEvent[] = [];

  /** Requests accepted by this incarnation, by requestKey. Lost on crash. */
  readonly pending = new Map<number, PendingRequest>();
  /** Gets accepted through `read()` by this incarnation, by request id. Lost on crash. */
  readonly reads = new Map<number, PendingRead>();
  /** Cleared reads whose index is not applied yet, in the order they were cleared. */
  readonly readsWaiting: PendingRead[] = [];
  /** Request ids handed to `read()`; never reused, across incarnations too. */
  private nextReadId = 1;

  /** The node's clock-rate error in parts per million; local time = global + global·ppm/10^6. */
  readonly driftPpm: number;

  /** The crashed incarnation's last state, reported as the "before" of its restart. */
  lastRole: Role = 'follower';
  lastTerm = 0;
  lastCommitIndex = 0;
  lastLastIndex = 0;
  lastLastApplied = 0;

  constructor(id: NodeId, machines: StateMachines<SM>, driftPpm: number) {
    this.id = id;
    this.storage = new NodeStorage(machines);
    this.driftPpm = driftPpm;
  }

  get crashed(): boolean {
    return this.process === null;
  }

  /** The node's local clock reading at global time `globalMs`. */
  localMs(globalMs: number): number {
    if (this.driftPpm === 0) return globalMs;
    return globalMs + Math.floor((globalMs * this.driftPpm) / 1_000_000);
  }

  /** The earliest global time at which the local clock reads at least `localMs`. */
  globalMs(localMs: number): number {
    if (this.driftPpm === 0) return localMs;
    let g = Math.floor((localMs * 1_000_000) / (1_000_000 + this.driftPpm));
    while (this.localMs(g) < localMs) g++;
    while (g > 0 && this.localMs(g - 1) >= localMs) g--;
    return g;
  }

  /** Remembers the incarnation's last visible state and drops everything volatile. */
  crash(): void {
    const p = this.process;
    if (p === null) return;
    this.lastRole = p.role;
    this.lastTerm = p.currentTerm;
    this.lastCommitIndex = p.commitIndex;
    this.lastLastIndex = p.lastIndex;
    this.lastLastApplied = p.lastApplied;
    this.process = null;
    this.timerGen++;
    this.timerAtMs = Number.POSITIVE_INFINITY;
    this.paused = false;
    this.pauseGen++;
    this.held.length = 0;
    this.pending.clear();
    this.reads.clear();
    this.readsWaiting.length = 0;
  }

  /**
   * A get reaches a node whose read mode is not 'log': offer it to the node's read path. Returns
   * null when the get must go through the log instead (log mode, or no read path), else the node's
   * answer; an accepted read is remembered until the node clears it.
   */
  offerRead(
    p: RaftProcess,
    localMs: number,
    client: number,
    seq: number,
    attempt: number,
    op: KvOp,
  ): ReadResult | null {
    if (op.type !== 'get' || p.read === undefined) return null;
    const requestId = this.nextReadId++;
    const res = p.read(localMs, requestId);
    if (res.ok) this.reads.set(requestId, { client, seq, attempt, key: op.key, index: -1 });
    return res;
  }

  /**
   * After a step (and after its entries were applied): note the reads the node cleared, answer
   * every cleared read whose index is applied, and forget reads a node that no longer leads can
   * never clear (their clients time out and retry elsewhere). Returns how many reads were answered.
   */
  serveReads(
    p: RaftProcess,
    readsReady: readonly ReadReady[] | undefined,
    clients: ReplySink,
    nowMs: number,
  ): number {
    if (readsReady !== undefined) {
      for (let k = 0; k < readsReady.length; k++) {
        const r = readsReady[k]!;
        const pending = this.reads.get(r.requestId);
        if (pending === undefined)
          throw new AssertionError(`S${this.id} cleared unknown read ${r.requestId}`);
        this.reads.delete(r.requestId);
        pending.index = r.index;
        this.readsWaiting.push(pending);
      }
    }
    if (this.reads.size > 0 && p.role !== 'leader') this.reads.clear();
    const waiting = this.readsWaiting;
    if (waiting.length === 0) return 0;
    const sm = this.storage.stateMachine;
    if (!isReadable(sm)) throw new AssertionError(`S${this.id}'s state machine cannot answer reads`);
    const applied = this.storage.lastApplied;
    let kept = 0;
    let answered = 0;
    for (let k = 0; k < waiting.length; k++) {
      const r = waiting[k]!;
      if (r.index > applied) {
        waiting[kept++] = r;
        continue;
      }
      clients.reply(r.client, r.seq, r.attempt, this.id, { type: 'get', value: sm.get(r.key) }, 0, nowMs);
      answered++;
    }
    waiting.length = kept;
    return answered;
  }
}
