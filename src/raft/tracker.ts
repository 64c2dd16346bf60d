import { assert } from '../assert.ts';
import { committedIndex, VOTE_NONE, VOTE_YES, type VoteResult, type Voters, voteResult } from './quorum.ts';
import type { NodeId } from './types.ts';

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
  /** Every member but this node, in the order given: the order messages go out in. */
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
  /** Candidate: each voter's answer, VOTE_NONE / VOTE_YES / VOTE_NO. */
  readonly votes: Uint8Array;
  private readonly member: Uint8Array;

  constructor(self: NodeId, peers: readonly NodeId[]) {
    assert(peers.includes(self), () => `S${self} is not among its own peers [${peers.join(', ')}]`);
    const size = NODE_ID_MAX + 1;
    this.member = new Uint8Array(size);
    for (const peer of peers) {
      assert(Number.isInteger(peer), () => `peer id ${peer} is not an integer`);
      assert(peer >= 1 && peer <= NODE_ID_MAX, () => `peer id ${peer} outside 1..${NODE_ID_MAX}`);
      assert(this.member[peer] === 0, () => `peer S${peer} listed twice`);
      this.member[peer] = 1;
    }
    this.self = self;
    this.voters = { incoming: peers.slice(), outgoing: [] };
    this.others = peers.filter((peer) => peer !== self);
    const maxId = Math.max(...peers);
    this.nextIndex = new Array<number>(maxId + 1).fill(1);
    this.matchIndex = new Array<number>(maxId + 1).fill(0);
    this.probeFrom = new Array<number>(maxId + 1).fill(0);
    this.recentActive = new Uint8Array(maxId + 1);
    this.recentActive[self] = 1;
    this.ackedRound = new Array<number>(maxId + 1).fill(0);
    this.votes = new Uint8Array(maxId + 1);
  }

  isMember(id: NodeId): boolean {
    return id >= 1 && id <= NODE_ID_MAX && this.member[id] === 1;
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
