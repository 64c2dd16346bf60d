import { assert } from '../assert.ts';
import { membersOf } from './membership.ts';
import { committedIndex, VOTE_NONE, VOTE_YES, type VoteResult, type Voters, voteResult } from './quorum.ts';
import type { Membership, NodeId } from './types.ts';

/** Node ids are positive integers up to this bound: per-peer state lives in arrays indexed by id. */
export const NODE_ID_MAX = 1024;

/**
 * What a node tracks about the other members of its configuration, after etcd's `tracker/`: the
 * voters, and per peer (arrays indexed by node id, so that quorum functions read them directly)
 * the leader's replication progress, CheckQuorum's activity marks, the heartbeat rounds each
 * acknowledged, and a candidate's votes. A change of configuration is a change here, not in the
 * node's handlers.
 */
export class ProgressTracker {
  readonly self: NodeId;
  voters: Voters;
  /** Every member (voters and learners) but this node, ascending: the order messages go out in. */
  others: readonly NodeId[];
  /** Leader: the next index to send each peer. */
  readonly nextIndex: number[];
  /** Leader: the highest index each peer is known to store (this node's own last index at `self`). */
  readonly matchIndex: number[];
  /** Leader: where the last probe after a rejection started (0: none since the last success). */
  readonly probeFrom: number[];
  /** Leader, CheckQuorum: 1 for each peer heard from since the last check (and always for `self`). */
  readonly recentActive: Uint8Array;
  /** Leader: highest heartbeat round each peer acknowledged in this term (`self`: the current round). */
  readonly ackedRound: number[];
  /** Leader: the index of the snapshot being sent to each peer (0: none), and the offset of the chunk last sent. */
  readonly snapshotSent: number[];
  readonly snapshotOffset: number[];
  /** Leader: local time of the last message of our term from each peer (-∞: none this term). */
  readonly heardMs: number[];
  /** Candidate: each voter's answer, VOTE_NONE / VOTE_YES / VOTE_NO. */
  readonly votes: Uint8Array;
  private readonly member: Uint8Array;

  constructor(self: NodeId, membership: Membership) {
    assert(
      Number.isInteger(self) && self >= 1 && self <= NODE_ID_MAX,
      () => `node id ${self} outside 1..${NODE_ID_MAX}`,
    );
    const size = NODE_ID_MAX + 1;
    this.self = self;
    this.member = new Uint8Array(size);
    this.voters = { incoming: [], outgoing: [] };
    this.others = [];
    // Sized for every possible id: members come and go with the configuration.
    this.nextIndex = new Array<number>(size).fill(1);
    this.matchIndex = new Array<number>(size).fill(0);
    this.probeFrom = new Array<number>(size).fill(0);
    this.recentActive = new Uint8Array(size);
    this.recentActive[self] = 1;
    this.ackedRound = new Array<number>(size).fill(0);
    this.snapshotSent = new Array<number>(size).fill(0);
    this.snapshotOffset = new Array<number>(size).fill(0);
    this.heardMs = new Array<number>(size).fill(Number.NEGATIVE_INFINITY);
    this.votes = new Uint8Array(size);
    this.setMembership(membership, { incoming: membership.voters, outgoing: membership.outgoing }, 1);
  }

  /**
   * Switch to `m` (on appending or truncating a configuration entry), counting the answers of
   * `counted` (m's voters, unless a bug says otherwise). Members that stay keep their progress; a
   * member that joins starts at `nextIndex`, with nothing matched, heard or acknowledged.
   */
  setMembership(m: Membership, counted: Voters, nextIndex: number): void {
    const ids = membersOf(m);
    for (const id of ids) {
      assert(
        Number.isInteger(id) && id >= 1 && id <= NODE_ID_MAX,
        () => `member id ${id} outside 1..${NODE_ID_MAX}`,
      );
    }
    for (const id of ids) {
      if (this.member[id] === 1 || id === this.self) continue;
      this.nextIndex[id] = nextIndex;
      this.matchIndex[id] = 0;
      this.probeFrom[id] = 0;
      this.recentActive[id] = 0;
      this.ackedRound[id] = 0;
      this.snapshotSent[id] = 0;
      this.heardMs[id] = Number.NEGATIVE_INFINITY;
      this.votes[id] = VOTE_NONE;
    }
    this.member.fill(0);
    for (const id of ids) this.member[id] = 1;
    this.voters = counted;
    this.others = ids.filter((id) => id !== this.self);
  }

  /** A voter or learner of the configuration in use. */
  isMember(id: NodeId): boolean {
    return id >= 1 && id <= NODE_ID_MAX && this.member[id] === 1;
  }

  /** A valid id, member or not: messages may come from servers outside our configuration. */
  static isNodeId(id: NodeId): boolean {
    return Number.isInteger(id) && id >= 1 && id <= NODE_ID_MAX;
  }

  /** A new leader's view: every peer to be sent from `nextIndex` on, nothing matched, heard or acknowledged. */
  resetForLeader(nextIndex: number, lastIndex: number): void {
    for (let k = 0; k < this.others.length; k++) {
      const peer = this.others[k]!;
      this.nextIndex[peer] = nextIndex;
      this.matchIndex[peer] = 0;
      this.probeFrom[peer] = 0;
      this.recentActive[peer] = 0;
      this.ackedRound[peer] = 0;
      this.snapshotSent[peer] = 0;
      this.heardMs[peer] = Number.NEGATIVE_INFINITY;
    }
    this.matchIndex[this.self] = lastIndex;
  }

  /** A new election: only our own vote so far. */
  resetVotes(): void {
    this.votes.fill(VOTE_NONE);
    this.votes[this.self] = VOTE_YES;
  }

  /** Records a voter's first answer in this election; later answers from it change nothing. */
  recordVote(voter: NodeId, vote: number): void {
    if (this.votes[voter] === VOTE_NONE) this.votes[voter] = vote;
  }

  /** Counts the voters of the incoming configuration who answered `vote`. */
  countIncoming(vote: number): number {
    let n = 0;
    const incoming = this.voters.incoming;
    for (let k = 0; k < incoming.length; k++) if (this.votes[incoming[k]!] === vote) n++;
    return n;
  }

  electionResult(): VoteResult {
    return voteResult(this.voters, this.votes);
  }

  /** The highest log index stored on a quorum. */
  committed(scratch: number[]): number {
    return committedIndex(this.voters, this.matchIndex, scratch);
  }

  /** CheckQuorum: was a quorum heard from since the last check? Clears the marks for the next one. */
  quorumActive(): boolean {
    const active = voteResult(this.voters, this.recentActive) === 'won';
    for (let k = 0; k < this.others.length; k++) this.recentActive[this.others[k]!] = 0;
    return active;
  }
}
