import type { RaftProcess } from '../src/raft/process.ts';
import type { KvOp, KvResult, Message, NodeId, Role } from '../src/raft/types.ts';
import type { Fault } from './schedule.ts';
import type { StateMachine } from './storage.ts';
import { NodeStorage } from './storage.ts';

// ---------------------------------------------------------------------------------------------
// The simulator's events. One event is one step. Plain objects with a `kind` tag; the only
// allocation per step is the event itself.

/** A Raft message reaches its destination. */
export interface DeliverEvent {
  readonly kind: 'deliver';
  readonly message: Message;
}
/** A node's timer: valid only while `gen` is the node's current timer generation. */
export interface TimerEvent {
  readonly kind: 'timer';
  readonly node: NodeId;
  readonly gen: number;
}
export interface FaultEvent {
  readonly kind: 'fault';
  readonly fault: Fault;
  /** Position in the schedule's fault list, for reports. */
  readonly index: number;
}
/** A paused node runs again (if `gen` is still its pause generation). */
export interface ResumeEvent {
  readonly kind: 'resume';
  readonly node: NodeId;
  readonly gen: number;
}
/** A client's next scheduled op is due (client 0: the liveness probe starts). */
export interface ClientOpEvent {
  readonly kind: 'client-op';
  readonly client: number;
}
/** A client (re)sends its current request, after a backoff. */
export interface ClientSendEvent {
  readonly kind: 'client-send';
  readonly client: number;
  readonly attempt: number;
}
/** A client request reaches a node. */
export interface RequestEvent {
  readonly kind: 'request';
  readonly client: number;
  readonly seq: number;
  readonly attempt: number;
  readonly node: NodeId;
  readonly op: KvOp;
}
/** A node's answer reaches a client: a result, or (result null) "not the leader, try leaderHint". */
export interface ReplyEvent {
  readonly kind: 'reply';
  readonly client: number;
  readonly seq: number;
  readonly attempt: number;
  readonly node: NodeId;
  readonly result: KvResult | null;
  readonly leaderHint: NodeId;
}
export interface ClientTimeoutEvent {
  readonly kind: 'client-timeout';
  readonly client: number;
  readonly attempt: number;
}
export interface ClientDeadlineEvent {
  readonly kind: 'client-deadline';
  readonly client: number;
  readonly seq: number;
}
/** The end of the liveness bound. */
export interface ProbeDeadlineEvent {
  readonly kind: 'probe-deadline';
}

export type SimEvent =
  | DeliverEvent
  | TimerEvent
  | FaultEvent
  | ResumeEvent
  | ClientOpEvent
  | ClientSendEvent
  | RequestEvent
  | ReplyEvent
  | ClientTimeoutEvent
  | ClientDeadlineEvent
  | ProbeDeadlineEvent;

export type SimEventKind = SimEvent['kind'];

// ---------------------------------------------------------------------------------------------

/** A client request a node accepted and must answer when it applies the command. */
export interface PendingRequest {
  readonly client: number;
  readonly seq: number;
  readonly attempt: number;
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

  /** The node's clock-rate error in parts per million; local time = global + global·ppm/10^6. */
  readonly driftPpm: number;

  /** The crashed incarnation's last state, reported as the "before" of its restart. */
  lastRole: Role = 'follower';
  lastTerm = 0;
  lastCommitIndex = 0;
  lastLastIndex = 0;
  lastLastApplied = 0;

  constructor(id: NodeId, stateMachine: SM, driftPpm: number) {
    this.id = id;
    this.storage = new NodeStorage(stateMachine);
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
  }
}
