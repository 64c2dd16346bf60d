import type { Entry, Snapshot } from '../src/raft/types.ts';
import { describeEntry, nodeName, sameEntry } from './entries.ts';
import { commandHash, IntColumn, RecentEntries } from './ghost.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

/**
 * The committed log as ghost state: per index the term, a hash of the command and who committed
 * it first (12 bytes), and the latest entries whole. Logs compact; this does not.
 */
class CommittedLog {
  length = 0;
  private readonly term = new IntColumn();
  private readonly hash = new IntColumn();
  private readonly by = new IntColumn();
  private readonly recent = new RecentEntries();

  push(entry: Entry, node: number): void {
    const i = ++this.length;
    this.term.set(i, entry.term);
    this.hash.set(i, commandHash(entry.command));
    this.by.set(i, node);
    this.recent.set(i, entry);
  }

  /** Is `entry` what was committed at i (1 <= i <= length)? Exact while the entry is recent. */
  matches(i: number, entry: Entry): boolean {
    const kept = this.recent.get(i);
    if (kept !== undefined) return sameEntry(kept, entry);
    return this.term.get(i) === entry.term && this.hash.get(i) === commandHash(entry.command);
  }

  termAt(i: number): number {
    return this.term.get(i);
  }

  committedBy(i: number): number {
    return this.by.get(i);
  }

  describe(i: number): string {
    const kept = this.recent.get(i);
    if (kept !== undefined) return describeEntry(kept);
    return `t${this.term.get(i)} #${(this.hash.get(i) >>> 0).toString(16)}`;
  }
}

/**
 * Figure 3, State Machine Safety: if a server has applied a log entry at a given index, no other
 * server ever applies a different entry at that index. Checked together with what must hold for it:
 * - every node commits the same entry at an index (history variable: the committed log);
 * - a node never removes or changes an entry it has committed;
 * - a node applies only committed entries, in index order, without gaps or repeats, and its
 *   applied index never goes back within an incarnation (a restart rebuilds the state machine
 *   from the snapshot and applies the rest again, each index checked again);
 * - a snapshot (paper §7) is a state machine that applied every index through its own: taking one
 *   is allowed only through the node's commit index, and its last included term must be the term
 *   committed there (by Log Matching, the whole prefix then is); installing one counts as applying
 *   its indices, and must not take the state machine back.
 * Cost per step is proportional to what the step committed, applied or rewrote, and O(1) for a
 * snapshot whatever it covers. Memory: 12 bytes per committed index, plus the last 4,096 entries.
 */
export class StateMachineSafety implements Checker {
  readonly property = 'state-machine-safety' as const;
  private readonly committed = new CommittedLog();
  /** Highest index each node's current state machine has applied, indexed by node id. */
  private readonly appliedByNode: number[] = [];

  onNodeStep(step: NodeStep): Violation | null {
    const p = step.process;
    if (step.restarted) {
      // A new state machine, from the snapshot (checked when it was written).
      this.appliedByNode[step.node] = p.lastApplied;
      return null;
    }
    return (
      this.checkSnapshot(step) ??
      this.checkRewrite(step) ??
      this.checkCommits(step) ??
      this.checkApplies(step, this.appliedByNode[step.node] ?? 0)
    );
  }

  /** A snapshot taken or installed in this step must be of committed state, and must not go back. */
  private checkSnapshot(step: NodeStep): Violation | null {
    const written = step.ready.snapshot;
    if (written === undefined || written === null) return null;
    const s: Snapshot = written.snapshot;
    const node = step.node;
    const p = step.process;
    if (!written.installed && s.index > p.commitIndex) {
      return this.violation(
        `${nodeName(node)} took a snapshot through index ${s.index}, past its commit index ${p.commitIndex}`,
        [node],
        [s.index, p.commitIndex],
      );
    }
    if (s.index > this.committed.length) {
      return this.violation(
        `${nodeName(node)} ${written.installed ? 'installed' : 'took'} a snapshot through index ${s.index}, which no node was seen to commit (committed through ${this.committed.length})`,
        [node],
        [s.index],
      );
    }
    if (s.index > 0 && this.committed.termAt(s.index) !== s.term) {
      return this.violation(
        `${nodeName(node)}'s snapshot through index ${s.index} says its last entry has term ${s.term}; ` +
          `index ${s.index} was committed as [${this.committed.describe(s.index)}] by ${nodeName(this.committed.committedBy(s.index))}`,
        node === this.committed.committedBy(s.index) ? [node] : [node, this.committed.committedBy(s.index)],
        [s.index],
      );
    }
    const applied = this.appliedByNode[node] ?? 0;
    if (written.installed) {
      if (s.index < applied) {
        return this.violation(
          `${nodeName(node)} installed a snapshot through index ${s.index} over a state machine that had applied ${applied}: its state went back`,
          [node],
          [s.index, applied],
        );
      }
      this.appliedByNode[node] = s.index;
    }
    return null;
  }

  /** Entries at or below the node's commit index must survive any write to its log. */
  private checkRewrite(step: NodeStep): Violation | null {
    const write = step.ready.logWrite;
    const p = step.process;
    const committedBefore = step.commitIndexBefore;
    if (write === null || write.fromIndex > committedBefore) return null;
    const known = Math.min(committedBefore, this.committed.length);
    for (let i = write.fromIndex; i <= known; i++) {
      const now = p.entryAt(i);
      if (now === undefined || !this.committed.matches(i, now)) {
        const what = now === undefined ? 'removed' : `replaced it with [${describeEntry(now)}]`;
        return this.violation(
          `${nodeName(step.node)} had committed index ${i} [${this.committed.describe(i)}] and ${what}`,
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
    // Indexes a snapshot brought were judged with the snapshot (checkSnapshot).
    const from = Math.max(step.commitIndexBefore, p.snapshotIndex ?? 0) + 1;
    for (let i = from; i <= p.commitIndex; i++) {
      const entry = p.entryAt(i);
      if (entry === undefined) {
        return this.violation(
          `${nodeName(step.node)} committed index ${i}, which is missing from its log`,
          [step.node],
          [i],
        );
      }
      if (i === this.committed.length + 1) {
        this.committed.push(entry, step.node);
        continue;
      }
      // A commit index that jumped past the committed log (restored across a restart) leaves a
      // gap the checker must not fill with a wrong index.
      if (i > this.committed.length) continue;
      if (!this.committed.matches(i, entry)) {
        const other = this.committed.committedBy(i);
        return this.violation(
          `index ${i} committed as [${this.committed.describe(i)}] by ${nodeName(other)} ` +
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
      if (index > this.committed.length) {
        // Its own commit index says yes, but no node was ever seen to commit this index.
        return this.violation(
          `${nodeName(step.node)} applied index ${index} [${describeEntry(entry)}], which no node was seen to commit`,
          [step.node],
          [index],
        );
      }
      if (!this.committed.matches(index, entry)) {
        const other = this.committed.committedBy(index);
        return this.violation(
          `${nodeName(step.node)} applied [${describeEntry(entry)}] at index ${index}, ` +
            `where [${this.committed.describe(index)}] was committed by ${nodeName(other)}`,
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
