import { describe, expect, it } from 'vitest';
import { committedIndex, majority, voteResult } from '../src/raft/quorum.ts';

/** matchIndex arrays are indexed by node id; slot 0 is unused. */
const byId = (...matches: number[]): number[] => [0, ...matches];
const ids = (n: number): number[] => Array.from({ length: n }, (_, k) => k + 1);

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

describe('committedIndex: the highest index stored on a majority', () => {
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
    expect(committedIndex(byId(...matches), ids(matches.length))).toBe(expected);
  });

  it('counts only the listed voters, whatever their ids', () => {
    const match = [0, 100, 0, 7, 7];
    expect(committedIndex(match, [2, 3])).toBe(0);
    expect(committedIndex(match, [2, 3, 4])).toBe(7);
    expect(committedIndex(match, [1, 2, 3])).toBe(7);
    expect(committedIndex(match, [1, 2])).toBe(0);
  });

  it('reuses a scratch buffer without being confused by its old contents', () => {
    const scratch = [99, 99, 99, 99, 99, 99];
    expect(committedIndex(byId(1, 2, 3), ids(3), scratch)).toBe(2);
    expect(committedIndex(byId(0, 0, 5), ids(3), scratch)).toBe(0);
  });

  it('refuses a voter without a match index', () => {
    expect(() => committedIndex([0, 1], [1, 2])).toThrow(/no match index for voter 2/);
  });
});

describe('voteResult', () => {
  it.each([
    { granted: 1, rejected: 0, voters: 1, expected: 'won' },
    { granted: 1, rejected: 0, voters: 3, expected: 'pending' },
    { granted: 2, rejected: 0, voters: 3, expected: 'won' },
    { granted: 1, rejected: 1, voters: 3, expected: 'pending' },
    { granted: 1, rejected: 2, voters: 3, expected: 'lost' },
    { granted: 1, rejected: 1, voters: 2, expected: 'lost' },
    { granted: 2, rejected: 2, voters: 5, expected: 'pending' },
    { granted: 2, rejected: 3, voters: 5, expected: 'lost' },
    { granted: 3, rejected: 2, voters: 5, expected: 'won' },
    { granted: 2, rejected: 2, voters: 4, expected: 'lost' },
    { granted: 3, rejected: 0, voters: 4, expected: 'won' },
    // Only a duplicate-counting policy can get here; the arithmetic still says won.
    { granted: 4, rejected: 0, voters: 3, expected: 'won' },
  ])(
    '$granted granted, $rejected rejected of $voters -> $expected',
    ({ granted, rejected, voters, expected }) => {
      expect(voteResult(granted, rejected, voters)).toBe(expected);
    },
  );
});
