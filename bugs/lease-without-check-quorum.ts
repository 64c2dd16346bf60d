import type { Bug } from './bug.ts';

/** Thesis §6.4.1: a lease is only as good as the followers' promise not to elect anyone inside it. */
export const leaseWithoutCheckQuorum: Bug = {
  name: 'lease-without-check-quorum',
  property: 'linearizability',
  description:
    'A leader serves lease reads although CheckQuorum is off, so followers grant votes while they ' +
    'still hear from it. A node cut off from the leader wins them, commits writes inside the old ' +
    'lease, and the old leader, until it hears of the new term, answers reads from its stale state.',
  requires: { readModes: ['lease'], checkQuorumOff: true },
  policy: (base) => ({ ...base, leaseNeedsCheckQuorum: false }),
};
