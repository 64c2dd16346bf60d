import type { Bug } from './bug.ts';

/** Figure 13, rule 6 ignored: the follower throws away entries it acknowledged. */
export const snapshotDiscardsTail: Bug = {
  name: 'snapshot-discards-tail',
  property: 'durability',
  description:
    'A follower that installs a snapshot whose last included entry matches its log discards the ' +
    'whole log instead of keeping the entries after it. It had acknowledged those entries to the ' +
    'leader of its term, which may have counted them toward a majority and committed them; with ' +
    'them gone a leader can later be elected without a committed entry.',
  requires: { compaction: true },
  policy: (base) => ({ ...base, installKeepsTail: false }),
};
