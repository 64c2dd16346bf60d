import type { Bug } from './bug.ts';

/** Figure 2, AppendEntries receiver step 5 without the min. */
export const commitNotMin: Bug = {
  name: 'commit-not-min',
  property: 'state-machine-safety',
  description:
    'A follower sets commitIndex to leaderCommit instead of min(leaderCommit, index of last new entry). ' +
    'When its log holds stale entries past what this request verified, it commits and applies those ' +
    'uncommitted, divergent entries (or commits past the end of its log).',
  policy: (base) => ({
    ...base,
    followerCommitIndex: (leaderCommit, _lastNewIndex, commitIndex) => Math.max(commitIndex, leaderCommit),
  }),
};
