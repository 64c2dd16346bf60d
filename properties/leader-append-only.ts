import { nodeName } from './entries.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

/** Figure 3, Leader Append-Only: a leader never overwrites or deletes entries in its log during its term. */
export class LeaderAppendOnly implements Checker {
  readonly property = 'leader-append-only' as const;

  onNodeStep(step: NodeStep): Violation | null {
    const p = step.process;
    if (step.restarted || step.roleBefore !== 'leader' || p.role !== 'leader') return null;
    if (step.termBefore !== p.currentTerm) return null;
    const write = step.ready.logWrite;
    const shrank = p.lastIndex < step.lastIndexBefore;
    const overwrote = write !== null && write.fromIndex <= step.lastIndexBefore;
    if (!shrank && !overwrote) return null;
    const fromIndex = write !== null ? write.fromIndex : p.lastIndex + 1;
    return {
      property: this.property,
      message:
        `leader ${nodeName(step.node)} of term ${p.currentTerm} rewrote its own log from index ${fromIndex} ` +
        `(last index ${step.lastIndexBefore} before, ${p.lastIndex} after)`,
      nodes: [step.node],
      terms: [p.currentTerm],
      indices: [fromIndex, step.lastIndexBefore],
    };
  }
}
