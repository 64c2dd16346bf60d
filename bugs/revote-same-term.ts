import type { Bug } from './bug.ts';

/**
 * The second vote is seen (a second granted reply in one term) before the second leader it can
 * produce, so the durability checker reports it first; election safety breaks right after.
 */
export const revoteSameTerm: Bug = {
  name: 'revote-same-term',
  property: 'durability',
  description:
    'votedFor is cleared when a node steps down or learns of a leader without a change of term, so it ' +
    'can vote a second time in the same term and help a second candidate win it.',
  policy: (base) => ({ ...base, clearVoteWithinTerm: true }),
};
