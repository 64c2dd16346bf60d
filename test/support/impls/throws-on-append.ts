// A broken implementation for test/impl.test.ts: the reference node, except that S2 throws on the
// first message that reaches it after 500 ms (a bug in someone's code, not in raftsim).
import type { RaftImplementation } from '../../../sim/adapters/impl.ts';
import { referenceNode } from '../../../sim/adapters/reference.ts';

const reference = referenceNode();

const implementation: RaftImplementation = {
  name: 'throws-on-append',
  createNode: (args) => {
    const node = reference(args);
    if (args.id !== 2) return node;
    const step = node.step.bind(node);
    node.step = (nowMs, message) => {
      if (nowMs > 500) throw new TypeError(`cannot read properties of undefined (a ${message.type})`);
      step(nowMs, message);
    };
    return node;
  },
};

export default implementation;
