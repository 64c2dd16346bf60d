import type { Bug } from './bug.ts';

export const forgetVote: Bug = {
  name: 'forget-vote',
  property: 'durability',
  description:
    'votedFor is kept in memory but never written to stable storage. After a crash and restart in the ' +
    'same term the node has forgotten its vote and can vote again for another candidate.',
  policy: (base) => ({ ...base, persistVote: false }),
};
