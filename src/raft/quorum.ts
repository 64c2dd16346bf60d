import { assert } from '../assert.ts';
import type { NodeId } from './types.ts';

/**
 * Majority-quorum arithmetic over one set of voters, as pure functions. Joint consensus, when it
 * comes, is "both of two majority configurations agree", built from these and not special cases
 * scattered through the node.
 */

export type VoteResult = 'won' | 'lost' | 'pending';

/** Smallest number of voters that forms a majority: any two such sets share a voter. */
export function majority(voterCount: number): number {
  assert(Number.isInteger(voterCount) && voterCount >= 1, () => `voter count ${voterCount} is not positive`);
  return (voterCount >> 1) + 1;
}

/**
 * The highest log index known to be stored on a majority of `voters`: the majority-th largest of
 * their match indexes. `matchIndex` is indexed by node id. `scratch` may be passed to avoid an
 * allocation on the leader's hot path; its contents are overwritten.
 */
export function committedIndex(
  matchIndex: ArrayLike<number>,
  voters: readonly NodeId[],
  scratch: number[] = [],
): number {
  const n = voters.length;
  assert(n >= 1, 'committedIndex over an empty voter set');
  scratch.length = n;
  // Insertion sort, descending: voter sets are a handful of nodes, and this avoids a comparator closure.
  for (let k = 0; k < n; k++) {
    const voter = voters[k]!;
    const match = matchIndex[voter];
    assert(match !== undefined && match >= 0, () => `no match index for voter ${voter}`);
    let slot = k;
    while (slot > 0 && scratch[slot - 1]! < match) {
      scratch[slot] = scratch[slot - 1]!;
      slot--;
    }
    scratch[slot] = match;
  }
  return scratch[majority(n) - 1]!;
}

/**
 * Outcome of an election (or a pre-vote round) from the counts so far. `granted` may exceed the
 * number of voters only under a policy that counts duplicate replies; the arithmetic still answers.
 */
export function voteResult(granted: number, rejected: number, voterCount: number): VoteResult {
  assert(granted >= 0 && rejected >= 0, 'negative vote count');
  const needed = majority(voterCount);
  if (granted >= needed) return 'won';
  // Lost once the voters who have not said no can no longer make a majority.
  if (voterCount - rejected < needed) return 'lost';
  return 'pending';
}
