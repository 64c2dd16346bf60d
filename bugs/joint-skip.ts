import type { Bug } from './bug.ts';

/** Paper §6: switching several voters at once lets a majority of the old and one of the new decide apart. */
export const jointSkip: Bug = {
  name: 'joint-skip',
  property: 'membership-safety',
  description:
    'A change of several voters goes straight from C_old to C_new instead of through the joint ' +
    'configuration C_old,new. While some servers use C_old and others C_new, a majority of each can ' +
    'be disjoint, and each can elect a leader and commit on its own.',
  requires: { membership: true },
  policy: (base) => ({ ...base, useJointConsensus: false }),
};
