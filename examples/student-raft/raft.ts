// A compact Raft written the way a student of MIT 6.5840 writes it from the paper's Figure 2: one
// class, the paper's field names, a log with a sentinel entry at index 0, no leader no-op (a new
// leader commits entries of earlier terms only once an entry of its own term commits), and the
// lab's fast backup (conflict term and index). It shares no code with raftsim's reference node:
// it only speaks the harness's types, which is the point — it shows that the RaftProcess contract
// is not shaped around the reference.
//
// Two classic student bugs can be switched on (StudentOptions.bug) to show the harness catching
// and shrinking them; ./bug-vote-without-log-check.ts and ./bug-truncate-on-stale-append.ts are
// the modules that do.

import type { RaftProcess } from '../../src/raft/process.ts';
import type {
  AppendEntries,
  AppendEntriesReply,
  Command,
  DurableState,
  Entry,
  HardState,
  LogWrite,
  Message,
  NodeId,
  ProposeResult,
  RaftConfig,
  Random,
  Ready,
  RequestVote,
  RequestVoteReply,
  Role,
} from '../../src/raft/types.ts';

export type StudentBug =
  /** A vote is granted without checking that the candidate's log is at least as up to date. */
  | 'vote-without-log-check'
  /** AppendEntries sets log = log[:prevLogIndex+1] + entries, even when a delayed request is shorter. */
  | 'truncate-on-stale-append';

export interface StudentOptions {
  readonly bug?: StudentBug;
}

export interface StudentArgs {
  readonly id: NodeId;
  readonly peers: readonly NodeId[];
  readonly config: RaftConfig;
  readonly rng: Random;
  readonly durable: DurableState;
  readonly nowMs: number;
}

const NOBODY = 0;

export class StudentRaft implements RaftProcess {
  readonly id: NodeId;
  private readonly peers: readonly NodeId[];
  private readonly config: RaftConfig;
  private readonly rng: Random;
  private readonly bug: StudentBug | null;

  // Persistent state on all servers (Figure 2).
  currentTerm = 0;
  votedFor: NodeId = NOBODY;
  /** log[0] is a sentinel of term 0, so that log[i] is the entry at index i. */
  private log: Entry[] = [{ term: 0, command: { kind: 'noop' } }];

  // Volatile state on all servers.
  commitIndex = 0;
  lastApplied = 0;
  role: Role = 'follower';
  leaderId: NodeId = NOBODY;

  // Volatile state on leaders, reinitialised after election.
  private nextIndex = new Map<NodeId, number>();
  private matchIndex = new Map<NodeId, number>();
  private votes = new Set<NodeId>();

  // Timers, in the node's local time.
  private electionDeadlineMs: number;
  private heartbeatDueMs = Number.POSITIVE_INFINITY;

  // What the caller has to do, since the last ready().
  private outbox: Message[] = [];
  private hardStateChanged = false;
  /** Lowest log index changed since the last ready(); Infinity when the log is unchanged. */
  private logChangedFrom = Number.POSITIVE_INFINITY;

  constructor(args: StudentArgs, options: StudentOptions = {}) {
    this.id = args.id;
    this.peers = args.peers;
    this.config = args.config;
    this.rng = args.rng;
    this.bug = options.bug ?? null;
    this.currentTerm = args.durable.hardState.currentTerm;
    this.votedFor = args.durable.hardState.votedFor;
    for (const e of args.durable.log) this.log.push(e);
    // The state machine survives a crash together with lastApplied: all of that was committed.
    this.lastApplied = args.durable.lastApplied;
    this.commitIndex = args.durable.lastApplied;
    this.electionDeadlineMs = args.nowMs + this.randomElectionTimeout();
  }

  // ---- Read-only views ----

  get lastIndex(): number {
    return this.log.length - 1;
  }
  termAt(index: number): number | undefined {
    return this.log[index]?.term;
  }
  entryAt(index: number): Entry | undefined {
    if (index < 1) return undefined;
    return this.log[index];
  }
  nextWakeMs(): number {
    return Math.min(this.electionDeadlineMs, this.heartbeatDueMs);
  }

  // ---- Inputs ----

  tick(nowMs: number): void {
    if (this.role === 'leader') {
      if (nowMs >= this.heartbeatDueMs) this.broadcastAppendEntries(nowMs);
      return;
    }
    if (nowMs >= this.electionDeadlineMs) this.startElection(nowMs);
  }

  campaign(nowMs: number): void {
    if (this.role !== 'leader') this.startElection(nowMs);
  }

  propose(_nowMs: number, command: Command): ProposeResult {
    if (this.role !== 'leader') return { ok: false, leaderHint: this.leaderId };
    this.log.push({ term: this.currentTerm, command });
    this.logChanged(this.lastIndex);
    this.matchIndex.set(this.id, this.lastIndex);
    this.advanceCommitIndex();
    // Replication waits for the next heartbeat, which carries every new entry: one round of
    // messages per heartbeat however many commands arrive.
    return { ok: true, index: this.lastIndex, term: this.currentTerm };
  }

