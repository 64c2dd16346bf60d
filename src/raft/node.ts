import { assert, unreachable } from '../assert.ts';
import {
  applyChange,
  bootstrapMembership,
  changeDone,
  describeMembership,
  isJoint,
  isVoterIn,
  leaveJoint,
  unsafeSuccessor,
} from './membership.ts';
import { correctPolicy, type Policy } from './policy.ts';
import type { RaftProcess } from './process.ts';
import { committedIndex, resultOfCounts, VOTE_NO, VOTE_YES, type VoteResult } from './quorum.ts';
import { MAX_PENDING_READS, ReadOnly } from './read-only.ts';
import { ProgressTracker } from './tracker.ts';
import {
  type AppendEntries,
  type AppendEntriesReply,
  type ChangeResult,
  type Command,
  DEFAULT_LEASE_DRIFT_PPM,
  DEFAULT_SNAPSHOT_CHUNK_BYTES,
  type DurableState,
  type Entry,
  type HardState,
  type InstallSnapshot,
  type InstallSnapshotReply,
  type LogWrite,
  type Membership,
  type MembershipChange,
  type Message,
  NONE,
  type NodeId,
  type ProposeResult,
  type RaftConfig,
  type Random,
  type ReadReady,
  type ReadResult,
  type Ready,
  type RequestVote,
  type RequestVoteReply,
  type Role,
  type Snapshot,
} from './types.ts';

export interface RaftNodeOptions {
  readonly id: NodeId;
  /**
   * The voters of the configuration in force before any configuration entry (the bootstrap
   * configuration). A spare server that is not among them starts as a non-member: it never
   * campaigns until a configuration in its log makes it a voter.
   */
  readonly peers: readonly NodeId[];
  readonly config: RaftConfig;
  /** The node's only source of randomness (election timeout jitter). */
  readonly rng: Random;
  /** Decision points; `correctPolicy` unless a bug is switched on. */
  readonly policy?: Policy;
  /** What survived the last crash (or the initial empty state). */
  readonly durable: DurableState;
  /** Local clock at start, integer milliseconds. */
  readonly nowMs: number;
}

const NEVER = Number.POSITIVE_INFINITY;
/** `logDirtyFrom` when nothing in the log changed since the last `ready()`. */
const LOG_CLEAN = Number.POSITIVE_INFINITY;
const EMPTY_ENTRIES: readonly Entry[] = Object.freeze([]);
const EMPTY_MESSAGES: readonly Message[] = Object.freeze([]);
const NOOP: Command = Object.freeze({ kind: 'noop' });
const EMPTY_READS: readonly ReadReady[] = Object.freeze([]);

export { MAX_PENDING_READS } from './read-only.ts';

/** What `ready()` returns when nothing happened: shared, so an idle node allocates nothing. */
export const EMPTY_READY: Ready = Object.freeze({
  hardState: null,
  logWrite: null,
  messages: EMPTY_MESSAGES,
  firstApplyIndex: 0,
  toApply: EMPTY_ENTRIES,
  readsReady: EMPTY_READS,
});

/** A snapshot a follower is receiving in chunks (Figure 13: offset, done). */
interface IncomingSnapshot {
  readonly index: number;
  readonly term: number;
  readonly size: number;
  readonly parts: string[];
  received: number;
}

/** Messages a node handles by role, after the term comparison (RequestVote is answered by every role). */
type RoleMessage = Exclude<Message, RequestVote>;

/**
 * True when every safety-relevant decision is the correct one. Only then may the node assert
 * the protocol's own invariants (commitIndex <= lastIndex, one vote per term, ...): under a bug
 * those break by design, and the harness's property checkers, not an assertion, must report it.
 * The election timeout is exempt: it decides liveness only.
 */
function isSafePolicy(policy: Policy): boolean {
  if (policy === correctPolicy) return true;
  for (const key of Object.keys(correctPolicy) as (keyof Policy)[]) {
    if (key === 'electionTimeoutMs') continue;
    // Read and pre-vote decisions touch neither the log nor votes: the node's invariants still hold.
    if (key === 'readWaitsForTermCommit' || key === 'leaseNeedsCheckQuorum' || key === 'preVoteHonoursLeader')
      continue;
    if (policy[key] !== correctPolicy[key]) return false;
  }
  return true;
}

/**
 * The reference Raft node: Figure 2 of the Raft paper as a pure state machine, shaped like etcd's
 * raft. One `step` entry does the term comparison, then hands the message to the handler of the
 * current role; roles change only in the `becomeX` methods. Every output — state to persist,
 * messages, entries to apply — leaves through `ready()`.
 */
export class RaftNode implements RaftProcess {
  readonly id: NodeId;
  /** The configuration and what this node knows of each peer (replication, activity, votes, rounds). */
  private readonly tracker: ProgressTracker;
  /** Members other than this node, ascending: the order messages are sent in (the tracker's, kept in step). */
  private others: readonly NodeId[];
  private readonly config: RaftConfig;
  private readonly rng: Random;
  private readonly policy: Policy;
  private readonly safe: boolean;

  // Figure 2 state. Private fields behind read-only getters so the harness cannot change them.
  private roleNow: Role = 'follower';
  private term: number;
  private vote: NodeId;
  private leader: NodeId = NONE;
  private commit: number;
  private applied: number;
  /** Log index i lives in slot i - snapIndex - 1: the entries after the snapshot. */
  private readonly log: Entry[];

  // Log compaction (paper §7). The snapshot replaces the log through snapIndex; snapTerm is the term
  // of that last included entry, baseConf the configuration in force there (index baseConfIndex).
  private snapIndex = 0;
  private snapTerm = 0;
  private snapData = '';
  /** The snapshot taken or installed since the last ready(), to be made durable with it. */
  private snapshotOut: { readonly snapshot: Snapshot; readonly installed: boolean } | null = null;
  /** Follower: the snapshot being received in chunks, null when none. */
  private incoming: IncomingSnapshot | null = null;
  private readonly chunkBytes: number;
  /**
   * Runs of equal terms along the log: run r covers indexes runStart[r] .. runStart[r + 1] - 1 and
   * has term runTerm[r]. Kept up to date on every append and truncation so that "first index of
   * this term" (the follower's backtracking hint) and "last index of that term" (the leader's use
   * of it) never scan the log.
   */
  private readonly runTerm: number[] = [];
  private readonly runStart: number[] = [];

  // Membership (paper §6). The configuration in use is the latest in the log (committed or not),
  // else the bootstrap one; configuration entries are indexed here so truncation finds the one before.
  private readonly bootstrap: Membership;
  /** The configuration in force at the start of the log: the bootstrap one, or the snapshot's. */
  private baseConf: Membership;
  private baseConfIndex = 0;
  /** Indexes of the configuration entries in the log, ascending, and their configurations. */
  private readonly confIndexes: number[] = [];
  private readonly confs: Membership[] = [];
  /** The configuration in use and the index of its entry (0: the bootstrap configuration). */
  private membershipNow: Membership;
  private membershipIndex = 0;

  // Leadership transfer (thesis §3.10), leader only.
  private transferee: NodeId = NONE;
  private transferDeadlineMs = NEVER;

  // Time. Deadlines are absolute local times; NEVER when disarmed.
  private lastNowMs: number;
  /** Randomised once per role change (as etcd does), reused when a heartbeat or vote resets the deadline. */
  private electionTimeoutMs = 0;
  /** Follower/candidate: when to campaign. Leader with CheckQuorum: when to check for a live majority. */
  private electionDeadlineMs = NEVER;
  private heartbeatDueMs = NEVER;
  /** Last time an AppendEntries from the current leader arrived (PreVote stickiness). */
  private leaderContactMs = Number.NEGATIVE_INFINITY;

  // Candidate and precandidate: who answered what lives in the tracker.
  /** Granted replies received in this election, our own vote included: what a buggy tally counts. */
  private grantReplies = 0;
  /** Pre-vote rounds so far: a new round has the same term as the last, so replies echo its number. */
  private preVoteRound = 0;

  // Leader. Per-peer progress lives in the tracker.
  private readonly quorumScratch: number[] = [];

  // Reads (ReadIndex, leases). Untouched in 'log' mode, where gets go through the log.
  private readonly readMode: RaftConfig['readMode'];
  /** Heartbeat rounds, their confirmation, the lease and the reads waiting on them. */
  private readonly reads: ReadOnly;
  /** Index of this term's no-op, 0 when none was appended (see `readGuardPasses`). */
  private termNoopIndex = 0;

  /** The vote this incarnation granted most recently (its own included), to assert one vote per term. */
  private grantedTerm = 0;
  private grantedTo: NodeId = NONE;

