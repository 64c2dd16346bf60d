import type { KvOp, KvResult, Message, NodeId } from '../../src/raft/types.ts';
import type { Fault } from '../model/faults.ts';

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

/** The admin client asks again (if `gen` is still its current poll generation). */
export interface AdminPollEvent {
  readonly kind: 'admin-poll';
  readonly gen: number;
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
  | ProbeDeadlineEvent
  | AdminPollEvent;

export type SimEventKind = SimEvent['kind'];
