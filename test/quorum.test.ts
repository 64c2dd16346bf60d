import { describe, expect, it } from 'vitest';
import {
  committedIndex,
  majority,
  majorityCommitted,
  majorityVoteResult,
  resultOfCounts,
  VOTE_NO,
  VOTE_NONE,
  VOTE_YES,
  type Voters,
  voteResult,
} from '../src/raft/quorum.ts';

/** Per-id arrays are indexed by node id; slot 0 is unused. */
const byId = (...values: number[]): number[] => [0, ...values];
const ids = (n: number): number[] => Array.from({ length: n }, (_, k) => k + 1);
const single = (incoming: number[]): Voters => ({ incoming, outgoing: [] });

describe('majority', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 3],
    [5, 3],
    [6, 4],
    [7, 4],
  ])('of %i voters is %i', (n, expected) => {
    expect(majority(n)).toBe(expected);
  });
  it('rejects an empty voter set', () => {
    expect(() => majority(0)).toThrow(/not positive/);
  });
});

describe('majorityCommitted: the highest index stored on a majority', () => {
  it.each([
    { matches: [5], expected: 5 },
    { matches: [5, 3], expected: 3 },
    { matches: [5, 3, 0], expected: 3 },
    { matches: [0, 0, 7], expected: 0 },
    { matches: [4, 4, 4], expected: 4 },
    { matches: [9, 1, 2, 8, 3], expected: 3 },
    { matches: [9, 8, 2, 8, 3], expected: 8 },
    { matches: [1, 2, 3, 4], expected: 2 },
    { matches: [10, 10, 0, 0], expected: 0 },
    { matches: [10, 10, 10, 0], expected: 10 },
  ])('$matches -> $expected', ({ matches, expected }) => {
    expect(majorityCommitted(ids(matches.length), byId(...matches))).toBe(expected);
    expect(committedIndex(single(ids(matches.length)), byId(...matches))).toBe(expected);
  });

  it('counts only the listed voters, whatever their ids', () => {
    const match = [0, 100, 0, 7, 7];
    expect(majorityCommitted([2, 3], match)).toBe(0);
    expect(majorityCommitted([2, 3, 4], match)).toBe(7);
    expect(majorityCommitted([1, 2, 3], match)).toBe(7);
    expect(majorityCommitted([1, 2], match)).toBe(0);
  });

  it('an empty voter set constrains nothing', () => {
    expect(majorityCommitted([], [0, 5])).toBe(Number.POSITIVE_INFINITY);
  });

  it('reuses a scratch buffer without being confused by its old contents', () => {
    const scratch = [99, 99, 99, 99, 99, 99];
    expect(majorityCommitted(ids(3), byId(1, 2, 3), scratch)).toBe(2);
    expect(majorityCommitted(ids(3), byId(0, 0, 5), scratch)).toBe(0);
  });

  it('refuses a voter without an entry', () => {
    expect(() => majorityCommitted([1, 2], [0, 1])).toThrow(/no entry for voter 2/);
  });
});

describe('committedIndex over a joint configuration: the smaller of the two majorities', () => {
  it.each([
    // Both halves the same set: as one majority.
    { incoming: [1, 2, 3], outgoing: [1, 2, 3], matches: [5, 3, 0], expected: 3 },
    // Disjoint halves disagree: the lagging half decides.
    { incoming: [1, 2, 3], outgoing: [4, 5, 6], matches: [9, 9, 9, 1, 2, 0], expected: 1 },
    { incoming: [1, 2, 3], outgoing: [4, 5, 6], matches: [0, 4, 0, 7, 7, 7], expected: 0 },
    // Overlapping halves: {1,2,3} has 5 on a majority, {3,4,5} only 2.
    { incoming: [1, 2, 3], outgoing: [3, 4, 5], matches: [5, 5, 2, 2, 0], expected: 2 },
    // One half empty: exactly the other half.
    { incoming: [1, 2, 3], outgoing: [], matches: [5, 3, 0], expected: 3 },
    { incoming: [], outgoing: [1, 2, 3], matches: [5, 3, 0], expected: 3 },
    // A union majority ({1,2,3} of five) is not a majority of each half.
    { incoming: [1, 2, 3], outgoing: [3, 4, 5], matches: [8, 8, 8, 0, 0], expected: 0 },
  ])('$incoming + $outgoing with $matches -> $expected', ({ incoming, outgoing, matches, expected }) => {
    expect(committedIndex({ incoming, outgoing }, byId(...matches))).toBe(expected);
  });

  it('refuses a configuration with no voter at all', () => {
    expect(() => committedIndex({ incoming: [], outgoing: [] }, [0])).toThrow(/empty configuration/);
  });
});

