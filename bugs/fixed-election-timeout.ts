import type { Bug } from './bug.ts';

/** §5.2: randomised election timeouts are what make split votes rare. */
export const fixedElectionTimeout: Bug = {
  name: 'fixed-election-timeout',
  property: 'liveness',
  description:
    'Every node waits exactly the minimum election timeout instead of a random time in [min, max]. ' +
    'Nodes that time out together split the vote again and again, and no leader may be elected.',
  policy: (base) => ({ ...base, electionTimeoutMs: (_rng, minMs) => minMs }),
};
