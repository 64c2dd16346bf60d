import type { Bug } from './bug.ts';

/** §5.4.1: the election restriction. */
export const voteNoLogCheck: Bug = {
  name: 'vote-no-log-check',
  property: 'leader-completeness',
  description:
    "Voters grant their vote without checking that the candidate's log is at least as up to date as " +
    'their own, so a candidate missing committed entries can win an election.',
  policy: (base) => ({ ...base, logUpToDate: () => true }),
};
