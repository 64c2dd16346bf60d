import type { Bug } from './bug.ts';

/** Learners (paper §6's non-voting members) receive the log but must not count toward any majority. */
export const learnerCounted: Bug = {
  name: 'learner-counted',
  property: 'membership-safety',
  description:
    "A learner's match index and vote count toward majorities as if it were a voter. An entry " +
    'stored by a learner and a minority of the voters counts as committed, and a later leader ' +
    'elected by the real voters does not hold it.',
  requires: { membership: true },
  policy: (base) => ({
    ...base,
    countedVoters: (m) => ({
      incoming: [...m.voters, ...m.learners].sort((a, b) => a - b),
      outgoing: m.outgoing,
    }),
  }),
};