  // Output accumulated until the next ready().
  private hardStateDirty = false;
  /** What was last handed out to persist: a policy that forgets term or vote keeps writing these. */
  private persistedTerm: number;
  private persistedVote: NodeId;
  private logDirtyFrom = LOG_CLEAN;
  /** Commit index or log changed: the apply limit may have moved. */
  private applyCheck = true;
  private outbox: Message[] = [];

  constructor(opts: RaftNodeOptions) {
    const { id, peers, config, durable } = opts;
    this.id = id;
    this.config = config;
    this.rng = opts.rng;
    this.policy = opts.policy ?? correctPolicy;
    this.safe = isSafePolicy(this.policy);

    assert(Number.isInteger(id) && id >= 1, () => `node id ${id} is not a positive integer`);
    this.bootstrap = bootstrapMembership(peers);
    this.membershipNow = this.bootstrap;
    this.baseConf = this.bootstrap;
    this.tracker = new ProgressTracker(id, this.bootstrap);
    this.others = this.tracker.others;
    assert(config.electionTimeoutMsMin >= 1, 'election timeout must be at least 1 ms');
    assert(config.electionTimeoutMsMin <= config.electionTimeoutMsMax, 'election timeout min above max');
    assert(config.heartbeatMs >= 1, 'heartbeat interval must be at least 1 ms');
    assert(config.maxEntriesPerAppend >= 1, 'maxEntriesPerAppend must be at least 1');
    this.chunkBytes = config.snapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES;
    assert(
      Number.isSafeInteger(this.chunkBytes) && this.chunkBytes >= 1,
      () => `snapshotChunkBytes ${this.chunkBytes} is not a positive integer`,
    );

    this.readMode = config.readMode;
    const leaseDriftPpm = config.leaseDriftPpm ?? DEFAULT_LEASE_DRIFT_PPM;
    assert(
      Number.isSafeInteger(leaseDriftPpm) && leaseDriftPpm >= 0 && leaseDriftPpm < 1_000_000,
      () => `leaseDriftPpm ${leaseDriftPpm} outside 0..999999`,
    );
    // The lease: electionTimeoutMsMin × (1 − leaseDriftPpm / 10^6), rounded down. Followers that
    // acknowledged a round sent at local time s heard it at or after s and refuse votes for
    // electionTimeoutMsMin of their own clocks; as long as no clock runs more than leaseDriftPpm
    // faster than ours, that window outlasts s + leaseMs on our clock, so no other leader can be
    // elected (let alone commit) while we serve from the lease.
    this.reads = new ReadOnly(
      Math.floor((config.electionTimeoutMsMin * (1_000_000 - leaseDriftPpm)) / 1_000_000),
    );

    const hard = durable.hardState;
    assert(hard.currentTerm >= 0, 'negative durable term');
    assert(
      hard.votedFor === NONE || ProgressTracker.isNodeId(hard.votedFor),
      () => `durable vote for S${hard.votedFor}`,
    );
    this.term = hard.currentTerm;
    this.vote = hard.votedFor;
    this.persistedTerm = hard.currentTerm;
    this.persistedVote = hard.votedFor;
    if (this.vote !== NONE) {
      this.grantedTerm = this.term;
      this.grantedTo = this.vote;
    }
    // The caller rebuilt its state machine from the snapshot (paper §7): everything in it was
    // committed, and the log after it is handed out again as it commits.
    const snap = durable.snapshot ?? null;
    if (snap !== null) {
      assert(snap.index >= 0 && snap.term >= 0, () => `durable snapshot at ${snap.index}, term ${snap.term}`);
      this.snapIndex = snap.index;
      this.snapTerm = snap.term;
      this.snapData = snap.data;
      this.baseConf = snap.membership;
      this.baseConfIndex = snap.index;
    }
    // A caller whose state machine survives crashes may say it is further on than the snapshot.
    assert(
      durable.lastApplied >= this.snapIndex && durable.lastApplied <= this.snapIndex + durable.log.length,
      () =>
        `durable lastApplied ${durable.lastApplied}, snapshot at ${this.snapIndex}, ${durable.log.length} entries after it`,
    );
    this.commit = durable.lastApplied;
    this.applied = durable.lastApplied;
    // Our own copy: the caller's durable log must not change under it, nor it under us.
    this.log = [];
    this.refreshMembership();
    for (let k = 0; k < durable.log.length; k++) this.pushEntry(durable.log[k]!);
    this.logDirtyFrom = LOG_CLEAN;
    if (this.safe) {
      assert(this.lastTerm() <= this.term, 'durable log holds an entry of a term after currentTerm');
    }

    assert(Number.isSafeInteger(opts.nowMs), () => `start time ${opts.nowMs} is not an integer`);
    this.lastNowMs = opts.nowMs;
    this.drawElectionTimeout();
    this.electionDeadlineMs = opts.nowMs + this.electionTimeoutMs;
  }

  // ---- Read-only views (RaftProcess). ----

  get role(): Role {
    return this.roleNow;
  }
  get currentTerm(): number {
    return this.term;
  }
  get votedFor(): NodeId {
    return this.vote;
  }
  get leaderId(): NodeId {
    return this.leader;
  }
  get commitIndex(): number {
    return this.commit;
  }
  get lastApplied(): number {
    return this.applied;
  }
  get lastIndex(): number {
    return this.lastIdx();
  }
  get snapshotIndex(): number {
    return this.snapIndex;
  }

  termAt(index: number): number | undefined {
    if (index <= this.snapIndex) return index === this.snapIndex ? this.snapTerm : undefined;
    return this.log[index - this.snapIndex - 1]?.term;
  }

  entryAt(index: number): Entry | undefined {
    if (index <= this.snapIndex) return undefined;
    return this.log[index - this.snapIndex - 1];
  }

  nextWakeMs(): number {
    return this.heartbeatDueMs < this.electionDeadlineMs ? this.heartbeatDueMs : this.electionDeadlineMs;
  }

  // ---- Inputs. ----

  tick(nowMs: number): void {
    this.advanceClock(nowMs);
    if (this.roleNow === 'leader') {
      // A transfer that has not happened within an election timeout is abandoned (thesis §3.10).
      if (this.transferee !== NONE && nowMs >= this.transferDeadlineMs) this.endTransfer();
      if (nowMs >= this.electionDeadlineMs) this.checkQuorum(nowMs);
      // checkQuorum may have stepped us down.
      if (this.roleNow === 'leader' && nowMs >= this.heartbeatDueMs) this.broadcastHeartbeat(nowMs);
      return;
    }
    if (nowMs < this.electionDeadlineMs) return;
    if (this.isVoter()) {
      this.campaign(nowMs);
      return;
    }
    // A learner, a spare or a removed server has no election to start; it only listens.
    this.electionDeadlineMs = nowMs + this.electionTimeoutMs;
  }

  step(nowMs: number, m: Message): void {
    this.advanceClock(nowMs);
    assert(m.to === this.id, () => `S${this.id} was handed a message for S${m.to}`);
    assert(m.from !== this.id, () => `S${this.id} received a message from itself`);
    // Any server may write to us: one we have not heard of yet, one our configuration has removed.
    assert(ProgressTracker.isNodeId(m.from), () => `S${this.id} received a message from S${m.from}`);
    assert(Number.isSafeInteger(m.term) && m.term >= 0, () => `message term ${m.term} is not a term`);

    if (m.type === 'RequestVote' && this.ignoresVoteInLease(nowMs, m)) return;
    if (m.term > this.term) {
      // PreVote traffic speaks of a term nobody has entered yet: it must not move ours.
      if (!this.isPreVoteTraffic(m)) {
        const fromLeader = m.type === 'AppendEntries' || m.type === 'InstallSnapshot';
        this.becomeFollower(nowMs, m.term, fromLeader ? m.from : NONE);
      }
    } else if (m.term < this.term) {
      if (!this.stepStale(m)) return;
    }

    if (m.type === 'RequestVote') {
      this.handleRequestVote(nowMs, m);
      return;
    }
    switch (this.roleNow) {
      case 'leader':
        this.stepLeader(nowMs, m);
        return;
      case 'candidate':
      case 'precandidate':
        this.stepCandidate(nowMs, m);
        return;
      case 'follower':
        this.stepFollower(nowMs, m);
        return;
      default:
        unreachable(this.roleNow);
    }
  }

  propose(nowMs: number, command: Command): ProposeResult {
    this.advanceClock(nowMs);
    if (this.roleNow !== 'leader') return { ok: false, leaderHint: this.leader };
    // Thesis §3.10: new entries would keep the transferee behind; the client retries (at the new leader).
    if (this.transferee !== NONE && this.policy.refuseProposalsDuringTransfer)
      return { ok: false, leaderHint: this.transferee };
    const at = this.policy.leaderAppendIndex(this.lastIdx(), this.termNoopIndex, this.commit);
    // Only a buggy policy places a command anywhere but at the end.
    if (at <= this.lastIdx()) this.overwriteAsLeader(at);
    this.appendAsLeader({ term: this.term, command });
    const index = this.lastIdx();
    for (let k = 0; k < this.others.length; k++) {
      const peer = this.others[k]!;
      if (this.tracker.nextIndex[peer]! <= index) this.sendAppend(peer);
    }
    // A single-node cluster commits on its own.
    this.maybeCommit();
    return { ok: true, index, term: this.term };
  }

