import type { Bug } from './bug.ts';

/**
 * What is committed without being on a majority is lost at the next election: a leader is elected
 * without it (Leader Completeness) before anyone overwrites it (State Machine Safety).
 */
export const matchFromLogLength: Bug = {
  name: 'match-from-log-length',
  property: 'leader-completeness',
  description:
    "On a successful AppendEntries reply the leader sets the follower's matchIndex to its own last " +
    'index instead of the index the reply acknowledges, so it commits entries not yet on a majority, ' +
    'and the next leader can be elected without them.',
  policy: (base) => ({
    ...base,
    matchIndexOnSuccess: (_replyMatchIndex, leaderLastIndex) => leaderLastIndex,
  }),
};
