import type { Bug } from './bug.ts';

/**
 * The consistency check reduced to "do I have an entry at prevLogIndex?": the follower never
 * compares that entry's term with prevLogTerm. After a leader change a follower holding entries of
 * a deposed leader then appends the new leader's entries on top of them, and its log shares an
 * (index, term) with the leader's while the prefixes differ.
 */
export const skipPrevLogTermCheck: Bug = {
  name: 'skip-prev-log-term-check',
  property: 'log-matching',
  description:
    'A follower that holds an entry at prevLogIndex accepts an AppendEntries without comparing its ' +
    "term with prevLogTerm, so it appends a leader's entries after a prefix that differs from the leader's.",
  policy: (base) => ({
    ...base,
    prevLogMatches: () => true,
  }),
};
