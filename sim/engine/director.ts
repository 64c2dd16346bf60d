import type { RaftProcess } from '../../src/raft/process.ts';
import type { Entry, NodeId } from '../../src/raft/types.ts';
import type { Fault, ScheduledOp } from '../model/schedule.ts';

/**
 * What a director sees of a run and may do to it (sim/scenario/ drives runs through it). The view
 * is the simulator's ground truth, read between steps; what it does becomes steps of the run,
 * recorded in the trace like any scheduled fault or client op.
 */
export interface DirectorControl {
  readonly nowMs: number;
  /** Every server, spares included (ids 1..servers). */
  readonly servers: number;
  /** The node's live incarnation; null while it is crashed. */
  process(id: NodeId): RaftProcess | null;
  paused(id: NodeId): boolean;
  /** Index of the last entry the node applied (its durable state machine's, so also while crashed). */
  lastApplied(id: NodeId): number;
  /** The entry at `index` of the node's durable log (also while crashed); undefined where a snapshot replaced it. */
  durableEntry(id: NodeId, index: number): Entry | undefined;
  /** The index the node's durable snapshot covers (0: none). */
  snapshotIndex(id: NodeId): number;
  /** The index of the last entry of the node's durable log (its snapshot's when the log past it is empty). */
  durableLastIndex(id: NodeId): number;
  /** How many snapshots the node has installed from a leader (InstallSnapshot), over all its incarnations. */
  snapshotsInstalled(id: NodeId): number;
  /** Whether the workload client has no operation under way and none waiting to start. */
  clientIdle(client: number): boolean;
  /** Messages handed to the network so far (dropped ones included), every kind. */
  readonly messagesSent: number;
  /** Messages per type (`AppendEntries`, `RequestVoteReply`, ...) handed to the network so far; live, read-only. */
  messagesSentByType(): ReadonlyMap<string, number>;
  /** Applies a fault now, as one step. For a `propose`, returns the index it landed at (0: refused). */
  apply(fault: Fault): number;
  /** Adds a client op, due now (or once the client's earlier ops are done). */
  addOp(op: ScheduledOp): void;
}

/**
 * Drives a run as it goes: consulted before the events of its wake time, and after every step
 * while it watches. It must move time on: after a consult its wake time is later than now (or it
 * is done), so that a run with a director still ends.
 */
export interface Director {
  /** The next virtual instant to be consulted at, before that instant's events; Infinity for none. */
  readonly wakeMs: number;
  /** Consulted after every step too (a condition is being waited for). */
  readonly watching: boolean;
  /** True once the director is through: the run ends at once. */
  readonly done: boolean;
  /** Called at the wake time (`atWake`) or after a step; may act through `control`. */
  consult(control: DirectorControl, atWake: boolean): void;
}