  step(nowMs: number, m: Message): void {
    // Rules for all servers: a higher term makes us a follower of that term.
    if (m.term > this.currentTerm) this.becomeFollower(m.term, nowMs);
    switch (m.type) {
      case 'RequestVote':
        this.handleRequestVote(nowMs, m);
        return;
      case 'RequestVoteReply':
        this.handleRequestVoteReply(nowMs, m);
        return;
      case 'AppendEntries':
        this.handleAppendEntries(nowMs, m);
        return;
      case 'AppendEntriesReply':
        this.handleAppendEntriesReply(nowMs, m);
        return;
    }
  }

  ready(): Ready {
    let hardState: HardState | null = null;
    if (this.hardStateChanged) {
      hardState = { currentTerm: this.currentTerm, votedFor: this.votedFor };
      this.hardStateChanged = false;
    }
    let logWrite: LogWrite | null = null;
    if (this.logChangedFrom !== Number.POSITIVE_INFINITY) {
      logWrite = { fromIndex: this.logChangedFrom, entries: this.log.slice(this.logChangedFrom) };
      this.logChangedFrom = Number.POSITIVE_INFINITY;
    }
    const firstApplyIndex = this.lastApplied + 1;
    const toApply = this.log.slice(firstApplyIndex, this.commitIndex + 1);
    this.lastApplied = Math.max(this.lastApplied, this.commitIndex);
    const messages = this.outbox;
    this.outbox = [];
    return {
      hardState,
      logWrite,
      messages,
      firstApplyIndex: toApply.length > 0 ? firstApplyIndex : 0,
      toApply,
    };
  }

  // ---- Elections ----

  private randomElectionTimeout(): number {
    const { electionTimeoutMsMin: lo, electionTimeoutMsMax: hi } = this.config;
    return lo + Math.floor(this.rng() * (hi - lo + 1));
  }

  private becomeFollower(term: number, nowMs: number): void {
    if (term > this.currentTerm) {
      this.currentTerm = term;
      this.votedFor = NOBODY;
      this.hardStateChanged = true;
      this.leaderId = NOBODY;
    }
    // A leader had no election timer running.
    if (this.role === 'leader') this.electionDeadlineMs = nowMs + this.randomElectionTimeout();
    this.role = 'follower';
    this.heartbeatDueMs = Number.POSITIVE_INFINITY;
  }

  private startElection(nowMs: number): void {
    this.role = 'candidate';
    this.currentTerm++;
    this.votedFor = this.id;
    this.hardStateChanged = true;
    this.leaderId = NOBODY;
    this.votes = new Set([this.id]);
    this.electionDeadlineMs = nowMs + this.randomElectionTimeout();
    if (this.votes.size * 2 > this.peers.length) {
      this.becomeLeader(nowMs);
      return;
    }
    for (const peer of this.peers) {
      if (peer === this.id) continue;
      this.send({
        type: 'RequestVote',
        from: this.id,
        to: peer,
        term: this.currentTerm,
        lastLogIndex: this.lastIndex,
        lastLogTerm: this.log[this.lastIndex]!.term,
        preVote: false,
      });
    }
  }

  private handleRequestVote(nowMs: number, args: RequestVote): void {
    let granted = false;
    // This node does not do PreVote; it never grants a pre-vote.
    if (!args.preVote && args.term === this.currentTerm) {
      const free = this.votedFor === NOBODY || this.votedFor === args.from;
      const myLastTerm = this.log[this.lastIndex]!.term;
      const upToDate =
        args.lastLogTerm > myLastTerm ||
        (args.lastLogTerm === myLastTerm && args.lastLogIndex >= this.lastIndex);
      if (free && (upToDate || this.bug === 'vote-without-log-check')) {
        granted = true;
        if (this.votedFor !== args.from) {
          this.votedFor = args.from;
          this.hardStateChanged = true;
        }
        this.electionDeadlineMs = nowMs + this.randomElectionTimeout();
      }
    }
    this.send({
      type: 'RequestVoteReply',
      from: this.id,
      to: args.from,
      term: this.currentTerm,
      voteGranted: granted,
      preVote: args.preVote,
    });
  }

  private handleRequestVoteReply(nowMs: number, reply: RequestVoteReply): void {
    if (this.role !== 'candidate' || reply.term !== this.currentTerm || reply.preVote) return;
    if (!reply.voteGranted) return;
    this.votes.add(reply.from);
    if (this.votes.size * 2 > this.peers.length) this.becomeLeader(nowMs);
  }

