import type { Bug } from './bug.ts';

export const countDuplicateVotes: Bug = {
  name: 'count-duplicate-votes',
  property: 'election-safety',
  description:
    'A candidate counts every granted vote reply, so a reply the network duplicated counts twice: ' +
    'a candidate can "win" with a minority while another wins the same term with the real majority.',
  policy: (base) => ({ ...base, countVote: () => true }),
};
