import { assert } from '../assert.ts';
import type { NodeId } from './types.ts';

/**
 * Quorum arithmetic as pure functions, over who acknowledged what (indexed by node id), never
 * over counts: a count cannot be split between two configurations, a set of voters can.
 *
 * A configuration is one majority set of voters, or two while a joint change is under way
 * (C_old,new of the paper's §6): then every decision needs a majority of each. An empty half
 * agrees with anything (a committed index of +∞, an election 'won'), so a joint function over
 * (voters, []) answers exactly as the majority function over voters: no special case for
 * "not joint" anywhere in the node.
 */

export type VoteResult = 'won' | 'lost' | 'pending';

/** What a voter answered: nothing yet, yes, or no. Stored per node id in a Uint8Array. */
export const VOTE_NONE = 0;
export const VOTE_YES = 1;
export const VOTE_NO = 2;

/** The voters of a configuration; `outgoing` is empty unless a joint change is under way. */
export interface Voters {
  readonly incoming: readonly NodeId[];
  readonly outgoing: readonly NodeId[];
}

/** Smallest number of voters that forms a majority: any two such sets share a voter. */
export function majority(voterCount: number): number {
  assert(Number.isInteger(voterCount) && voterCount >= 1, () => `voter count ${voterCount} is not positive`);
  return (voterCount >> 1) + 1;
}

/**
 * The highest value a majority of `voters` has reached (a log index they store, a heartbeat
 * round they acknowledged): the majority-th largest of `ackedById[voter]`. An empty set
 * returns +∞ (it constrains nothing). `scratch` may be passed to avoid an allocation on the
 * leader's hot path; its contents are overwritten.
 */
export function majorityCommitted(
  voters: readonly NodeId[],
  ackedById: ArrayLike<number>,
  scratch: number[] = [],
): number {
  const n = voters.length;
  if (n === 0) return Number.POSITIVE_INFINITY;
  scratch.length = n;
  // Insertion sort, descending: voter sets are a handful of nodes, and this avoids a comparator closure.
  for (let k = 0; k < n; k++) {
    const voter = voters[k]!;
    const acked = ackedById[voter];
    assert(acked !== undefined, () => `no entry for voter ${voter}`);
    assert(acked >= 0, () => `negative entry ${acked} for voter ${voter}`);
    let slot = k;
    while (slot > 0 && scratch[slot - 1]! < acked) {
      scratch[slot] = scratch[slot - 1]!;
      slot--;
    }
    scratch[slot] = acked;
  }
  return scratch[majority(n) - 1]!;
}

/** The highest value a majority of each half has reached: the smaller of the two. */
export function committedIndex(voters: Voters, ackedById: ArrayLike<number>, scratch: number[] = []): number {
  assert(voters.incoming.length + voters.outgoing.length >= 1, 'committedIndex over an empty configuration');
  const incoming = majorityCommitted(voters.incoming, ackedById, scratch);
  const outgoing = majorityCommitted(voters.outgoing, ackedById, scratch);
  return incoming < outgoing ? incoming : outgoing;
}

/**
 * An election among `voters` from who answered what (`voteById[id]` is VOTE_NONE, VOTE_YES or
 * VOTE_NO): won with a majority of yes, lost once the voters who have not said no can no longer
 * make one. An empty set has won.
 */
export function majorityVoteResult(voters: readonly NodeId[], voteById: ArrayLike<number>): VoteResult {
  const n = voters.length;
  if (n === 0) return 'won';
  let yes = 0;
  let no = 0;
  for (let k = 0; k < n; k++) {
    const vote = voteById[voters[k]!];
    if (vote === VOTE_YES) yes++;
    else if (vote === VOTE_NO) no++;
    else assert(vote === VOTE_NONE, () => `vote ${vote} of voter ${voters[k]} is not a vote`);
  }
  return resultOfCounts(yes, no, n);
}

/** Joint: won when both halves have won, lost when either has lost. */
export function voteResult(voters: Voters, voteById: ArrayLike<number>): VoteResult {
  assert(voters.incoming.length + voters.outgoing.length >= 1, 'an election in an empty configuration');
  const incoming = majorityVoteResult(voters.incoming, voteById);
  const outgoing = majorityVoteResult(voters.outgoing, voteById);
  if (incoming === 'lost' || outgoing === 'lost') return 'lost';
  if (incoming === 'won' && outgoing === 'won') return 'won';
  return 'pending';
}

/**
 * The outcome from counts of one majority set. Correct tallies go through `voteResult`; this is
 * for a tally that counts answers rather than voters (a duplicate-counting bug), where `granted`
 * may exceed the number of voters and the arithmetic still answers.
 */
export function resultOfCounts(granted: number, rejected: number, voterCount: number): VoteResult {
  assert(granted >= 0, () => `negative grant count ${granted}`);
  assert(rejected >= 0, () => `negative rejection count ${rejected}`);
  const needed = majority(voterCount);
  if (granted >= needed) return 'won';
  if (voterCount - rejected < needed) return 'lost';
  return 'pending';
}
