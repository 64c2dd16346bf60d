// The reference node (src/raft/node.ts) as the engine takes any Raft implementation: a
// NodeFactory. Its decision policy — the correct one, or one with bugs from the catalogue switched
// on — is bound here, so the engine never sees a Policy, and an implementation brought in by its
// author runs through exactly the code path the reference node uses.

import { countingPolicy } from '../../bugs/fires.ts';
import { policyFor } from '../../bugs/index.ts';
import { RaftNode } from '../../src/raft/node.ts';
import { correctPolicy, type Policy } from '../../src/raft/policy.ts';
import type { NodeFactory } from '../engine/runner.ts';

/** The reference node deciding by `policy` (default: the correct one). */
export function referenceNode(policy: Policy = correctPolicy): NodeFactory {
  return (args) => new RaftNode({ ...args, policy });
}

/** The reference node with bugs on, and how often each of them changed a decision so far. */
export interface BuggyReferenceNode {
  readonly createNode: NodeFactory;
  /** For each bug, the times its decision fired (bugs/fires.ts); null when no bug is on. */
  fires(): Record<string, number> | null;
}

/**
 * The reference node with the named bugs switched on (in the order given, as policyFor applies
 * them), counting each bug's firings. The count belongs to one run: build one of these per run.
 * An unknown name throws (user input is checked with findBug first).
 */
export function referenceNodeWithBugs(bugs: readonly string[]): BuggyReferenceNode {
  // No bugs: the correct policy itself, so the node keeps its strict assertions.
  if (bugs.length === 0) return { createNode: referenceNode(), fires: () => null };
  const counting = countingPolicy(bugs, policyFor(bugs));
  return {
    createNode: (args) => {
      // A node reads every flag of its policy once when built (is it the safe one?); that
      // decides nothing, so it is not counted.
      counting.pause(true);
      try {
        return new RaftNode({ ...args, policy: counting.policy });
      } finally {
        counting.pause(false);
      }
    },
    fires: () => counting.counts(),
  };
}
