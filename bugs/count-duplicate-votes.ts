import type { Bug } from './bug.ts';

/**
 * The minority winner is often missing entries the real majority has committed, so in busy runs
 * leader completeness is reported at the moment it takes office, before a second leader of the
 * same term appears; election safety shows when logs are level (few clients, many elections).
 */
export const countDuplicateVotes: Bug = {
  name: 'count-duplicate-votes',
  property: 'election-safety',
  description:
    'A candidate counts every granted vote reply, so a reply the network duplicated counts twice: ' +
    'a candidate can "win" with a minority while another wins the same term with the real majority.',
  policy: (base) => ({ ...base, countEachVoterOnce: false }),
};
