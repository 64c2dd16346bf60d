import type { Entry } from '../src/raft/types.ts';
import { describeEntry, nodeName, sameCommand } from './entries.ts';
import { commandHash, IntColumn, RecentEntries } from './ghost.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

interface Seen {
  readonly entry: Entry;
  /** How to show the entry when only its hash is kept (null: describe `entry`). */
  readonly described: string | null;
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
 * first (index, term) of each index lives in dense 32-bit columns indexed by log index (term,
 * predecessor's term, a hash of the command, the node: 16 bytes per index, and no entry kept but
 * the latest 4,096, so that compacted logs leave nothing behind here), and only the rare further terms at an index — left behind by leaders whose
 * entries were overwritten — go to a map of maps, by index and then by term. (Not one number
 * packed from both: any packing runs out of exact doubles at a large enough index or term, and
 * two pairs sharing a key would be compared as if they were one.)
 */
export class LogMatching implements Checker {
  readonly property = 'log-matching' as const;
  /** The first entry ever seen at each index: its term (0: none seen yet), predecessor's term, command hash, node. */
  private readonly firstTerm = new IntColumn();
  private readonly firstPrevTerm = new IntColumn();
  private readonly firstHash = new IntColumn();
  private readonly firstNode = new IntColumn();
  /** The first entries of the latest indexes, whole: compared exactly, and shown in reports. */
  private readonly firstRecent = new RecentEntries();
  /** (index, term) pairs seen after another term was first seen at that index: by index, then term. */
  private readonly others = new Map<number, Map<number, Seen>>();

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
    const firstTerm = this.firstTerm.get(index);
    // Terms of entries are at least 1: 0 means nothing was seen at this index yet.
    if (firstTerm === 0) {
      this.remember(node, index, entry, prevTerm);
      return null;
    }
    if (firstTerm === entry.term) {
      const first = this.firstRecent.get(index);
      const samePrev = this.firstPrevTerm.get(index) === prevTerm;
      if (entry === first && samePrev) return null;
      const sameCmd =
        first !== undefined
          ? sameCommand(first.command, entry.command)
          : this.firstHash.get(index) === commandHash(entry.command);
      if (!samePrev || !sameCmd) {
        const seen: Seen = {
          entry: first ?? entry,
          described:
            first === undefined ? `t${firstTerm} #${(this.firstHash.get(index) >>> 0).toString(16)}` : null,
          prevTerm: this.firstPrevTerm.get(index),
          node: this.firstNode.get(index),
        };
        return this.violation(node, index, entry, prevTerm, seen);
      }
      return null;
    }
    let atIndex = this.others.get(index);
    if (atIndex === undefined) {
      atIndex = new Map();
      this.others.set(index, atIndex);
    }
    const other = atIndex.get(entry.term);
    if (other === undefined) {
      atIndex.set(entry.term, { entry, described: null, prevTerm, node });
    } else if (other.prevTerm !== prevTerm || !sameCommand(other.entry.command, entry.command)) {
      return this.violation(node, index, entry, prevTerm, other);
    }
    return null;
  }

  private remember(node: number, index: number, entry: Entry, prevTerm: number): void {
    this.firstTerm.set(index, entry.term);
    this.firstPrevTerm.set(index, prevTerm);
    this.firstHash.set(index, commandHash(entry.command));
    this.firstNode.set(index, node);
    this.firstRecent.set(index, entry);
  }

  private violation(node: number, index: number, entry: Entry, prevTerm: number, first: Seen): Violation {
    return {
      property: this.property,
      message:
        `index ${index} term ${entry.term}: ${nodeName(node)} holds [${describeEntry(entry)}] after term ${prevTerm}, ` +
        `${nodeName(first.node)} held [${first.described ?? describeEntry(first.entry)}] after term ${first.prevTerm}`,
      nodes: first.node === node ? [node] : [first.node, node],
      terms: [entry.term],
      indices: [index],
    };
  }
}
