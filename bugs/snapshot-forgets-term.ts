import type { Bug } from './bug.ts';

/** The snapshot records its last included index but not that entry's term. */
export const snapshotForgetsTerm: Bug = {
  name: 'snapshot-forgets-term',
  property: 'state-machine-safety',
  description:
    'A node that compacts its log keeps the last included index but records its term as 0. The ' +
    'AppendEntries consistency check at the boundary then compares against the wrong term, and a ' +
    'node whose log ends at its snapshot looks less up to date than it is when it votes.',
  requires: { compaction: true },
  policy: (base) => ({ ...base, snapshotKeepsTerm: false }),
};
