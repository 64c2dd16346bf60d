import type { Bug } from './bug.ts';

/** The log is compacted through its last index, not through what the state machine applied. */
export const snapshotBeyondCommit: Bug = {
  name: 'snapshot-beyond-commit',
  property: 'state-machine-safety',
  description:
    'Asked to compact through its applied index, a node compacts through its last log index and ' +
    'labels the snapshot with it. The snapshot then claims entries that are not committed — a ' +
    'later leader may overwrite them — and the node never applies them.',
  requires: { compaction: true },
  policy: (base) => ({ ...base, compactThrough: (_requested, lastIndex) => lastIndex }),
};