  /**
   * A read without a log entry (thesis §6.4). 'read-index': note commitIndex as the read index,
   * confirm leadership with a heartbeat round a majority acknowledges, wait for this term's no-op
   * to commit, then release the read. 'lease': release at once while the lease holds, else as
   * 'read-index' (whose round also renews the lease). 'unsafe-local': release at once at
   * lastApplied, trusting our own belief that we lead — the stale-read demonstration. 'log' mode
   * sends gets through the log; a read offered anyway is served as 'read-index'.
   */
  read(nowMs: number, requestId: number): ReadResult {
    this.advanceClock(nowMs);
    if (this.roleNow !== 'leader') return { ok: false, leaderHint: this.leader };
    switch (this.readMode) {
      case 'unsafe-local':
        this.reads.serveNow(requestId, this.applied);
        return { ok: true };
      case 'lease':
        if (this.leaseUsable() && this.reads.leaseValid(nowMs) && this.readGuardPasses()) {
          this.reads.serveNow(requestId, this.commit);
          return { ok: true };
        }
        return this.startReadIndex(nowMs, requestId);
      case 'read-index':
      case 'log':
        return this.startReadIndex(nowMs, requestId);
      default:
        return unreachable(this.readMode);
    }
  }

  /**
   * Membership change (paper §6, thesis §4). A leader appends the configuration the change leads to
   * and uses it at once; a change of several voters goes through C_old,new, which the leader leaves
   * for C_new on its own once C_old,new has committed. One change at a time: none starts while a
   * configuration entry is uncommitted or joint, before an entry of this term has committed
   * (thesis §4.1), during a transfer, or (a promotion) before the learner has caught up.
   */
  changeMembership(nowMs: number, change: MembershipChange): ChangeResult {
    this.advanceClock(nowMs);
    if (this.roleNow !== 'leader') return { status: 'not-leader', leaderHint: this.leader };
    const latestIndex = this.latestConfigIndex();
    const latest = this.configAt(latestIndex);
    const uncommitted = latestIndex > this.commit;
    if (!uncommitted && changeDone(latest, change)) return { status: 'done' };
    if (uncommitted || isJoint(latest) || this.transferee !== NONE) return { status: 'busy' };
    if (this.policy.changeWaitsForTermCommit && this.termAt(this.commit) !== this.term)
      return { status: 'busy' };
    // New servers join as learners and become voters once they hold what is committed (paper §6),
    // so that a change does not stall commitment while they catch up.
    const joining = change.type === 'promote' ? [change.node] : change.type === 'joint' ? change.voters : [];
    for (const id of joining) {
      if (latest.learners.includes(id) && this.tracker.matchIndex[id]! < this.commit)
        return { status: 'busy', catchingUp: true };
    }
    const next = applyChange(latest, change, !this.policy.useJointConsensus);
    if (typeof next === 'string') return { status: 'invalid', why: next };
    const index = this.appendConfig(next);
    return { status: 'started', index, term: this.term };
  }

  /**
   * Leadership transfer (thesis §3.10): refuse proposals, bring `to` up to date, then send it
   * TimeoutNow so it campaigns at once. Abandoned after an election timeout (see tick).
   */
  transferLeadership(nowMs: number, to: NodeId): ChangeResult {
    this.advanceClock(nowMs);
    if (to === this.id && this.roleNow === 'leader') return { status: 'done' };
    if (this.roleNow !== 'leader') return { status: 'not-leader', leaderHint: this.leader };
    if (!isVoterIn(this.membershipNow, to)) return { status: 'invalid', why: `S${to} is not a voter` };
    if (this.transferee !== NONE) return { status: 'busy' };
    this.transferee = to;
    this.transferDeadlineMs = nowMs + this.electionTimeoutMs;
    if (this.tracker.matchIndex[to] === this.lastIdx()) this.sendTimeoutNow(to);
    else this.sendAppend(to);
    return { status: 'started', index: this.lastIdx(), term: this.term };
  }

  ready(): Ready {
    if (
      !this.hardStateDirty &&
      this.logDirtyFrom === LOG_CLEAN &&
      this.outbox.length === 0 &&
      !this.applyCheck &&
      !this.reads.hasReady() &&
      this.snapshotOut === null
    ) {
      return EMPTY_READY;
    }
    const snapshot = this.snapshotOut;
    this.snapshotOut = null;
    let hardState: HardState | null = null;
    if (this.hardStateDirty) {
      this.hardStateDirty = false;
      const currentTerm = this.policy.persistTerm ? this.term : this.persistedTerm;
      const votedFor = this.policy.persistVote ? this.vote : this.persistedVote;
      hardState = { currentTerm, votedFor };
      this.persistedTerm = currentTerm;
      this.persistedVote = votedFor;
    }

    let logWrite: LogWrite | null = null;
    if (this.logDirtyFrom !== LOG_CLEAN) {
      const fromIndex = this.logDirtyFrom;
      this.logDirtyFrom = LOG_CLEAN;
      assert(
        fromIndex > this.snapIndex && fromIndex <= this.lastIdx() + 1,
        () => `log write from ${fromIndex} (snapshot ${this.snapIndex}, last ${this.lastIdx()})`,
      );
      // Changes only ever happen at the tail, so this is the minimal write.
      const entries =
        fromIndex > this.lastIdx() ? EMPTY_ENTRIES : this.log.slice(fromIndex - this.snapIndex - 1);
      logWrite = { fromIndex, entries };
    }

    let firstApplyIndex = 0;
    let toApply: readonly Entry[] = EMPTY_ENTRIES;
    if (this.applyCheck) {
      this.applyCheck = false;
      let limit = this.policy.applyLimit(this.commit, this.lastIdx());
      // Under a bug the commit index can pass the log's end; what does not exist cannot be applied.
      if (limit > this.lastIdx()) limit = this.lastIdx();
      if (limit > this.applied) {
        firstApplyIndex = this.applied + 1;
        toApply = this.log.slice(this.applied - this.snapIndex, limit - this.snapIndex);
        this.applied = limit;
      }
      if (this.safe) {
        assert(
          this.applied <= this.commit,
          () => `S${this.id} applied ${this.applied} past commit ${this.commit}`,
        );
      }
    }

    const messages = this.outbox.length === 0 ? EMPTY_MESSAGES : this.outbox;
    if (this.outbox.length !== 0) this.outbox = [];
    const readsReady = this.reads.takeReady();
    if (
      hardState === null &&
      logWrite === null &&
      messages.length === 0 &&
      toApply.length === 0 &&
      readsReady.length === 0 &&
      snapshot === null
    ) {
      return EMPTY_READY;
    }
    return { hardState, logWrite, messages, firstApplyIndex, toApply, readsReady, snapshot };
  }

  // ---- Reads (thesis §6.4). ----

  private startReadIndex(nowMs: number, requestId: number): ReadResult {
    if (this.reads.pendingCount >= MAX_PENDING_READS) return { ok: false, leaderHint: this.leader };
    // A fresh round: only acknowledgements of messages sent after the read arrived prove that we
    // still led when it did. A single-node cluster confirms it at once.
    this.broadcastHeartbeat(nowMs);
    this.reads.enqueue(requestId, this.commit, this.reads.round);
    if (this.others.length === 0) this.reads.confirm(this.reads.round);
    this.releaseReads();
    return { ok: true };
  }

  /**
   * Reads are served only once the no-op of this term has committed: before that, our commitIndex
   * may lag entries an earlier leader committed and acknowledged (§8). Under a policy that skips the
   * no-op there is nothing to wait for (termNoopIndex 0), which is why skipping it breaks reads.
   */
  private readGuardPasses(): boolean {
    if (!this.policy.readWaitsForTermCommit) return true;
    return this.commit >= this.termNoopIndex;
  }

  /** Lease reads need followers that refuse votes while they hear from us: CheckQuorum's stickiness. */
  private leaseUsable(): boolean {
    return this.config.checkQuorum || !this.policy.leaseNeedsCheckQuorum;
  }

  /** A reply of our term to our own request of round `round` shows `peer` followed us when that round was sent. */
  private noteRoundAck(peer: NodeId, round: number): void {
    const acked = this.tracker.ackedRound;
    if (this.safe) {
      assert(
        round <= this.reads.round,
        () => `S${peer} acknowledges round ${round}; S${this.id} has sent ${this.reads.round}`,
      );
    }
    if (round <= acked[peer]!) return;
    acked[peer] = round;
    if (round <= this.reads.confirmedRound) return;
    acked[this.id] = this.reads.round;
    const confirmed = committedIndex(this.tracker.voters, acked, this.quorumScratch);
    if (confirmed > this.reads.confirmedRound) {
      this.reads.confirm(confirmed);
      this.releaseReads();
    }
  }

