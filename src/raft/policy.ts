import type { Membership, Random } from './types.ts';

/**
 * The decision points of the protocol where real implementations have gone wrong.
 * The node asks its policy at each of them; `correctPolicy` answers as Figure 2 does,
 * and each bug in `src/raft/bugs/` overrides exactly one answer. Keeping the decisions
 * here keeps the node readable and makes every bug a small, named module.
 */
export interface Policy {
  /** §5.4.1: may a voter grant a vote to a candidate with this last log position? */
  logUpToDate(
    candidateLastTerm: number,
    candidateLastIndex: number,
    ownLastTerm: number,
    ownLastIndex: number,
  ): boolean;
  /** §5.4.2: may a leader in `currentTerm` commit `index` (whose entry has `entryTerm`) by counting replicas? */
  mayCommitByCounting(entryTerm: number, currentTerm: number): boolean;
  /** Which of (term, vote) reach durable storage. Correct: both. */
  persistTerm: boolean;
  persistVote: boolean;
  /**
   * Figure 2, AppendEntries receiver step 3: an existing entry conflicts with a new one
   * (same index, different terms) — or, for a buggy policy, not. Return the index from
   * which the follower's log is replaced by the request's entries, or 0 to keep its log.
   * `firstConflict` is the first conflicting index (0 if none); `requestEnd` = prevLogIndex + entries.length.
   */
  truncateFrom(firstConflict: number, requestEnd: number, lastIndex: number): number;
  /** Figure 2, AppendEntries receiver step 5: the follower's new commitIndex. */
  followerCommitIndex(leaderCommit: number, lastNewIndex: number, commitIndex: number): number;
  /**
   * §5.2: does a candidate count each voter once (who voted what), or every granted reply it
   * receives? A network that duplicates messages delivers some replies twice.
   */
  countEachVoterOnce: boolean;
  /** Does a node accept an AppendEntries of `messageTerm` while in `currentTerm`? Correct: messageTerm >= currentTerm. */
  acceptAppendTerm(messageTerm: number, currentTerm: number): boolean;
  /** A leader's new matchIndex for a follower after a successful reply. */
  matchIndexOnSuccess(replyMatchIndex: number, leaderLastIndex: number, oldMatchIndex: number): number;
  /** Is votedFor cleared when a node steps down or learns of a leader without a term change? */
  clearVoteWithinTerm: boolean;
  /** Highest index the node may hand out for applying. Correct: commitIndex. */
  applyLimit(commitIndex: number, lastIndex: number): number;
  /** The next election timeout. Correct: uniform in [min, max]. */
  electionTimeoutMs(rng: Random, minMs: number, maxMs: number): number;
  /** Does a new leader append a no-op of its term? */
  appendNoopOnElection: boolean;
  /**
   * ReadIndex and lease reads (thesis §6.4): does a leader wait until the no-op of its term has
   * committed before it serves a read? Until then its commitIndex may lag what earlier leaders
   * committed, and a read at that index can miss an acknowledged write.
   */
  readWaitsForTermCommit: boolean;
  /**
   * Lease reads: does a leader serve from its lease only when CheckQuorum is on? CheckQuorum is
   * what makes followers refuse votes while they hear from a leader; without that, a majority can
   * elect a new leader inside the old one's lease, and the lease proves nothing.
   */
  leaseNeedsCheckQuorum: boolean;
  /**
   * PreVote (thesis §9.6): does a node refuse a pre-vote while it hears from a live leader? If not,
   * a node cut off from the leader alone wins pre-votes from nodes that still follow it, and its
   * real campaign then unseats a working leader.
   */
  preVoteHonoursLeader: boolean;
  /**
   * Does a leader act on an AppendEntries reply that answers a request of an earlier term? Such a
   * reply (a follower's rejection of a late, stale request) carries the follower's current term,
   * which can equal the leader's, but its echoed heartbeat round belongs to an earlier leader or an
   * earlier incarnation of this one. Taken as an acknowledgement, it confirms rounds this leader
   * never sent, and ReadIndex and lease reads are then served by a leader that was deposed.
   */
  trustReplyToOlderTerm: boolean;
  /**
   * Figure 3, Leader Append-Only: the index at which a leader places a client's command. Correct:
   * right after its last entry. `noopIndex` is this term's no-op (0 if none).
   */
  leaderAppendIndex(lastIndex: number, noopIndex: number, commitIndex: number): number;
  /**
   * Figure 2, AppendEntries receiver step 2: does the follower's entry at prevLogIndex (of
   * `ownPrevTerm`) match the request's prevLogTerm? Correct: the terms are equal. This check is
   * what makes Log Matching hold by induction.
   */
  prevLogMatches(ownPrevTerm: number, prevLogTerm: number): boolean;

