import type { Entry } from '../src/raft/types.ts';
import { describeEntry, nodeName, sameCommand } from './entries.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

const TERM_LIMIT = 2 ** 22;

interface Seen {
  readonly entry: Entry;
  /** Term of the entry just before it in the log that first held it. */
  readonly prevTerm: number;
  readonly node: number;
}

/**
 * Figure 3, Log Matching: if two logs contain an entry with the same index and term, the logs
 * are identical in all entries up through that index.
 *
 * Checked incrementally over all time: the first entry ever seen at (index, term) is remembered
 * with the term of its predecessor. Every entry written later at the same (index, term), by any
 * node, must carry the same command and follow the same predecessor term. By induction down the
 * log this is the whole-prefix property, at a cost of O(entries written) per step.
 *
 * Storage is shaped by how logs grow: almost every index is only ever seen with one term, so the
 * first (index, term) of each index lives in dense arrays indexed by log index (no hashing, no
 * per-entry object), and only the rare further terms at an index — left behind by leaders whose
 * entries were overwritten — go to a map.
 */
export class LogMatching implements Checker {
  readonly property = 'log-matching' as const;
  /** firstEntry[i]: the first entry ever seen at index i; the other arrays describe it. */
  private readonly firstEntry: (Entry | undefined)[] = [undefined];
  private readonly firstTerm: number[] = [0];
  private readonly firstPrevTerm: number[] = [0];
  private readonly firstNode: number[] = [0];
  /**
   * (index, term) pairs seen after another term was first seen at that index, by index * TERM_LIMIT
   * + term; a term past TERM_LIMIT (legal, if odd) gets a string key, so no term makes it throw.
   */
  private readonly others = new Map<number | string, Seen>();

  onNodeStep(step: NodeStep): Violation | null {
    const write = step.ready.logWrite;
    if (write === null) return null;
    const entries = write.entries;
    let prevTerm = step.process.termAt(write.fromIndex - 1) ?? 0;
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k]!;
      const index = write.fromIndex + k;
      const violation = this.see(step.node, index, entry, prevTerm);
      if (violation !== null) return violation;
      prevTerm = entry.term;
    }
    return null;
  }

  private see(node: number, index: number, entry: Entry, prevTerm: number): Violation | null {
    const first = this.firstEntry[index];
    if (first === undefined) {
      this.remember(node, index, entry, prevTerm);
      return null;
    }
    if (this.firstTerm[index] === entry.term) {
      if (entry === first && this.firstPrevTerm[index] === prevTerm) return null;
      if (this.firstPrevTerm[index] !== prevTerm || !sameCommand(first.command, entry.command)) {
        const seen: Seen = {
          entry: first,
          prevTerm: this.firstPrevTerm[index]!,
          node: this.firstNode[index]!,
        };
        return this.violation(node, index, entry, prevTerm, seen);
      }
      return null;
    }
    const key = entry.term < TERM_LIMIT ? index * TERM_LIMIT + entry.term : `${index}:${entry.term}`;
    const other = this.others.get(key);
    if (other === undefined) {
      this.others.set(key, { entry, prevTerm, node });
    } else if (other.prevTerm !== prevTerm || !sameCommand(other.entry.command, entry.command)) {
      return this.violation(node, index, entry, prevTerm, other);
    }
    return null;
  }

  private remember(node: number, index: number, entry: Entry, prevTerm: number): void {
    // Logs grow one index at a time, so the arrays stay dense; a gap (a node built with a log
    // the checker never saw written) only costs a holey array, never a wrong answer.
    this.firstEntry[index] = entry;
    this.firstTerm[index] = entry.term;
    this.firstPrevTerm[index] = prevTerm;
    this.firstNode[index] = node;
  }

  private violation(node: number, index: number, entry: Entry, prevTerm: number, first: Seen): Violation {
    return {
      property: this.property,
      message:
        `index ${index} term ${entry.term}: ${nodeName(node)} holds [${describeEntry(entry)}] after term ${prevTerm}, ` +
        `${nodeName(first.node)} held [${describeEntry(first.entry)}] after term ${first.prevTerm}`,
      nodes: first.node === node ? [node] : [first.node, node],
      terms: [entry.term],
      indices: [index],
    };
  }
}