  /** Moves confirmed reads to the output, oldest first, while the term's no-op has committed. */
  private releaseReads(): void {
    if (this.reads.pendingCount === 0) return;
    if (!this.readGuardPasses()) return;
    this.reads.release(this.termNoopIndex, this.commit, this.policy.readWaitsForTermCommit);
  }

  // ---- Term comparison (Figure 2, "Rules for all servers"). ----

  /** PreVote requests, and granted PreVote replies, carry a term one above the sender's real term. */
  private isPreVoteTraffic(m: Message): boolean {
    if (m.type === 'RequestVote') return m.preVote;
    if (m.type === 'RequestVoteReply') return m.preVote && m.voteGranted;
    return false;
  }

  /** A message from an older term: answer it so the sender learns our term, or drop it. Returns true to go on. */
  private stepStale(m: Message): boolean {
    switch (m.type) {
      case 'AppendEntries':
        // Correct policy: never. A buggy one treats it as if from the current leader.
        if (this.policy.acceptAppendTerm(m.term, this.term)) return true;
        // The reply carries our term so the sender steps down; requestTerm says it answers an
        // older term's request, so that a later leader with the same id cannot mistake it for an
        // answer to its own rounds (see stepLeader).
        this.send(this.appendReply(m.from, false, 0, 0, 0, m.round, m.term));
        return false;
      case 'InstallSnapshot':
        this.send(this.snapshotReply(m.from, m.lastIncludedIndex, 0, false, m.round, m.term));
        return false;
      case 'RequestVote':
        this.send(this.voteReply(m.from, this.term, false, m.preVote));
        return false;
      case 'RequestVoteReply':
      case 'AppendEntriesReply':
      case 'InstallSnapshotReply':
      case 'TimeoutNow':
        return false;
      default:
        return unreachable(m);
    }
  }

  // ---- Per-role handlers. ----

  private stepLeader(nowMs: number, m: RoleMessage): void {
    // From a server our configuration no longer has (a removed server's late reply): nothing to learn.
    if (!this.tracker.isMember(m.from)) return;
    // Any message of our term shows the sender is alive and following this term.
    this.tracker.recentActive[m.from] = 1;
    this.tracker.heardMs[m.from] = nowMs;
    switch (m.type) {
      case 'AppendEntriesReply':
        assert(
          m.requestTerm <= m.term,
          () => `S${m.from} answers a request of term ${m.requestTerm} in term ${m.term}`,
        );
        // A reply to a request of an earlier term (ours, before a crash, or another leader's)
        // echoes a round, a match and hints that say nothing about this term's messages: only
        // replies to our own requests of this term prove anything. Rounds restart with each
        // incarnation, so an old round can be far ahead of this one's.
        if (m.requestTerm !== this.term && !this.policy.trustReplyToOlderTerm) return;
        if (this.readMode !== 'log') this.noteRoundAck(m.from, m.round);
        this.handleAppendReply(m);
        return;
      case 'InstallSnapshotReply':
        if (m.requestTerm !== this.term && !this.policy.trustReplyToOlderTerm) return;
        if (this.readMode !== 'log') this.noteRoundAck(m.from, m.round);
        this.handleSnapshotReply(m);
        return;
      case 'InstallSnapshot':
        // Another leader in our term, as for AppendEntries below.
        assert(
          !this.safe,
          () => `S${this.id} (leader, term ${this.term}) got InstallSnapshot from S${m.from}`,
        );
        return;
      case 'AppendEntries':
        if (m.term < this.term) {
          // Only a buggy acceptAppendTerm gets here: it takes the sender as its leader.
          this.becomeFollower(nowMs, this.term, m.from);
          this.handleAppendEntries(nowMs, m);
          return;
        }
        // Another leader in our term: impossible under Election Safety. Under a bug, ignore it
        // rather than let a leader rewrite its own log; the election-safety checker reports it.
        assert(!this.safe, () => `S${this.id} (leader, term ${this.term}) got AppendEntries from S${m.from}`);
        return;
      case 'RequestVoteReply':
        // A late vote from the election we already won.
        return;
      case 'TimeoutNow':
        // Only a leader of our term sends it: another leader, as above.
        assert(!this.safe, () => `S${this.id} (leader, term ${this.term}) got TimeoutNow from S${m.from}`);
        return;
      default:
        unreachable(m);
    }
  }

  private stepCandidate(nowMs: number, m: RoleMessage): void {
    switch (m.type) {
      case 'AppendEntries':
        // Figure 2: "If AppendEntries RPC received from new leader: convert to follower."
        this.becomeFollower(nowMs, this.term, m.from);
        this.handleAppendEntries(nowMs, m);
        return;
      case 'InstallSnapshot':
        this.becomeFollower(nowMs, this.term, m.from);
        this.handleInstallSnapshot(nowMs, m);
        return;
      case 'RequestVoteReply':
        this.handleVoteReply(nowMs, m);
        return;
      case 'AppendEntriesReply':
      case 'InstallSnapshotReply':
        // From a leadership of ours in an earlier term that reached this term's number; ignore.
        return;
      case 'TimeoutNow':
        // We are campaigning already.
        return;
      default:
        unreachable(m);
    }
  }

  private stepFollower(nowMs: number, m: RoleMessage): void {
    switch (m.type) {
      case 'AppendEntries':
        this.handleAppendEntries(nowMs, m);
        return;
      case 'InstallSnapshot':
        this.handleInstallSnapshot(nowMs, m);
        return;
      case 'RequestVoteReply':
      case 'AppendEntriesReply':
      case 'InstallSnapshotReply':
        // Replies to a candidacy or leadership we have left.
        return;
      case 'TimeoutNow':
        // Thesis §3.10: our leader hands over; campaign now, skipping PreVote (the leader wants it).
        if (m.from === this.leader && this.isVoter()) this.becomeCandidate(nowMs, true);
        return;
      default:
        unreachable(m);
    }
  }

  // ---- Role changes: the only places `roleNow` is written. ----

  private becomeFollower(nowMs: number, term: number, leader: NodeId): void {
    if (term > this.term) {
      this.setTerm(term);
    } else {
      assert(term === this.term, () => `S${this.id} asked to follow term ${term} from term ${this.term}`);
      if (this.policy.clearVoteWithinTerm) this.clearVote();
    }
    // Figure 2 resets the election timer only on hearing from the leader, on granting a vote and
    // on starting an election, not on learning a higher term: otherwise candidates with stale logs,
    // which cannot win, keep pushing back the timer of the one node that could.
    if (this.roleNow === 'leader') {
      this.drawElectionTimeout();
      this.electionDeadlineMs = nowMs + this.electionTimeoutMs;
      this.reads.clearPending();
      this.endTransfer();
    }
    this.roleNow = 'follower';
    this.leader = leader;
    if (leader !== NONE) this.leaderContactMs = nowMs;
    this.heartbeatDueMs = NEVER;
  }

  /** PreVote (Raft thesis §9.6): ask whether we could win before disturbing anyone's term. */
  private becomePreCandidate(nowMs: number): void {
    assert(this.roleNow !== 'leader', 'a leader does not campaign');
    this.roleNow = 'precandidate';
    this.leader = NONE;
    this.heartbeatDueMs = NEVER;
    this.drawElectionTimeout();
    this.electionDeadlineMs = nowMs + this.electionTimeoutMs;
    this.preVoteRound++;
    this.startCount();
    if (this.tallyVotes() === 'won') {
      this.becomeCandidate(nowMs);
      return;
    }
    this.requestVotes(this.term + 1, true);
  }

  private becomeCandidate(nowMs: number, transfer = false): void {
    assert(this.roleNow !== 'leader', 'a leader does not campaign');
    this.setTerm(this.term + 1);
    this.vote = this.id;
    this.grantedTerm = this.term;
    this.grantedTo = this.id;
    this.roleNow = 'candidate';
    this.leader = NONE;
    this.heartbeatDueMs = NEVER;
    this.drawElectionTimeout();
    this.electionDeadlineMs = nowMs + this.electionTimeoutMs;
    this.startCount();
    if (this.tallyVotes() === 'won') {
      this.becomeLeader(nowMs);
      return;
    }
    this.requestVotes(this.term, false, transfer);
  }

