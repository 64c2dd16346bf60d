import type { Bug } from './bug.ts';

/** Thesis §9.6: a pre-vote is refused while the voter still hears from a leader. */
export const preVoteWithoutStickiness: Bug = {
  name: 'prevote-without-stickiness',
  property: 'liveness',
  description:
    'Nodes grant pre-votes even while they hear from a live leader. Under a partial partition a node ' +
    'cut off from the leader alone wins the pre-vote from nodes that still follow it, campaigns for ' +
    'real and unseats the leader — again and again, so client commands stop committing.',
  policy: (base) => ({ ...base, preVoteHonoursLeader: false }),
};
