import type { Bug } from './bug.ts';

export const forgetTerm: Bug = {
  name: 'forget-term',
  property: 'durability',
  description:
    'currentTerm is kept in memory but never written to stable storage. After a crash and restart the ' +
    'node is back in its old term, and can vote or lead again in terms it has already taken part in.',
  policy: (base) => ({ ...base, persistTerm: false }),
};