  private becomeLeader(nowMs: number): void {
    assert(this.roleNow === 'candidate', () => `S${this.id} became leader from ${this.roleNow}`);
    assert(this.vote === this.id, 'a leader has voted for itself');
    this.roleNow = 'leader';
    this.leader = this.id;
    this.tracker.resetForLeader(this.lastIdx() + 1, this.lastIdx());
    this.reads.resetForTerm();
    // A leader only waits on elections to check its quorum.
    this.electionDeadlineMs = this.config.checkQuorum ? nowMs + this.config.electionTimeoutMsMin : NEVER;
    // §5.4.2/§8: a no-op of the new term lets earlier entries commit without waiting for a client.
    this.termNoopIndex = 0;
    if (this.policy.appendNoopOnElection) {
      this.appendAsLeader({ term: this.term, command: NOOP });
      this.termNoopIndex = this.lastIdx();
    }
    this.broadcastHeartbeat(nowMs);
    this.maybeCommit();
  }

  // ---- Elections. ----

  /** The election timeout's action; public so that a scripted scenario can make a node campaign now. */
  campaign(nowMs: number): void {
    this.advanceClock(nowMs);
    // A leader has no election to start (and becomeCandidate asserts as much); a non-voter none to win.
    if (this.roleNow === 'leader' || !this.isVoter()) return;
    if (this.config.preVote) this.becomePreCandidate(nowMs);
    else this.becomeCandidate(nowMs);
  }

  /**
   * The election's outcome: who voted what, over the configuration (a majority of each half
   * while joint), unless the policy counts granted replies instead.
   */
  private tallyVotes(): VoteResult {
    if (this.policy.countEachVoterOnce) return this.tracker.electionResult();
    const voterCount = this.tracker.voters.incoming.length;
    return resultOfCounts(this.grantReplies, this.tracker.countIncoming(VOTE_NO), voterCount);
  }

  private startCount(): void {
    this.tracker.resetVotes();
    this.grantReplies = 1;
  }

  private requestVotes(term: number, preVote: boolean, transfer = false): void {
    const lastLogIndex = this.lastIdx();
    const lastLogTerm = this.lastTerm();
    const voters = this.tracker.voters;
    for (let k = 0; k < this.others.length; k++) {
      const to = this.others[k]!;
      // Learners have no vote to give.
      if (!voters.incoming.includes(to) && !voters.outgoing.includes(to)) continue;
      const m: RequestVote = {
        type: 'RequestVote',
        from: this.id,
        to,
        term,
        lastLogIndex,
        lastLogTerm,
        preVote,
      };
      // The optional fields only where they say something, so other messages keep their shape.
      if (transfer) this.send({ ...m, transfer });
      else this.send(preVote ? { ...m, round: this.preVoteRound } : m);
    }
  }

  /** Figure 2, RequestVote receiver. Every role answers; only followers can grant in practice. */
  private handleRequestVote(nowMs: number, m: RequestVote): void {
    if (m.preVote) {
      // Grant only what a real vote could: a later term, an up-to-date log, and no live leader
      // (so a node that rejoins after a partition cannot unseat a working leader).
      const grant =
        m.term > this.term &&
        (!this.policy.preVoteHonoursLeader || !this.inLeaderLease(nowMs)) &&
        this.policy.logUpToDate(m.lastLogTerm, m.lastLogIndex, this.lastTerm(), this.lastIdx());
      const reply = this.voteReply(m.from, grant ? m.term : this.term, grant, true);
      this.send(m.round === undefined ? reply : { ...reply, round: m.round });
      return;
    }
    assert(m.term === this.term, 'vote request not brought to our term');
    const canVote = this.vote === NONE || this.vote === m.from;
    const grant =
      canVote && this.policy.logUpToDate(m.lastLogTerm, m.lastLogIndex, this.lastTerm(), this.lastIdx());
    if (grant) {
      if (this.safe) {
        assert(
          this.grantedTerm !== this.term || this.grantedTo === m.from,
          () => `S${this.id} votes twice in term ${this.term}: S${this.grantedTo} and S${m.from}`,
        );
      }
      if (this.vote !== m.from) {
        this.vote = m.from;
        this.hardStateDirty = true;
      }
      this.grantedTerm = this.term;
      this.grantedTo = m.from;
      // Figure 2: granting a vote resets the election timer.
      if (this.roleNow !== 'leader') this.electionDeadlineMs = nowMs + this.electionTimeoutMs;
    }
    this.send(this.voteReply(m.from, this.term, grant, false));
  }

  /**
   * CheckQuorum's stickiness (as in etcd): while a node hears from a live leader it ignores real
   * vote requests of later terms, neither granting nor adopting the term. Lease reads rest on it:
   * the majority that acknowledged the leader cannot elect another leader inside the lease.
   * Without CheckQuorum the same rule still covers servers outside our configuration (paper §6).
   */
  private ignoresVoteInLease(nowMs: number, m: RequestVote): boolean {
    // A transfer's campaign is the leader's own wish (thesis §3.10).
    if (m.preVote || m.term <= this.term || m.transfer === true) return false;
    if (this.config.checkQuorum) return this.inLeaderLease(nowMs);
    // Paper §6: a removed server, which no longer hears heartbeats, times out and campaigns with
    // ever higher terms; while a leader is live its requests are ignored, term and all.
    if (this.policy.ignoreRemovedServers && !isVoterIn(this.membershipNow, m.from))
      return this.inLeaderLease(nowMs);
    return false;
  }

  private inLeaderLease(nowMs: number): boolean {
    if (this.roleNow === 'leader') return true;
    return this.leader !== NONE && nowMs - this.leaderContactMs < this.config.electionTimeoutMsMin;
  }

  private handleVoteReply(nowMs: number, m: RequestVoteReply): void {
    const preVote = this.roleNow === 'precandidate';
    // A reply from a round of the other kind is stale.
    if (m.preVote !== preVote) return;
    if (preVote) {
      // Granted pre-votes carry the term we asked about; rejections carry the voter's term, and a
      // higher one already made us step down in step().
      if (m.term !== (m.voteGranted ? this.term + 1 : this.term)) return;
      // A grant is a voter's word that it heard no leader when it answered: one for an earlier
      // round (delayed, or held while we were paused) may predate a leader elected since.
      if (m.round !== undefined && m.round !== this.preVoteRound) return;
    } else {
      assert(m.term === this.term, 'vote reply not brought to our term');
    }
    if (m.voteGranted) this.grantReplies++;
    this.tracker.recordVote(m.from, m.voteGranted ? VOTE_YES : VOTE_NO);
    switch (this.tallyVotes()) {
      case 'won':
        if (preVote) this.becomeCandidate(nowMs);
        else this.becomeLeader(nowMs);
        return;
      case 'lost':
        // A failed pre-vote costs nothing to abandon. A real candidate keeps its vote for itself
        // and waits out its timeout, as Figure 2 says; stepping down early would redraw the
        // timeout and hide what randomised timeouts are for.
        if (preVote) this.becomeFollower(nowMs, this.term, NONE);
        return;
      case 'pending':
        return;
    }
  }

  // ---- Replication, follower side. ----

  /** Figure 2, AppendEntries receiver. */
  private handleAppendEntries(nowMs: number, m: AppendEntries): void {
    assert(this.roleNow === 'follower', () => `S${this.id} handles AppendEntries as ${this.roleNow}`);
    this.heardFromLeader(nowMs, m.from);

    let prev = m.prevLogIndex;
    let prevTerm = m.prevLogTerm;
    let entries = m.entries;
    assert(Number.isSafeInteger(prev) && prev >= 0, () => `prevLogIndex ${prev}`);
    const requestEnd = prev + entries.length;
    if (prev > this.lastIdx()) {
      // Too short: the leader should resume right after our last entry.
      this.send(this.appendReply(m.from, false, 0, 0, this.lastIdx() + 1, m.round, m.term));
      return;
    }
    if (prev < this.snapIndex) {
      // Our snapshot holds what the request starts with: committed, so the same in the leader's log.
      const skip = this.snapIndex - prev;
      if (skip >= entries.length) {
        this.send(this.appendReply(m.from, true, requestEnd, 0, 0, m.round, m.term));
        return;
      }
      prevTerm = entries[skip - 1]!.term;
      entries = entries.slice(skip);
      prev = this.snapIndex;
    }
    const ownPrevTerm = this.termAt(prev)!;
    if (!this.policy.prevLogMatches(ownPrevTerm, prevTerm)) {
      assert(prev >= 1, 'index 0 has term 0 in every log');
      // Fast backtracking: name the conflicting term and where it starts here, so the leader can
      // skip the whole term in one round trip. (At the snapshot's boundary, only a buggy snapshot
      // term conflicts: point the leader at the snapshot.)
      const conflictIndex = prev === this.snapIndex ? prev : this.runStart[this.runAt(prev)]!;
      this.send(this.appendReply(m.from, false, 0, ownPrevTerm, conflictIndex, m.round, m.term));
      return;
    }

    let firstConflict = 0;
    const overlap = Math.min(entries.length, this.lastIdx() - prev);
    for (let k = 0; k < overlap; k++) {
      if (this.log[prev - this.snapIndex + k]!.term !== entries[k]!.term) {
        firstConflict = prev + k + 1;
        break;
      }
    }
    // A stale or duplicated request whose entries all match has firstConflict 0: nothing is removed.
    const truncateFrom = this.policy.truncateFrom(firstConflict, requestEnd, this.lastIdx());
    if (truncateFrom !== 0) {
      assert(
        truncateFrom > prev,
        () => `truncation from ${truncateFrom} would drop the matched prefix ${prev}`,
      );
      if (truncateFrom <= this.lastIdx()) this.truncateLog(truncateFrom);
    }
    for (let index = this.lastIdx() + 1; index <= requestEnd; index++) {
      this.pushEntry(entries[index - prev - 1]!);
    }

    const newCommit = this.policy.followerCommitIndex(m.leaderCommit, requestEnd, this.commit);
    assert(newCommit >= this.commit, () => `commitIndex would go back from ${this.commit} to ${newCommit}`);
    if (newCommit > this.commit) {
      this.commit = newCommit;
      this.applyCheck = true;
      this.onCommitAdvanced();
    }
    if (this.safe) {
      assert(this.commit <= this.lastIdx(), () => `S${this.id} commitIndex ${this.commit} past its log`);
    }
    this.send(this.appendReply(m.from, true, requestEnd, 0, 0, m.round, m.term));
  }

