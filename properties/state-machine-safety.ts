import type { Entry } from '../src/raft/types.ts';
import { describeEntry, nodeName, sameEntry } from './entries.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

/**
 * Figure 3, State Machine Safety: if a server has applied a log entry at a given index, no other
 * server ever applies a different entry at that index. Checked together with what must hold for it:
 * - every node commits the same entry at an index (history variable: the committed log);
 * - a node never removes or changes an entry it has committed;
 * - a node applies only committed entries, in index order, without gaps or repeats, and its
 *   applied index never goes back, also across a restart.
 * Cost per step is proportional to what the step committed, applied or rewrote.
 */
export class StateMachineSafety implements Checker {
  readonly property = 'state-machine-safety' as const;
  /** committed[i - 1]: the entry first committed at index i, by `committedBy[i - 1]`. */
  private readonly committed: Entry[] = [];
  private readonly committedBy: number[] = [];
  /** Highest index each node has applied, over all its incarnations, indexed by node id. */
  private readonly appliedByNode: number[] = [];

  onNodeStep(step: NodeStep): Violation | null {
    const p = step.process;
    const applied = this.appliedByNode[step.node] ?? 0;
    if (step.restarted) {
      if (p.lastApplied < applied) {
        return this.violation(
          `${nodeName(step.node)} restarted with applied index ${p.lastApplied}, below the ${applied} it had applied`,
          [step.node],
          [p.lastApplied, applied],
        );
      }
      return null;
    }
    return this.checkRewrite(step) ?? this.checkCommits(step) ?? this.checkApplies(step, applied);
  }

  /** Entries at or below the node's commit index must survive any write to its log. */
  private checkRewrite(step: NodeStep): Violation | null {
    const write = step.ready.logWrite;
    const p = step.process;
    const committedBefore = step.commitIndexBefore;
    if (write === null || write.fromIndex > committedBefore) return null;
    for (let i = write.fromIndex; i <= committedBefore; i++) {
      const now = p.entryAt(i);
      const was = this.committed[i - 1];
      // A commit index the checker never saw rise (one restored across a restart) protects nothing it knows of.
      if (was === undefined) continue;
      if (now === undefined || !sameEntry(now, was)) {
        const what = now === undefined ? 'removed' : `replaced it with [${describeEntry(now)}]`;
        return this.violation(
          `${nodeName(step.node)} had committed index ${i} [${describeEntry(was)}] and ${what}`,
          [step.node],
          [i],
        );
      }
    }
    return null;
  }

  private checkCommits(step: NodeStep): Violation | null {
    const p = step.process;
    if (p.commitIndex <= step.commitIndexBefore) return null;
    if (p.commitIndex > p.lastIndex) {
      return this.violation(
        `${nodeName(step.node)} committed index ${p.commitIndex} beyond its last index ${p.lastIndex}`,
        [step.node],
        [p.commitIndex],
      );
    }
    for (let i = step.commitIndexBefore + 1; i <= p.commitIndex; i++) {
      const entry = p.entryAt(i);
      if (entry === undefined) {
        return this.violation(
          `${nodeName(step.node)} committed index ${i}, which is missing from its log`,
          [step.node],
          [i],
        );
      }
      const first = this.committed[i - 1];
      // Only the next index extends the committed log; a commit index that jumped (restored
      // across a restart) leaves a gap the checker must not fill with a wrong index.
      if (first === undefined && i === this.committed.length + 1) {
        this.committed.push(entry);
        this.committedBy.push(step.node);
        continue;
      }
      if (first !== undefined && !sameEntry(first, entry)) {
        const other = this.committedBy[i - 1]!;
        return this.violation(
          `index ${i} committed as [${describeEntry(first)}] by ${nodeName(other)} ` +
            `and as [${describeEntry(entry)}] by ${nodeName(step.node)}`,
          [other, step.node],
          [i],
        );
      }
    }
    return null;
  }

  private checkApplies(step: NodeStep, applied: number): Violation | null {
    const ready = step.ready;
    const n = ready.toApply.length;
    if (n === 0) return null;
    const p = step.process;
    if (ready.firstApplyIndex !== applied + 1) {
      return this.violation(
        `${nodeName(step.node)} applied index ${ready.firstApplyIndex} right after index ${applied}`,
        [step.node],
        [applied, ready.firstApplyIndex],
      );
    }
    for (let k = 0; k < n; k++) {
      const index = ready.firstApplyIndex + k;
      const entry = ready.toApply[k]!;
      if (index > p.commitIndex) {
        return this.violation(
          `${nodeName(step.node)} applied index ${index} [${describeEntry(entry)}] beyond its commit index ${p.commitIndex}`,
          [step.node],
          [index],
        );
      }
      const first = this.committed[index - 1];
      if (first === undefined) {
        // Its own commit index says yes, but no node was ever seen to commit this index.
        return this.violation(
          `${nodeName(step.node)} applied index ${index} [${describeEntry(entry)}], which no node was seen to commit`,
          [step.node],
          [index],
        );
      }
      if (!sameEntry(first, entry)) {
        const other = this.committedBy[index - 1]!;
        return this.violation(
          `${nodeName(step.node)} applied [${describeEntry(entry)}] at index ${index}, ` +
            `where [${describeEntry(first)}] was committed by ${nodeName(other)}`,
          [step.node, other],
          [index],
        );
      }
    }
    this.appliedByNode[step.node] = applied + n;
    return null;
  }

  private violation(message: string, nodes: number[], indices: number[]): Violation {
    return { property: this.property, message, nodes, terms: [], indices };
  }
}
