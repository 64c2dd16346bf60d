import type { Bug } from './bug.ts';

/**
 * The single-server change bug Ongaro reported after the dissertation (raft-dev, "bug in single-server
 * membership changes", July 2015): a new leader that starts a change before an entry of its own
 * term has committed can add its change on top of an uncommitted change of the previous leader
 * that it never saw, and the two configurations, each one server from a common ancestor, can have
 * disjoint majorities. The fix: no change until the leader has committed an entry of its term.
 */
export const changeBeforeTermCommit: Bug = {
  name: 'change-before-term-commit',
  property: 'membership-safety',
  description:
    'A new leader appends a configuration entry before any entry of its own term has committed. ' +
    "Its change can then follow an earlier leader's uncommitted change it never saw, and two " +
    'configurations one server apart from a common ancestor can elect two leaders in one term.',
  requires: { membership: true },
  policy: (base) => ({ ...base, changeWaitsForTermCommit: false }),
};