const Y = VOTE_YES;
const N = VOTE_NO;
const _ = VOTE_NONE;

describe('majorityVoteResult: who voted what', () => {
  it.each([
    { votes: [Y], expected: 'won' },
    { votes: [Y, _, _], expected: 'pending' },
    { votes: [Y, Y, _], expected: 'won' },
    { votes: [Y, N, _], expected: 'pending' },
    { votes: [Y, N, N], expected: 'lost' },
    { votes: [Y, N], expected: 'lost' },
    { votes: [Y, Y, N, N, _], expected: 'pending' },
    { votes: [Y, Y, N, N, N], expected: 'lost' },
    { votes: [Y, Y, Y, N, N], expected: 'won' },
    { votes: [Y, Y, N, N], expected: 'lost' },
    { votes: [Y, Y, Y, _], expected: 'won' },
  ])('$votes -> $expected', ({ votes, expected }) => {
    expect(majorityVoteResult(ids(votes.length), byId(...votes))).toBe(expected);
  });

  it('an empty voter set has won', () => {
    expect(majorityVoteResult([], [0])).toBe('won');
  });

  it('refuses a value that is not a vote', () => {
    expect(() => majorityVoteResult([1], [0, 7])).toThrow(/is not a vote/);
  });
});

describe('voteResult over a joint configuration: won by both halves, lost by either', () => {
  it.each([
    { incoming: [1, 2, 3], outgoing: [], votes: [Y, Y, _], expected: 'won' },
    { incoming: [], outgoing: [1, 2, 3], votes: [Y, Y, _], expected: 'won' },
    // Won in one half, pending in the other.
    { incoming: [1, 2, 3], outgoing: [3, 4, 5], votes: [Y, Y, _, _, _], expected: 'pending' },
    { incoming: [1, 2, 3], outgoing: [3, 4, 5], votes: [Y, Y, Y, _, _], expected: 'pending' },
    { incoming: [1, 2, 3], outgoing: [3, 4, 5], votes: [Y, _, Y, Y, _], expected: 'won' },
    // Won in one half, lost in the other: lost, however the union counts.
    { incoming: [1, 2, 3], outgoing: [3, 4, 5], votes: [Y, Y, _, N, N], expected: 'lost' },
    { incoming: [1, 2, 3], outgoing: [4, 5, 6], votes: [Y, Y, Y, Y, N, N], expected: 'lost' },
    { incoming: [1, 2, 3], outgoing: [4, 5, 6], votes: [Y, Y, _, Y, Y, _], expected: 'won' },
  ])('$incoming + $outgoing with $votes -> $expected', ({ incoming, outgoing, votes, expected }) => {
    expect(voteResult({ incoming, outgoing }, byId(...votes))).toBe(expected);
  });
});

describe('resultOfCounts: the tally of a duplicate-counting policy', () => {
  it.each([
    { granted: 1, rejected: 0, voters: 1, expected: 'won' },
    { granted: 1, rejected: 0, voters: 3, expected: 'pending' },
    { granted: 2, rejected: 0, voters: 3, expected: 'won' },
    { granted: 1, rejected: 2, voters: 3, expected: 'lost' },
    { granted: 2, rejected: 2, voters: 4, expected: 'lost' },
    // Only a duplicate-counting policy gets here; the arithmetic still says won.
    { granted: 4, rejected: 0, voters: 3, expected: 'won' },
  ])(
    '$granted granted, $rejected rejected of $voters -> $expected',
    ({ granted, rejected, voters, expected }) => {
      expect(resultOfCounts(granted, rejected, voters)).toBe(expected);
    },
  );
});
