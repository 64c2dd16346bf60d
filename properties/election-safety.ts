import { nodeName } from './entries.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

/** Figure 3, Election Safety: at most one leader can be elected in a given term — over the whole run. */
export class ElectionSafety implements Checker {
  readonly property = 'election-safety' as const;
  /** History variable: the leader of every term seen so far. */
  readonly leaderOfTerm = new Map<number, number>();

  onNodeStep(step: NodeStep): Violation | null {
    const p = step.process;
    if (p.role !== 'leader') return null;
    const becameLeader = step.roleBefore !== 'leader' || step.termBefore !== p.currentTerm || step.restarted;
    if (!becameLeader) return null;
    const term = p.currentTerm;
    const earlier = this.leaderOfTerm.get(term);
    if (earlier === undefined) {
      this.leaderOfTerm.set(term, step.node);
      return null;
    }
    if (earlier === step.node) return null;
    return {
      property: this.property,
      message: `two leaders in term ${term}: ${nodeName(earlier)} and ${nodeName(step.node)}`,
      nodes: [earlier, step.node],
      terms: [term],
      indices: [],
    };
  }
}
