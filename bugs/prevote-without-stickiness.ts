import type { Bug } from './bug.ts';

/** Thesis §9.6: a pre-vote is refused while the voter still hears from a leader. */
export const preVoteWithoutStickiness: Bug = {
  name: 'prevote-without-stickiness',
  property: 'leader-stability',
  description:
    'Nodes grant pre-votes even while they hear from a live leader. A node that cannot hear the ' +
    'leader (cut off from it alone, or rejoining after a partition) with a log as long as theirs wins ' +
    "the pre-vote from the leader's own followers and starts a real election that unseats a leader " +
    'connected to a majority.',
  requires: { preVote: true },
  policy: (base) => ({ ...base, preVoteHonoursLeader: false }),
};
