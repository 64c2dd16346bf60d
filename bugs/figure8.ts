import type { Bug } from './bug.ts';

/**
 * §5.4.2 and Figure 8 of the paper. The first thing to go is Leader Completeness (the proof in
 * §5.4.3 rests on this rule): the next leader is elected without the entry. State Machine Safety
 * goes later, when that leader overwrites the entry on the nodes that applied it.
 *
 * Our leaders append a no-op on election (§8), and every AppendEntries of a term carries the log up
 * to that no-op, so a majority acknowledging an old entry has almost always acknowledged the no-op
 * too and the commit is correct by accident. The bug bites only when a lagging follower receives
 * the old entry in a batch that stops short of the no-op and the leader is lost in that window.
 * The swarm profile has a layer shaped for that window (frequent leader changes, one entry per
 * AppendEntries, loss); scenarios/figure8.json scripts the paper's story step by step.
 */
export const figure8: Bug = {
  name: 'figure8',
  property: 'leader-completeness',
  description:
    'A leader commits an entry from an earlier term once it is stored on a majority, instead of only ' +
    'entries of its own term. A node whose last entry has a higher term can still be elected without ' +
    'that entry, and overwrites it (Figure 8).',
  policy: (base) => ({ ...base, mayCommitByCounting: () => true }),
};
