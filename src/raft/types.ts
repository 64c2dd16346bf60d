// The data that crosses the boundary of a Raft node: plain, JSON-serialisable values.
// The node never performs I/O; everything it wants done leaves through `Ready`.

/** Node ids are 1..n so that they read as the paper's S1..S5. 0 means "none". */
export type NodeId = number;
export const NONE: NodeId = 0;

export type KvOp =
  | { readonly type: 'get'; readonly key: string }
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'append'; readonly key: string; readonly value: string }
  | { readonly type: 'cas'; readonly key: string; readonly expected: string; readonly value: string };

/** What a key-value operation returned: the value read (get), or whether a cas succeeded. */
export type KvResult =
  | { readonly type: 'get'; readonly value: string | null }
  | { readonly type: 'put' }
  | { readonly type: 'append' }
  | { readonly type: 'cas'; readonly ok: boolean };

/**
 * A log command. `noop` is what a new leader appends at the start of its term.
 * A client command carries (clientId, seq) so that a retried request is applied once.
 */
export type Command =
  | { readonly kind: 'noop' }
  | { readonly kind: 'kv'; readonly clientId: number; readonly seq: number; readonly op: KvOp }
  /** A configuration (paper §6): from the moment it is in a server's log, committed or not, the server uses it. */
  | { readonly kind: 'config'; readonly membership: Membership };

/**
 * Who takes part: voters decide elections and commitment, learners only receive the log. While a
 * joint change is under way (C_old,new), `outgoing` holds C_old's voters and every decision needs
 * a majority of `voters` and a majority of `outgoing`; otherwise `outgoing` is empty.
 * Ids are kept sorted, so two equal configurations are equal field by field.
 */
