import type { Bug } from './bug.ts';

/** A stale InstallSnapshot judged against the follower's own snapshot instead of its commit index. */
export const installOlderSnapshot: Bug = {
  name: 'install-older-snapshot',
  property: 'state-machine-safety',
  description:
    'A follower installs any snapshot newer than its own last snapshot, even one older than what ' +
    'it has already committed and applied (a delayed or duplicated InstallSnapshot). Its state ' +
    'machine goes back to the older state and its commit index with it.',
  requires: { compaction: true },
  policy: (base) => ({
    ...base,
    installSnapshot: (snapshotIndex, _commitIndex, ownSnapshotIndex) => snapshotIndex > ownSnapshotIndex,
  }),
};
