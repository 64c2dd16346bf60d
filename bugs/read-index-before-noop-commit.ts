import type { Bug } from './bug.ts';

/** Thesis §6.4 step 1: a new leader must commit an entry of its term before it serves reads. */
export const readIndexBeforeNoopCommit: Bug = {
  name: 'read-index-before-noop-commit',
  property: 'linearizability',
  description:
    'A new leader serves ReadIndex and lease reads before the no-op of its term has committed. Its ' +
    'commitIndex can still lag a write the previous leader committed and acknowledged, so a read ' +
    'that starts after that write returned can miss it.',
  requires: { readModes: ['read-index', 'lease'] },
  policy: (base) => ({ ...base, readWaitsForTermCommit: false }),
};
