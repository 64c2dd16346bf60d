// A broken implementation for test/impl.test.ts: the student Raft, except that its election timer
// reads the wall clock, which the determinism fence forbids during a run.

import { StudentRaft } from '../../../examples/student-raft/raft.ts';
import type { RaftImplementation } from '../../../sim/adapters/impl.ts';

const implementation: RaftImplementation = {
  name: 'reads-the-clock',
  createNode: (args) => {
    const node = new StudentRaft(args);
    const tick = node.tick.bind(node);
    node.tick = (nowMs) => {
      if (Date.now() > 0) tick(nowMs);
    };
    return node;
  },
};

export default implementation;