export interface Membership {
  readonly voters: readonly NodeId[];
  readonly outgoing: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/**
 * What an administrator asks a leader for (thesis §4): one server added as a learner, a learner
 * promoted to voter, one server removed (single-server changes), or the voters replaced by an
 * arbitrary set through a joint configuration (paper §6).
 */
export type MembershipChange =
  | { readonly type: 'add-learner'; readonly node: NodeId }
  | { readonly type: 'promote'; readonly node: NodeId }
  | { readonly type: 'remove'; readonly node: NodeId }
  | { readonly type: 'joint'; readonly voters: readonly NodeId[] };

/**
 * A node's answer to a membership change or a leadership transfer. An administrator asks again
 * until the answer is 'done' (or 'invalid'), so asking twice is harmless:
 * - 'started': the configuration entry was appended at `index` (or the transfer begun);
 * - 'done': what the change leads to is already in effect and committed (for a transfer: this
 *   node is the target and leads);
 * - 'busy': not now (another change is uncommitted, this term has committed nothing yet, a
 *   transfer is under way, or — `catchingUp` — the learner to promote is still catching up);
 * - 'not-leader': ask `leaderHint` (NONE when unknown);
 * - 'invalid': never, against the configuration in effect (`why` says what is wrong).
 */
export type ChangeResult =
  | { readonly status: 'started'; readonly index: number; readonly term: number }
  | { readonly status: 'done' }
  | { readonly status: 'busy'; readonly catchingUp?: true }
  | { readonly status: 'not-leader'; readonly leaderHint: NodeId }
  | { readonly status: 'invalid'; readonly why: string };

/**
 * Paper §7: the state machine's state through `index`, with what Raft must remember of the log
 * prefix it replaces: the last included entry's term (for the consistency check at the boundary and
 * for elections) and the configuration in force there.
 */
export interface Snapshot {
  readonly index: number;
  readonly term: number;
  readonly membership: Membership;
  /** The application's state (key-value data and client table), opaque to Raft. */
  readonly data: string;
}

/** The snapshot of nothing: index 0, term 0, the bootstrap configuration. */
export function emptySnapshot(membership: Membership): Snapshot {
  return { index: 0, term: 0, membership, data: '' };
}

/** A log entry. Its index is its position: log index i is array slot i - 1. */
export interface Entry {
  readonly term: number;
  readonly command: Command;
}

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export interface RequestVote extends MessageBase {
  readonly type: 'RequestVote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** PreVote round (Raft thesis §9.6): asks "could I win?" without anyone changing term. */
  readonly preVote: boolean;
  /**
   * Sent because the leader handed over (TimeoutNow, thesis §3.10): voters that still hear from
   * that leader must not ignore it. Absent otherwise.
   */
  readonly transfer?: true;
  /**
   * PreVote: the candidate's round number, echoed in the reply. A new round asks about the same term
   * as the last, so only the round tells a fresh grant from a stale one. Absent otherwise.
   */
  readonly round?: number;
}

export interface RequestVoteReply extends MessageBase {
  readonly type: 'RequestVoteReply';
  readonly voteGranted: boolean;
  readonly preVote: boolean;
  /** The request's pre-vote round, echoed (absent when the request had none). */
  readonly round?: number;
}

export interface AppendEntries extends MessageBase {
  readonly type: 'AppendEntries';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly leaderCommit: number;
  /** Leader's heartbeat round number, echoed in the reply (ReadIndex / lease bookkeeping). */
  readonly round: number;
}

export interface AppendEntriesReply extends MessageBase {
  readonly type: 'AppendEntriesReply';
  readonly success: boolean;
  /** On success: prevLogIndex + entries.length of the request this answers. */
  readonly matchIndex: number;
  /** On failure: the term of the follower's conflicting entry (0 if its log is too short). */
  readonly conflictTerm: number;
  /** On failure: first index the leader should try next (fast backtracking hint). */
  readonly conflictIndex: number;
  /** The heartbeat round of the request this answers, echoed. */
  readonly round: number;
  /**
   * The term of the request this answers. `term` is the replier's current term, which can be
   * later than the request's: a reply to an older term's request only tells its sender about a
   * newer term. Its echoed fields (round, matchIndex, conflict hints) belong to another leader's
   * messages, so a leader uses them only when requestTerm is its own term.
   */
  readonly requestTerm: number;
}

/**
 * Paper §7 (Figure 13), chunked: part of the leader's snapshot for a follower that needs entries
 * the leader has compacted away. Chunks are sent in order; `offset` is where `data` starts in the
 * snapshot's data, `size` the data's whole length, `done` marks the last chunk.
 */
export interface InstallSnapshot extends MessageBase {
  readonly type: 'InstallSnapshot';
  readonly lastIncludedIndex: number;
  readonly lastIncludedTerm: number;
  /** The configuration in force at lastIncludedIndex. */
  readonly membership: Membership;
  readonly offset: number;
  readonly data: string;
  readonly size: number;
  readonly done: boolean;
  /** Leader's heartbeat round number, echoed in the reply (as AppendEntries). */
  readonly round: number;
}

/**
 * A follower's answer to InstallSnapshot: how much of the snapshot at lastIncludedIndex it holds
 * (`offset`, the next byte it wants), or `installed`: it now holds state through lastIncludedIndex
 * (installed from this snapshot, or already had it).
 */
export interface InstallSnapshotReply extends MessageBase {
  readonly type: 'InstallSnapshotReply';
  readonly lastIncludedIndex: number;
  readonly offset: number;
  readonly installed: boolean;
  readonly round: number;
  /** As AppendEntriesReply.requestTerm: the term of the request this answers. */
  readonly requestTerm: number;
}

/** Leadership transfer (thesis §3.10): the leader tells an up-to-date voter to campaign now. */
export interface TimeoutNow extends MessageBase {
  readonly type: 'TimeoutNow';
}

export type Message =
  | RequestVote
  | RequestVoteReply
  | AppendEntries
  | AppendEntriesReply
  | InstallSnapshot
  | InstallSnapshotReply
  | TimeoutNow;
export type MessageType = Message['type'];

export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader';

/** What must survive a crash besides the log. */
export interface HardState {
  readonly currentTerm: number;
  readonly votedFor: NodeId;
}

/** "Make log[fromIndex..] equal to `entries`": truncate everything at and after fromIndex, then append. */
export interface LogWrite {
  readonly fromIndex: number;
  readonly entries: readonly Entry[];
}

/**
 * Everything a node wants done since the last `ready()`. Contract (Figure 2, "Rules for
 * all servers"): `hardState` and `logWrite` must be durable before any of `messages` is
 * sent, because a vote or an acknowledgement is a promise about durable state.
 * `toApply` are committed entries, in index order, starting at `firstApplyIndex`;
 * the caller applies them exactly once.
 */
export interface Ready {
  readonly hardState: HardState | null;
  readonly logWrite: LogWrite | null;
  readonly messages: readonly Message[];
  readonly firstApplyIndex: number;
  readonly toApply: readonly Entry[];
  /**
   * Reads (see `RaftProcess.read`) the node has cleared, in the order it cleared them. The caller
   * answers each from its state machine once it has applied at least `index`. Optional so that
   * implementations without a read path need not mention it; the reference node always sets it
   * (a shared empty frozen array when there is nothing).
   */
  readonly readsReady?: readonly ReadReady[];
  /**
   * Paper §7: a snapshot to make durable, together with `logWrite` and before any message leaves.
   * The log prefix through its index is gone. `installed`: it came from the leader, and the caller
   * must reset its state machine from `data` (lastApplied becomes its index); otherwise the node
   * compacted on the caller's request (see `RaftProcess.compact`). Optional, as `readsReady`.
   */
  readonly snapshot?: { readonly snapshot: Snapshot; readonly installed: boolean } | null;
}

/** A read the node has cleared: answer it from the state machine once lastApplied >= `index`. */
export interface ReadReady {
  readonly requestId: number;
  readonly index: number;
}

/** The result of offering a read to a node: accepted (it will come out in `Ready.readsReady`, or never). */
export type ReadResult = { readonly ok: true } | { readonly ok: false; readonly leaderHint: NodeId };

export type ReadMode = 'log' | 'read-index' | 'lease' | 'unsafe-local';

export interface RaftConfig {
  readonly electionTimeoutMsMin: number;
  readonly electionTimeoutMsMax: number;
  readonly heartbeatMs: number;
  /** Bound on entries carried by one AppendEntries. */
  readonly maxEntriesPerAppend: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly readMode: ReadMode;
  /**
   * Lease reads: the bound, in parts per million, on how much faster any node's clock may run
   * than the leader's (rate difference, not offset). The leader shortens its lease by this much.
   * Optional so that saved configs from before lease reads stay valid; absent means
   * DEFAULT_LEASE_DRIFT_PPM.
   */
  readonly leaseDriftPpm?: number;
  /** Log compaction: the most snapshot data one InstallSnapshot carries. Absent means DEFAULT_SNAPSHOT_CHUNK_BYTES. */
  readonly snapshotChunkBytes?: number;
}

/** What `snapshotChunkBytes` is when a config does not say. */
export const DEFAULT_SNAPSHOT_CHUNK_BYTES = 1024;

/** 1%: what `leaseDriftPpm` is when a config does not say. */
export const DEFAULT_LEASE_DRIFT_PPM = 10_000;

export const DEFAULT_RAFT_CONFIG: RaftConfig = {
  electionTimeoutMsMin: 150,
  electionTimeoutMsMax: 300,
  heartbeatMs: 50,
  maxEntriesPerAppend: 64,
  preVote: false,
  checkQuorum: false,
  readMode: 'log',
};

/** The result of offering a command to a node. */
export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly leaderHint: NodeId };

/**
 * Durable state a node is (re)started from: hard state, the latest snapshot (paper §7) and the log
 * after it. The state machine is not durable: the caller rebuilds it from the snapshot, and the
 * node hands out the log's committed entries again from the snapshot's index on.
 */
export interface DurableState {
  readonly hardState: HardState;
  /** Absent or null: none (the log starts at index 1). */
  readonly snapshot?: Snapshot | null;
  /** The entries after the snapshot: log[k] is the entry at index snapshot.index + 1 + k. */
  readonly log: readonly Entry[];
  /**
   * Index the state machine the caller rebuilt is at: the snapshot's index (0 without one), or
   * further when the caller's state machine survives crashes (everything up to it was committed).
   */
  readonly lastApplied: number;
}

/** A source of uniform numbers in [0, 1), supplied by the caller (the node has none of its own). */
export type Random = () => number;
