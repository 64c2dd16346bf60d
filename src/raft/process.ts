import type {
  ChangeResult,
  Entry,
  MembershipChange,
  Message,
  NodeId,
  ProposeResult,
  ReadResult,
  Ready,
  Role,
} from './types.ts';

/**
 * The one small interface the simulator drives. The reference node implements it; another
 * Raft implementation can be adapted to it and tested by the same harness.
 *
 * Time is an input: every call carries the node's local clock reading in integer
 * milliseconds, so the node never reads a clock and drift can be simulated.
 */
export interface RaftProcess {
  readonly id: NodeId;

  /** Timers due at `nowMs` fire (election timeout, heartbeat). Cheap when nothing is due. */
  tick(nowMs: number): void;
  /** Deliver one message. */
  step(nowMs: number, message: Message): void;
  /** Offer a command; only a leader accepts. */
  propose(nowMs: number, command: Entry['command']): ProposeResult;
  /** Drain everything the node wants done since the last call (see `Ready`). */
  ready(): Ready;
  /** Local time at which `tick` must next be called; Infinity when nothing is scheduled. */
  nextWakeMs(): number;
  /**
   * Optional: start an election now, as if the election timeout had fired (a leader ignores it).
   * Scripted scenarios use it to say who campaigns when, instead of searching for a seed whose
   * timeouts happen to tell the story. Implementations without it cannot replay such scenarios.
   */
  campaign?(nowMs: number): void;
  /**
   * Optional: a linearizable read without a log entry (config.raft.readMode 'read-index', 'lease'
   * or 'unsafe-local'). Only a leader accepts. An accepted read comes out later in
   * `Ready.readsReady` with the index the caller must have applied before answering it — or
   * never, if the node stops leading first (the client then times out and retries).
   * `requestId` is the caller's, echoed back; the node never interprets it.
   */
  read?(nowMs: number, requestId: number): ReadResult;
  /**
   * Optional: membership change (paper §6, thesis §4). Only a leader acts; see ChangeResult for
   * the answers. Configurations travel as log entries (Command kind 'config'); a server uses the
   * latest in its log, and one that is not a voter of it never campaigns. Implementations without
   * it cannot run schedules with membership operations.
   */
  changeMembership?(nowMs: number, change: MembershipChange): ChangeResult;
  /**
   * Optional: leadership transfer (thesis §3.10): stop taking proposals, bring `to` up to date,
   * send it TimeoutNow; give up after an election timeout.
   */
  transferLeadership?(nowMs: number, to: NodeId): ChangeResult;

  /**
   * Optional: log compaction (paper §7). The caller's state machine is at `index` (its lastApplied)
   * and `data` is its state there; the node keeps it as its snapshot and discards the log through
   * `index`. Returns false when it does not compact (nothing to discard, or `index` not applied).
   */
  compact?(nowMs: number, index: number, data: string): boolean;

  // Read-only views for the harness's checkers. Must be O(1).
  readonly role: Role;
  readonly currentTerm: number;
  readonly votedFor: NodeId;
  readonly leaderId: NodeId;
  readonly commitIndex: number;
  readonly lastApplied: number;
  readonly lastIndex: number;
  /**
   * Optional: the index the log was compacted through (paper §7); absent means 0. Entries at and
   * below it are gone (`entryAt` is undefined there); `termAt(snapshotIndex)` is the snapshot's term.
   */
  readonly snapshotIndex?: number;
  /** Term of the entry at `index`; 0 for index 0; undefined past the end and below the snapshot. */
  termAt(index: number): number | undefined;
  entryAt(index: number): Entry | undefined;
}
