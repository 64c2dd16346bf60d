import type { Bug } from './bug.ts';

/** §8: the no-op at the start of a term is how a leader finds out what is committed. */
export const noNoopOnElection: Bug = {
  name: 'no-noop-on-election',
  property: 'linearizability',
  description:
    'A new leader does not append a no-op of its term. With ReadIndex reads it then has no entry of ' +
    'its own to wait for and serves reads at a commitIndex that may lag writes the previous leader ' +
    'committed and acknowledged: a read after failover returns a stale value.',
  requires: { readModes: ['read-index', 'lease'] },
  policy: (base) => ({ ...base, appendNoopOnElection: false }),
};
