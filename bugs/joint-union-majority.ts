import type { Bug } from './bug.ts';

/** Paper §6: in C_old,new, agreement needs separate majorities of C_old and of C_new. */
export const jointUnionMajority: Bug = {
  name: 'joint-union-majority',
  property: 'membership-safety',
  description:
    'While joint, elections and commitment count one majority of the union of C_old and C_new ' +
    'instead of a majority of each. A union majority can miss most of C_new (or of C_old), which ' +
    'then decides differently once the change completes.',
  requires: { membership: true },
  policy: (base) => ({
    ...base,
    countedVoters: (m) => ({
      incoming: [...new Set([...m.voters, ...m.outgoing])].sort((a, b) => a - b),
      outgoing: [],
    }),
  }),
};
