import type { Bug } from './bug.ts';

/**
 * The classic `log = log[:prevLogIndex + 1] + entries`: the follower replaces its log after
 * prevLogIndex with the request's entries even when nothing conflicts, so whatever it holds past
 * the request's end is dropped. Harmless for an in-order stream; a delayed or duplicated shorter
 * AppendEntries (or heartbeat) arriving after a longer one removes entries the follower has
 * already acknowledged, which the leader may have counted towards a commit.
 */
export const truncateOnStaleAppend: Bug = {
  name: 'truncate-on-stale-append',
  property: 'durability',
  description:
    'A follower drops every entry past the end of an AppendEntries even when none conflicts, so a ' +
    'delayed or duplicated shorter request removes entries it already acknowledged (durability ' +
    'reports the loss at once; state machine safety once a committed one goes).',
  policy: (base) => ({
    ...base,
    truncateFrom: (firstConflict, requestEnd, lastIndex) => {
      if (firstConflict !== 0) return firstConflict;
      return requestEnd < lastIndex ? requestEnd + 1 : 0;
    },
  }),
};