  /** What any message of the current leader does: we follow it, and its election timer starts over. */
  private heardFromLeader(nowMs: number, leader: NodeId): void {
    this.learnLeader(leader);
    this.leaderContactMs = nowMs;
    this.electionDeadlineMs = nowMs + this.electionTimeoutMs;
  }

  private learnLeader(leader: NodeId): void {
    if (this.leader === leader) return;
    assert(!this.safe || this.leader === NONE, () => `S${this.id} hears two leaders in term ${this.term}`);
    this.leader = leader;
    if (this.policy.clearVoteWithinTerm) this.clearVote();
  }

  // ---- Replication, leader side. ----

  private broadcastHeartbeat(nowMs: number): void {
    this.reads.nextRound(nowMs);
    for (let k = 0; k < this.others.length; k++) this.sendAppend(this.others[k]!);
    this.heartbeatDueMs = nowMs + this.config.heartbeatMs;
  }

  /**
   * Send what follows nextIndex (possibly nothing: a heartbeat). nextIndex then moves past what
   * was sent, optimistically, so that the next proposal sends only its own entry; a lost message
   * shows up as a rejected consistency check and moves nextIndex back.
   */
  private sendAppend(peer: NodeId): void {
    const prevLogIndex = this.tracker.nextIndex[peer]! - 1;
    // What the peer needs next is compacted away: it gets the snapshot instead (paper §7).
    if (prevLogIndex < this.snapIndex) {
      this.sendSnapshotChunk(peer);
      return;
    }
    const prevLogTerm = this.termAt(prevLogIndex);
    assert(prevLogTerm !== undefined, () => `nextIndex ${prevLogIndex + 1} for S${peer} past the log`);
    const last = this.lastIdx();
    const end = Math.min(last, prevLogIndex + this.config.maxEntriesPerAppend);
    const entries =
      end > prevLogIndex
        ? this.log.slice(prevLogIndex - this.snapIndex, end - this.snapIndex)
        : EMPTY_ENTRIES;
    this.tracker.nextIndex[peer] = end + 1;
    this.send({
      type: 'AppendEntries',
      from: this.id,
      to: peer,
      term: this.term,
      prevLogIndex,
      prevLogTerm,
      entries,
      leaderCommit: this.commit,
      round: this.reads.round,
    });
  }

  private handleAppendReply(m: AppendEntriesReply): void {
    const peer = m.from;
    const { nextIndex, matchIndex, probeFrom } = this.tracker;
    const last = this.lastIdx();
    if (m.success) {
      const matchBefore = matchIndex[peer]!;
      let match = this.policy.matchIndexOnSuccess(m.matchIndex, last, matchBefore);
      if (this.safe) {
        assert(
          match <= last,
          () => `S${peer} matches ${match}, past leader S${this.id}'s last index ${last}`,
        );
      }
      // Only a second leader in this term (a bug elsewhere) can report more than we have.
      if (match > last) match = last;
      assert(match >= 0, 'negative matchIndex');
      matchIndex[peer] = match;
      probeFrom[peer] = 0;
      if (nextIndex[peer]! <= match) nextIndex[peer] = match + 1;
      this.afterMatch(peer, match, matchBefore);
      return;
    }
    let next = m.conflictIndex;
    if (m.conflictTerm !== 0) {
      const lastOfTerm = this.lastIndexOfTerm(m.conflictTerm);
      if (lastOfTerm !== 0) next = lastOfTerm + 1;
    }
    const floor = matchIndex[peer]! + 1;
    if (next < floor) next = floor;
    if (next >= nextIndex[peer]!) return;
    nextIndex[peer] = next;
    // Probe at once, unless we already probed from exactly here: a duplicated rejection, or one we
    // cannot get past (under a bug, a follower missing entries below matchIndex), is retried by
    // the heartbeat instead of bouncing between the two nodes at network speed.
    if (probeFrom[peer] === next) return;
    probeFrom[peer] = next;
    this.sendAppend(peer);
  }

  /**
   * What a peer's new match (from an AppendEntries or an InstallSnapshot reply) sets off: a commit,
   * the transfer's TimeoutNow, or the next entries of the stream.
   */
  private afterMatch(peer: NodeId, match: number, matchBefore: number): void {
    if (match > this.commit) this.maybeCommit();
    // maybeCommit may have stepped us down (our committed configuration no longer has us).
    if (this.roleNow !== 'leader') return;
    if (peer === this.transferee && match === this.lastIdx()) {
      this.sendTimeoutNow(peer);
      return;
    }
    // Entries beyond one message's worth were not sent yet: keep the stream going — on a reply
    // that moved the match forward only. A duplicated or late reply sending more as well would
    // make the stream branch at every duplication, and catching up a lagging follower over a
    // network that duplicates would flood it.
    if (match > matchBefore && this.tracker.nextIndex[peer]! <= this.lastIdx()) this.sendAppend(peer);
  }

  /** Advance commitIndex to what a majority stores, if the policy lets that entry commit by counting (§5.4.2). */
  private maybeCommit(): void {
    const n = this.tracker.committed(this.quorumScratch);
    if (n <= this.commit) return;
    if (!this.policy.mayCommitByCounting(this.termAt(n)!, this.term)) return;
    this.commit = n;
    this.applyCheck = true;
    // Reads held back only by the no-op's commit may go now.
    this.releaseReads();
    this.onCommitAdvanced();
  }

  private checkQuorum(nowMs: number): void {
    if (this.tracker.quorumActive()) {
      this.electionDeadlineMs = nowMs + this.config.electionTimeoutMsMin;
      return;
    }
    // Cut off from a majority: stop acting as leader so clients look elsewhere.
    this.becomeFollower(nowMs, this.term, NONE);
  }

  // ---- Membership (paper §6, thesis §4) and leadership transfer (thesis §3.10). ----

  /** A voter of the configuration in use: only a voter campaigns. */
  private isVoter(): boolean {
    return isVoterIn(this.membershipNow, this.id);
  }

  /** Index of the last configuration entry in the log; baseConfIndex when there is none. */
  private latestConfigIndex(): number {
    const n = this.confIndexes.length;
    return n === 0 ? this.baseConfIndex : this.confIndexes[n - 1]!;
  }

  /** The configuration of the entry at `index` (a configuration entry's index, or baseConfIndex). */
  private configAt(index: number): Membership {
    if (index === this.baseConfIndex) return this.baseConf;
    const entry = this.entryAt(index);
    assert(
      entry !== undefined && entry.command.kind === 'config',
      () => `no configuration entry at ${index}`,
    );
    return entry.command.membership;
  }

  /** The leader appends a configuration entry and replicates it at once. Returns its index. */
  private appendConfig(membership: Membership): number {
    if (this.safe) {
      const prev = this.configAt(this.latestConfigIndex());
      const unsafe = unsafeSuccessor(prev, membership);
      assert(unsafe === null, () => `S${this.id} would append ${describeMembership(membership)}: ${unsafe}`);
      assert(this.latestConfigIndex() <= this.commit, 'a second uncommitted configuration entry');
      assert(
        this.termAt(this.commit) === this.term,
        'a configuration entry before this term committed an entry',
      );
    }
    this.appendAsLeader({ term: this.term, command: { kind: 'config', membership } });
    const index = this.lastIdx();
    for (let k = 0; k < this.others.length; k++) {
      const peer = this.others[k]!;
      if (this.tracker.nextIndex[peer]! <= index) this.sendAppend(peer);
    }
    // A single voter commits on its own.
    this.maybeCommit();
    return index;
  }

