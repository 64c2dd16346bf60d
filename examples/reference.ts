// raftsim's own reference node, loaded the way any implementation is: `--impl examples/reference.ts`.
// It runs exactly as the built-in path runs it (test/impl.test.ts compares trace hashes), which is
// what shows that the --impl path adds nothing of its own to a run.

import type { RaftImplementation } from '../sim/adapters/impl.ts';
import { referenceNode } from '../sim/adapters/reference.ts';

const implementation: RaftImplementation = {
  name: 'reference',
  capabilities: {
    campaign: true,
    reads: true,
    preVote: true,
    checkQuorum: true,
    membership: true,
    snapshots: true,
  },
  createNode: referenceNode(),
};

export default implementation;
