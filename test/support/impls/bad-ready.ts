// A broken implementation for test/impl.test.ts: the student Raft, except that S3's Ready forgets
// its toApply field once the node has a log (a malformed answer, not a Raft bug).
import { StudentRaft } from '../../../examples/student-raft/raft.ts';
import type { RaftImplementation } from '../../../sim/adapters/impl.ts';
import type { Ready } from '../../../src/raft/types.ts';

const implementation: RaftImplementation = {
  name: 'bad-ready',
  createNode: (args) => {
    const node = new StudentRaft(args);
    if (args.id !== 3) return node;
    const ready = node.ready.bind(node);
    node.ready = () => {
      const r = ready();
      if (node.lastIndex === 0) return r;
      const { toApply: _dropped, ...rest } = r;
      return rest as unknown as Ready;
    };
    return node;
  },
};

export default implementation;
