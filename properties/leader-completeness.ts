import type { RaftProcess } from '../src/raft/process.ts';
import type { Entry } from '../src/raft/types.ts';
import { describeEntry, nodeName, sameEntry } from './entries.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

interface Commit {
  readonly index: number;
  readonly entry: Entry;
  /** The term in which it was committed: the committing node's current term. */
  readonly commitTerm: number;
  readonly node: number;
}

/**
 * Figure 3, Leader Completeness: if an entry is committed in term T, it is present in the log of
 * every leader of every term greater than T.
 *
 * Given Log Matching (checked separately), a log holding the highest committed entry holds every
 * committed entry below it, so the check needs only the commit frontier: O(1) when a node becomes
 * leader, O(nodes) when the frontier moves.
 */
export class LeaderCompleteness implements Checker {
  readonly property = 'leader-completeness' as const;
  /** Highest committed index overall. */
  private frontier: Commit | null = null;
  /** Highest committed index per commit term; consulted only when the frontier was committed in a term >= the new leader's. */
  private readonly frontierByTerm = new Map<number, Commit>();
  /**
   * The latest incarnation of every node, indexed by node id, to check current leaders when the
   * frontier moves; `nodeOrder` lists the ids in the order they were first seen, the order in
   * which leaders are checked. (Arrays rather than a map: this is written at every step.)
   */
  private readonly processByNode: (RaftProcess | undefined)[] = [];
  private readonly nodeOrder: number[] = [];

  onNodeStep(step: NodeStep): Violation | null {
    const p = step.process;
    const node = step.node;
    const known = this.processByNode[node];
    if (known !== p) {
      if (known === undefined) this.nodeOrder.push(node);
      this.processByNode[node] = p;
    }
    if (p.commitIndex > step.commitIndexBefore && !step.restarted) {
      const violation = this.onCommit(node, p);
      if (violation !== null) return violation;
    }
    const becameLeader =
      p.role === 'leader' &&
      (step.roleBefore !== 'leader' || step.termBefore !== p.currentTerm || step.restarted);
    if (!becameLeader) return null;
    const required = this.requiredFor(p.currentTerm);
    if (required === null) return null;
    return this.checkHolds(node, p, required);
  }

  private onCommit(node: number, p: RaftProcess): Violation | null {
    const index = p.commitIndex;
    if (this.frontier !== null && index <= this.frontier.index) return null;
    const entry = p.entryAt(index);
    if (entry === undefined) return null; // commit beyond the log: state-machine-safety reports it
    const commit: Commit = { index, entry, commitTerm: p.currentTerm, node };
    this.frontier = commit;
    this.frontierByTerm.set(commit.commitTerm, commit);
    const order = this.nodeOrder;
    for (let k = 0; k < order.length; k++) {
      const other = order[k]!;
      const q = this.processByNode[other]!;
      if (q.role !== 'leader' || q.currentTerm <= commit.commitTerm) continue;
      const violation = this.checkHolds(other, q, commit);
      if (violation !== null) return violation;
    }
    return null;
  }

  /** The highest entry committed in a term below `term`. */
  private requiredFor(term: number): Commit | null {
    const f = this.frontier;
    if (f === null || f.commitTerm < term) return f;
    // Rare: the frontier was committed in this term or later (a stale leader winning a lower term).
    let best: Commit | null = null;
    for (const [commitTerm, c] of this.frontierByTerm) {
      if (commitTerm < term && (best === null || c.index > best.index)) best = c;
    }
    return best;
  }

  private checkHolds(leader: number, q: RaftProcess, commit: Commit): Violation | null {
    const held = q.entryAt(commit.index);
    if (held !== undefined && sameEntry(held, commit.entry)) return null;
    // Compacted into the leader's snapshot: state-machine-safety checked that snapshot's last
    // included term against the committed log when it was taken or installed, and log matching
    // makes the prefix under it the committed one.
    if (held === undefined && commit.index <= (q.snapshotIndex ?? 0)) return null;
    return {
      property: this.property,
      message:
        `leader ${nodeName(leader)} of term ${q.currentTerm} lacks index ${commit.index} ` +
        `[${describeEntry(commit.entry)}] committed by ${nodeName(commit.node)} in term ${commit.commitTerm}` +
        (held === undefined ? ` (its log ends at ${q.lastIndex})` : ` (it holds [${describeEntry(held)}])`),
      nodes: [leader, commit.node],
      terms: [q.currentTerm, commit.commitTerm],
      indices: [commit.index],
    };
  }
}
