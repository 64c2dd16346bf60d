import { assert } from '../src/assert.ts';
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
 */
export class LogMatching implements Checker {
  readonly property = 'log-matching' as const;
  private readonly seen = new Map<number, Seen>();

  onNodeStep(step: NodeStep): Violation | null {
    const write = step.ready.logWrite;
    if (write === null) return null;
    const entries = write.entries;
    let prevTerm = step.process.termAt(write.fromIndex - 1) ?? 0;
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k]!;
      const index = write.fromIndex + k;
      assert(entry.term < TERM_LIMIT, () => `term ${entry.term} beyond the log-matching key range`);
      const key = index * TERM_LIMIT + entry.term;
      const first = this.seen.get(key);
      if (first === undefined) {
        this.seen.set(key, { entry, prevTerm, node: step.node });
      } else if (first.prevTerm !== prevTerm || !sameCommand(first.entry.command, entry.command)) {
        return this.violation(step.node, index, entry, prevTerm, first);
      }
      prevTerm = entry.term;
    }
    return null;
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