  private becomeLeader(nowMs: number): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.nextIndex = new Map();
    this.matchIndex = new Map();
    for (const peer of this.peers) {
      this.nextIndex.set(peer, this.lastIndex + 1);
      this.matchIndex.set(peer, peer === this.id ? this.lastIndex : 0);
    }
    // No no-op entry: entries of earlier terms commit once one of this term does.
    this.electionDeadlineMs = Number.POSITIVE_INFINITY;
    this.broadcastAppendEntries(nowMs);
  }

  // ---- Log replication ----

  private broadcastAppendEntries(nowMs: number): void {
    for (const peer of this.peers) if (peer !== this.id) this.sendAppendEntries(peer);
    this.heartbeatDueMs = nowMs + this.config.heartbeatMs;
  }

  private sendAppendEntries(peer: NodeId): void {
    const next = this.nextIndex.get(peer)!;
    const prevLogIndex = next - 1;
    const last = Math.min(this.lastIndex, prevLogIndex + this.config.maxEntriesPerAppend);
    this.send({
      type: 'AppendEntries',
      from: this.id,
      to: peer,
      term: this.currentTerm,
      prevLogIndex,
      prevLogTerm: this.log[prevLogIndex]!.term,
      entries: this.log.slice(next, last + 1),
      leaderCommit: this.commitIndex,
      round: 0,
    });
  }

  private handleAppendEntries(nowMs: number, args: AppendEntries): void {
    const reply = {
      type: 'AppendEntriesReply' as const,
      from: this.id,
      to: args.from,
      term: this.currentTerm,
      success: false,
      matchIndex: 0,
      conflictTerm: 0,
      conflictIndex: 0,
      round: args.round,
      requestTerm: args.term,
    };
    if (args.term < this.currentTerm) {
      this.send(reply);
      return;
    }
    // A current leader exists: a candidate of this term steps down.
    this.becomeFollower(args.term, nowMs);
    this.leaderId = args.from;
    this.electionDeadlineMs = nowMs + this.randomElectionTimeout();

    if (args.prevLogIndex > this.lastIndex) {
      this.send({ ...reply, conflictIndex: this.lastIndex + 1 });
      return;
    }
    const prevTerm = this.log[args.prevLogIndex]!.term;
    if (prevTerm !== args.prevLogTerm) {
      let first = args.prevLogIndex;
      while (first > 1 && this.log[first - 1]!.term === prevTerm) first--;
      this.send({ ...reply, conflictTerm: prevTerm, conflictIndex: first });
      return;
    }
    if (this.bug === 'truncate-on-stale-append') {
      // The tempting one-liner: it drops entries a longer, earlier request already appended.
      const keep = args.prevLogIndex + 1;
      if (keep < this.log.length || args.entries.length > 0) {
        this.log = [...this.log.slice(0, keep), ...args.entries];
        this.logChanged(keep);
      }
    } else {
      for (let i = 0; i < args.entries.length; i++) {
        const index = args.prevLogIndex + 1 + i;
        const entry = args.entries[i]!;
        if (index <= this.lastIndex && this.log[index]!.term === entry.term) continue;
        // A conflict (or the end of our log): everything from here on is the leader's.
        this.log.length = index;
        for (let k = i; k < args.entries.length; k++) this.log.push(args.entries[k]!);
        this.logChanged(index);
        break;
      }
    }
    const lastNewEntry = args.prevLogIndex + args.entries.length;
    if (args.leaderCommit > this.commitIndex) {
      this.commitIndex = Math.max(this.commitIndex, Math.min(args.leaderCommit, lastNewEntry));
    }
    this.send({ ...reply, success: true, matchIndex: lastNewEntry });
  }

  private handleAppendEntriesReply(_nowMs: number, reply: AppendEntriesReply): void {
    if (this.role !== 'leader' || reply.term !== this.currentTerm || reply.requestTerm !== this.currentTerm)
      return;
    const peer = reply.from;
    // Only a reply that teaches us something sends more: a duplicated or stale reply sending
    // another request would multiply the messages in flight with every duplication.
    if (reply.success) {
      if (reply.matchIndex <= this.matchIndex.get(peer)!) return;
      this.matchIndex.set(peer, reply.matchIndex);
      this.nextIndex.set(peer, reply.matchIndex + 1);
      this.advanceCommitIndex();
      if (this.nextIndex.get(peer)! <= this.lastIndex) this.sendAppendEntries(peer);
      return;
    }
    // Fast backup: skip the follower's whole conflicting term, or to the end of its log.
    let next = reply.conflictIndex;
    if (reply.conflictTerm !== 0) {
      for (let i = this.lastIndex; i >= 1; i--) {
        if (this.log[i]!.term === reply.conflictTerm) {
          next = i + 1;
          break;
        }
      }
    }
    next = Math.max(1, Math.min(next, this.lastIndex + 1));
    // Never back up past what the follower has acknowledged.
    next = Math.max(next, this.matchIndex.get(peer)! + 1);
    if (next >= this.nextIndex.get(peer)!) return;
    this.nextIndex.set(peer, next);
    this.sendAppendEntries(peer);
  }

  /** If a majority has an entry of the current term at N > commitIndex, commit up to N. */
  private advanceCommitIndex(): void {
    // The highest index a majority holds is the majority-th largest matchIndex.
    const matches = this.peers.map((peer) => this.matchIndex.get(peer)!).sort((a, b) => b - a);
    const n = matches[Math.floor(this.peers.length / 2)]!;
    if (n > this.commitIndex && this.log[n]!.term === this.currentTerm) this.commitIndex = n;
  }

  // ---- Plumbing ----

  private send(m: Message): void {
    this.outbox.push(m);
  }

  private logChanged(fromIndex: number): void {
    if (fromIndex < this.logChangedFrom) this.logChangedFrom = fromIndex;
  }
}