  // ---- Membership change (paper §6, thesis §4). ----

  /**
   * Paper §6: does a server use a configuration as soon as it is in its log? The alternative,
   * waiting until it commits, leaves a leader counting majorities of a configuration its log has
   * already moved past.
   */
  adoptConfigOnAppend: boolean;
  /**
   * Thesis §4.1 (the fix published after the single-server algorithm): does a leader wait until an
   * entry of its own term has committed before it appends a configuration entry? Without it, a
   * change started by a new leader can overlap an uncommitted change of an earlier leader, and two
   * disjoint majorities can each elect a leader in the same term.
   */
  changeWaitsForTermCommit: boolean;
  /** Paper §6: does a change of several voters go through the joint configuration C_old,new? */
  useJointConsensus: boolean;
  /**
   * Whose answers a leader or candidate counts for `m`: as a Voters value, majorities of `voters`
   * and of `outgoing`. Correct: exactly the voters of each half, learners never.
   */
  countedVoters(m: Membership): {
    readonly incoming: readonly number[];
    readonly outgoing: readonly number[];
  };
  /**
   * Paper §6: does a server that heard from a leader within the minimum election timeout ignore a
   * RequestVote from a server outside its configuration (a removed server whose timer still runs)?
   */
  ignoreRemovedServers: boolean;
  /** Thesis §3.10: does a leader refuse client proposals while it transfers leadership? */
  refuseProposalsDuringTransfer: boolean;

  // ---- Log compaction (paper §7). ----

  /**
   * Asked to compact through `requested` (the applied index the state machine's snapshot is at):
   * the index the log is compacted through. Correct: `requested`. Anything later puts entries in
   * the snapshot that the state machine never applied, and that may never commit.
   */
  compactThrough(requested: number, lastIndex: number): number;
  /** Does a snapshot keep its last included entry's term? Without it the consistency check and elections at the boundary go wrong. */
  snapshotKeepsTerm: boolean;
  /**
   * Figure 13, rule 6: when the follower's log holds the snapshot's last included entry, does it
   * keep the entries that follow? It acknowledged them; dropping them loses what may be committed.
   */
  installKeepsTail: boolean;
  /**
   * Does a follower install a snapshot through `snapshotIndex`? Correct: only when it is past the
   * follower's commit index; an older one would roll the state machine back.
   */
  installSnapshot(snapshotIndex: number, commitIndex: number, ownSnapshotIndex: number): boolean;
  /** Does a leader move nextIndex past a snapshot the follower installed? */
  advanceNextAfterSnapshot: boolean;
}

export const correctPolicy: Policy = {
  logUpToDate: (cTerm, cIndex, ownTerm, ownIndex) =>
    cTerm > ownTerm || (cTerm === ownTerm && cIndex >= ownIndex),
  mayCommitByCounting: (entryTerm, currentTerm) => entryTerm === currentTerm,
  persistTerm: true,
  persistVote: true,
  truncateFrom: (firstConflict) => firstConflict,
  followerCommitIndex: (leaderCommit, lastNewIndex, commitIndex) =>
    Math.max(commitIndex, Math.min(leaderCommit, lastNewIndex)),
  countEachVoterOnce: true,
  acceptAppendTerm: (messageTerm, currentTerm) => messageTerm >= currentTerm,
  matchIndexOnSuccess: (replyMatchIndex, _leaderLastIndex, oldMatchIndex) =>
    Math.max(oldMatchIndex, replyMatchIndex),
  clearVoteWithinTerm: false,
  applyLimit: (commitIndex) => commitIndex,
  electionTimeoutMs: (rng, minMs, maxMs) => minMs + Math.floor(rng() * (maxMs - minMs + 1)),
  appendNoopOnElection: true,
  readWaitsForTermCommit: true,
  leaseNeedsCheckQuorum: true,
  preVoteHonoursLeader: true,
  trustReplyToOlderTerm: false,
  leaderAppendIndex: (lastIndex) => lastIndex + 1,
  prevLogMatches: (ownPrevTerm, prevLogTerm) => ownPrevTerm === prevLogTerm,
  adoptConfigOnAppend: true,
  changeWaitsForTermCommit: true,
  useJointConsensus: true,
  countedVoters: (m) => ({ incoming: m.voters, outgoing: m.outgoing }),
  ignoreRemovedServers: true,
  refuseProposalsDuringTransfer: true,
  compactThrough: (requested) => requested,
  snapshotKeepsTerm: true,
  installKeepsTail: true,
  installSnapshot: (snapshotIndex, commitIndex) => snapshotIndex > commitIndex,
  advanceNextAfterSnapshot: true,
};