  /**
   * Puts the configuration in use in force: the latest in the log (paper §6), or under a buggy
   * policy the latest committed one. Called whenever a configuration entry comes or goes (and, for
   * that policy, when the commit index moves).
   */
  private refreshMembership(): void {
    let k = this.confIndexes.length - 1;
    if (!this.policy.adoptConfigOnAppend) while (k >= 0 && this.confIndexes[k]! > this.commit) k--;
    const index = k < 0 ? this.baseConfIndex : this.confIndexes[k]!;
    const membership = k < 0 ? this.baseConf : this.confs[k]!;
    if (index === this.membershipIndex && membership === this.membershipNow) return;
    this.membershipIndex = index;
    this.membershipNow = membership;
    // A member that joins while we lead is probed from our last entry back.
    this.tracker.setMembership(
      membership,
      this.policy.countedVoters(membership),
      Math.max(1, this.lastIdx()),
    );
    this.others = this.tracker.others;
    if (this.transferee !== NONE && !isVoterIn(membership, this.transferee)) this.endTransfer();
  }

  /**
   * What follows a commit: a leader whose committed configuration is joint appends C_new (once an
   * entry of its term has committed, as for any change); a leader that is not a voter of its
   * committed configuration steps down (paper §6).
   */
  private onCommitAdvanced(): void {
    if (!this.policy.adoptConfigOnAppend) this.refreshMembership();
    if (this.roleNow !== 'leader') return;
    const latestIndex = this.latestConfigIndex();
    if (latestIndex === 0 || latestIndex > this.commit) return;
    const latest = this.configAt(latestIndex);
    if (isJoint(latest)) {
      if (this.policy.changeWaitsForTermCommit && this.termAt(this.commit) !== this.term) return;
      this.appendConfig(leaveJoint(latest));
      return;
    }
    if (!isVoterIn(latest, this.id)) this.becomeFollower(this.lastNowMs, this.term, NONE);
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'TimeoutNow', from: this.id, to, term: this.term });
  }

  private endTransfer(): void {
    this.transferee = NONE;
    this.transferDeadlineMs = NEVER;
  }

  // ---- Log compaction (paper §7). ----

  /**
   * The caller's state machine is at `index` with state `data`: keep that as the snapshot and
   * discard the log through it. Only what is applied can be compacted (a buggy policy goes further).
   */
  compact(nowMs: number, index: number, data: string): boolean {
    this.advanceClock(nowMs);
    if (index <= this.snapIndex || index > this.applied) return false;
    if (this.roleNow === 'leader' && this.followerNeeds(nowMs, index)) return false;
    const through = this.policy.compactThrough(index, this.lastIdx());
    assert(
      through > this.snapIndex && through <= this.lastIdx(),
      () =>
        `S${this.id} would compact through ${through} (snapshot ${this.snapIndex}, last ${this.lastIdx()})`,
    );
    if (this.safe) assert(through <= this.applied, () => `S${this.id} compacts unapplied index ${through}`);
    const term = this.termAt(through)!;
    const membership = this.configInForceAt(through);
    this.dropPrefix(through);
    this.setSnapshot(through, this.policy.snapshotKeepsTerm ? term : 0, membership, data, false);
    if (through > this.applied) this.applied = through;
    return true;
  }

  /**
   * Figure 13, InstallSnapshot receiver, chunk by chunk. A snapshot the node's committed state
   * already covers is acknowledged as installed; chunks out of order are answered with the offset
   * wanted next; the last chunk installs it: if our log holds its last included entry, the entries
   * after it stay (rule 6), else the whole log goes and the state machine is reset from it (7, 8).
   */
  private handleInstallSnapshot(nowMs: number, m: InstallSnapshot): void {
    assert(this.roleNow === 'follower', () => `S${this.id} handles InstallSnapshot as ${this.roleNow}`);
    this.heardFromLeader(nowMs, m.from);
    const index = m.lastIncludedIndex;
    assert(Number.isSafeInteger(index) && index >= 1, () => `snapshot through ${index}`);
    if (!this.policy.installSnapshot(index, this.commit, this.snapIndex)) {
      this.send(this.snapshotReply(m.from, index, m.size, true, m.round, m.term));
      return;
    }
    let buf = this.incoming;
    if (buf !== null && (buf.index !== index || buf.term !== m.lastIncludedTerm || buf.size !== m.size)) {
      buf = null;
    }
    if (buf === null) {
      if (m.offset !== 0) {
        this.send(this.snapshotReply(m.from, index, 0, false, m.round, m.term));
        return;
      }
      buf = { index, term: m.lastIncludedTerm, size: m.size, parts: [], received: 0 };
      this.incoming = buf;
    }
    // A duplicated, stale or early chunk: say where we are.
    if (m.offset !== buf.received || buf.received + m.data.length > buf.size) {
      this.send(this.snapshotReply(m.from, index, buf.received, false, m.round, m.term));
      return;
    }
    buf.parts.push(m.data);
    buf.received += m.data.length;
    if (!m.done) {
      this.send(this.snapshotReply(m.from, index, buf.received, false, m.round, m.term));
      return;
    }
    assert(buf.received === buf.size, () => `snapshot ${index} done at ${buf.received} of ${buf.size} bytes`);
    this.incoming = null;
    const term = m.lastIncludedTerm;
    const keepTail =
      this.policy.installKeepsTail &&
      index > this.snapIndex &&
      index <= this.lastIdx() &&
      this.termAt(index) === term;
    if (keepTail) {
      this.dropPrefix(index);
    } else {
      this.discardLog();
    }
    this.setSnapshot(index, term, m.membership, buf.parts.join(''), true);
    if (!keepTail) this.logDirtyFrom = index + 1;
    // Only under a buggy policy is an older snapshot installed, and commit and applied go back.
    this.commit = index;
    this.applied = index;
    this.applyCheck = true;
    this.refreshMembership();
    this.send(this.snapshotReply(m.from, index, m.size, true, m.round, m.term));
  }

  /** Leader: the next chunk of our snapshot for `peer`, starting over when the snapshot changed. */
  private sendSnapshotChunk(peer: NodeId): void {
    const { snapshotSent, snapshotOffset } = this.tracker;
    if (snapshotSent[peer] !== this.snapIndex) {
      snapshotSent[peer] = this.snapIndex;
      snapshotOffset[peer] = 0;
    }
    const offset = snapshotOffset[peer]!;
    const size = this.snapData.length;
    const end = Math.min(size, offset + this.chunkBytes);
    this.send({
      type: 'InstallSnapshot',
      from: this.id,
      to: peer,
      term: this.term,
      lastIncludedIndex: this.snapIndex,
      lastIncludedTerm: this.snapTerm,
      membership: this.baseConf,
      offset,
      data: this.snapData.slice(offset, end),
      size,
      done: end === size,
      round: this.reads.round,
    });
  }

  /**
   * Leader: a follower holds state through the snapshot (match moves there, replication resumes
   * after it), or wants the chunk at `offset`. A duplicated reply asks for what was just sent and
   * is left to the heartbeat, as a duplicated AppendEntries rejection is.
   */
  private handleSnapshotReply(m: InstallSnapshotReply): void {
    const peer = m.from;
    const { nextIndex, matchIndex, probeFrom, snapshotSent, snapshotOffset } = this.tracker;
    if (m.installed) {
      const matchBefore = matchIndex[peer]!;
      let match = Math.max(matchBefore, m.lastIncludedIndex);
      if (match > this.lastIdx()) match = this.lastIdx();
      matchIndex[peer] = match;
      probeFrom[peer] = 0;
      if (snapshotSent[peer] !== 0 && snapshotSent[peer]! <= match) snapshotSent[peer] = 0;
      if (this.policy.advanceNextAfterSnapshot && nextIndex[peer]! <= match) nextIndex[peer] = match + 1;
      this.afterMatch(peer, match, matchBefore);
      return;
    }
    if (m.lastIncludedIndex !== snapshotSent[peer] || m.lastIncludedIndex !== this.snapIndex) return;
    if (m.offset === snapshotOffset[peer] || m.offset > this.snapData.length) return;
    snapshotOffset[peer] = m.offset;
    this.sendSnapshotChunk(peer);
  }

  /**
   * Leader: is a snapshot on its way to a follower heard from within the minimum election timeout?
   * A new snapshot would restart that transfer from its first chunk — and if compaction keeps pace
   * with the transfer, the follower never gets a whole snapshot (swarm seed 12895: a learner that
   * never caught up, so its promotion never happened). The transfer finishes first, and the entries
   * after it stay for the AppendEntries that follow; a follower that does not answer holds nothing back.
   */
  private followerNeeds(nowMs: number, index: number): boolean {
    const { matchIndex, heardMs, snapshotSent } = this.tracker;
    for (let k = 0; k < this.others.length; k++) {
      const peer = this.others[k]!;
      if (snapshotSent[peer] === 0 || matchIndex[peer]! >= index) continue;
      if (nowMs - heardMs[peer]! < this.config.electionTimeoutMsMin) return true;
    }
    return false;
  }

  /** The configuration in force at `index` (the latest configuration entry at or before it). */
  private configInForceAt(index: number): Membership {
    let k = this.confIndexes.length - 1;
    while (k >= 0 && this.confIndexes[k]! > index) k--;
    return k < 0 ? this.baseConf : this.confs[k]!;
  }

  /** Makes (index, term) the snapshot, to be made durable by the next ready(). */
  private setSnapshot(
    index: number,
    term: number,
    membership: Membership,
    data: string,
    installed: boolean,
  ): void {
    this.snapIndex = index;
    this.snapTerm = term;
    this.snapData = data;
    this.baseConf = membership;
    this.baseConfIndex = index;
    this.snapshotOut = { snapshot: { index, term, membership, data }, installed };
    // Writes pending in the compacted prefix are the snapshot's now.
    if (this.logDirtyFrom !== LOG_CLEAN && this.logDirtyFrom <= index) this.logDirtyFrom = index + 1;
  }

  /** Discards log[..through] (through > snapIndex, within the log): runs and configurations follow. */
  private dropPrefix(through: number): void {
    const oldLast = this.lastIdx();
    this.log.splice(0, through - this.snapIndex);
    const runStart = this.runStart;
    let drop = 0;
    while (drop < runStart.length) {
      const end = drop + 1 < runStart.length ? runStart[drop + 1]! - 1 : oldLast;
      if (end > through) break;
      drop++;
    }
    if (drop > 0) {
      runStart.splice(0, drop);
      this.runTerm.splice(0, drop);
    }
    if (runStart.length > 0 && runStart[0]! <= through) runStart[0] = through + 1;
    let confs = 0;
    while (confs < this.confIndexes.length && this.confIndexes[confs]! <= through) confs++;
    if (confs > 0) {
      this.confIndexes.splice(0, confs);
      this.confs.splice(0, confs);
    }
  }

  /** Discards the whole log (a snapshot that does not match it replaces it). */
  private discardLog(): void {
    this.log.length = 0;
    this.runStart.length = 0;
    this.runTerm.length = 0;
    this.confIndexes.length = 0;
    this.confs.length = 0;
  }

  // ---- Log. ----

  private appendAsLeader(entry: Entry): void {
    assert(this.roleNow === 'leader', 'only a leader appends on its own');
    assert(entry.term === this.term, 'a leader appends entries of its own term only');
    this.pushEntry(entry);
    this.tracker.matchIndex[this.id] = this.lastIdx();
  }

  private pushEntry(entry: Entry): void {
    const index = this.lastIdx() + 1;
    this.log.push(entry);
    const runs = this.runTerm.length;
    if (runs === 0 || this.runTerm[runs - 1] !== entry.term) {
      this.runTerm.push(entry.term);
      this.runStart.push(index);
    }
    if (index < this.logDirtyFrom) this.logDirtyFrom = index;
    this.applyCheck = true;
    if (entry.command.kind === 'config') {
      this.confIndexes.push(index);
      this.confs.push(entry.command.membership);
      this.refreshMembership();
    }
  }

  /**
   * A buggy policy's leader rewriting its own log from `fromIndex` (Leader Append-Only broken on
   * purpose, for the checker to catch). What peers were sent past the cut is sent again.
   */
  private overwriteAsLeader(fromIndex: number): void {
    assert(!this.safe, () => `leader S${this.id} would overwrite its own log at ${fromIndex}`);
    this.truncateLog(fromIndex);
    const { nextIndex, matchIndex } = this.tracker;
    for (let k = 0; k < this.others.length; k++) {
      const peer = this.others[k]!;
      if (nextIndex[peer]! > fromIndex) nextIndex[peer] = fromIndex;
      if (matchIndex[peer]! >= fromIndex) matchIndex[peer] = fromIndex - 1;
    }
    matchIndex[this.id] = this.lastIdx();
  }

  /** Remove log[fromIndex..]. Only a follower does this; a leader's log is append-only. */
  private truncateLog(fromIndex: number): void {
    assert(
      this.roleNow !== 'leader' || !this.safe,
      () => `leader S${this.id} would truncate its own log at ${fromIndex}`,
    );
    assert(fromIndex > this.snapIndex && fromIndex <= this.lastIdx(), () => `truncation at ${fromIndex}`);
    if (this.safe) {
      assert(fromIndex > this.commit, () => `S${this.id} would truncate committed index ${fromIndex}`);
    }
    this.log.length = fromIndex - this.snapIndex - 1;
    while (this.runStart.length > 0 && this.runStart[this.runStart.length - 1]! >= fromIndex) {
      this.runStart.pop();
      this.runTerm.pop();
    }
    if (fromIndex < this.logDirtyFrom) this.logDirtyFrom = fromIndex;
    this.applyCheck = true;
    const confsBefore = this.confIndexes.length;
    while (this.confIndexes.length > 0 && this.confIndexes[this.confIndexes.length - 1]! >= fromIndex) {
      this.confIndexes.pop();
      this.confs.pop();
    }
    // The configuration goes back with the entry that brought it (paper §6).
    if (this.confIndexes.length !== confsBefore) this.refreshMembership();
  }

  private lastIdx(): number {
    return this.snapIndex + this.log.length;
  }

  private lastTerm(): number {
    const runs = this.runTerm.length;
    return runs === 0 ? this.snapTerm : this.runTerm[runs - 1]!;
  }

  /** The run holding `index` (1 <= index <= lastIndex), by binary search over run starts. */
  private runAt(index: number): number {
    let lo = 0;
    let hi = this.runStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runStart[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Last index holding an entry of `term`, 0 if none. Walks back over runs, one per term. */
  private lastIndexOfTerm(term: number): number {
    for (let r = this.runTerm.length - 1; r >= 0; r--) {
      const t = this.runTerm[r]!;
      if (t === term) return r + 1 < this.runStart.length ? this.runStart[r + 1]! - 1 : this.lastIdx();
      // Terms only grow along a log, so nothing earlier can hold `term`.
      if (t < term) return 0;
    }
    // The snapshot's last included entry is the one entry of the compacted prefix still known.
    return this.snapTerm === term ? this.snapIndex : 0;
  }

  // ---- Small helpers. ----

  private setTerm(term: number): void {
    assert(term > this.term, () => `S${this.id} term would go from ${this.term} to ${term}`);
    this.term = term;
    this.vote = NONE;
    this.hardStateDirty = true;
  }

  private clearVote(): void {
    if (this.vote === NONE) return;
    this.vote = NONE;
    this.hardStateDirty = true;
  }

  private drawElectionTimeout(): void {
    const { electionTimeoutMsMin: min, electionTimeoutMsMax: max } = this.config;
    const timeoutMs = this.policy.electionTimeoutMs(this.rng, min, max);
    assert(Number.isSafeInteger(timeoutMs) && timeoutMs >= 1, () => `election timeout ${timeoutMs} ms`);
    this.electionTimeoutMs = timeoutMs;
  }

  private advanceClock(nowMs: number): void {
    assert(nowMs >= this.lastNowMs, () => `S${this.id}'s clock went back from ${this.lastNowMs} to ${nowMs}`);
    this.lastNowMs = nowMs;
  }

  private send(m: Message): void {
    assert(m.to !== this.id, () => `S${this.id} would send ${m.type} to itself`);
    this.outbox.push(m);
  }

  private snapshotReply(
    to: NodeId,
    lastIncludedIndex: number,
    offset: number,
    installed: boolean,
    round: number,
    requestTerm: number,
  ): InstallSnapshotReply {
    return {
      type: 'InstallSnapshotReply',
      from: this.id,
      to,
      term: this.term,
      lastIncludedIndex,
      offset,
      installed,
      round,
      requestTerm,
    };
  }

  private voteReply(to: NodeId, term: number, voteGranted: boolean, preVote: boolean): RequestVoteReply {
    return { type: 'RequestVoteReply', from: this.id, to, term, voteGranted, preVote };
  }

  private appendReply(
    to: NodeId,
    success: boolean,
    matchIndex: number,
    conflictTerm: number,
    conflictIndex: number,
    round: number,
    requestTerm: number,
  ): AppendEntriesReply {
    return {
      type: 'AppendEntriesReply',
      from: this.id,
      to,
      term: this.term,
      success,
      matchIndex,
      conflictTerm,
      conflictIndex,
      round,
      requestTerm,
    };
  }
}
