import { assert } from '../src/assert.ts';
import type { AppendEntriesReply, InstallSnapshotReply } from '../src/raft/types.ts';
import { nodeName } from './entries.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

const NODE_LIMIT = 256;

/**
 * Durability: a node never forgets a term, a vote or an entry it acted on — its current term never
 * decreases, it never grants its vote to two candidates in one term, and within the term in which
 * it acknowledged entries to the leader (AppendEntries success up to matchIndex, or an installed
 * snapshot) it never loses them, across crashes and restarts. (Within one term the leader's log
 * only grows and holds what the follower acknowledged, so nothing the leader sends removes it; a
 * later term's leader may.) The history variables are the highest term each node has shown, every
 * granted vote, keyed by (term, voter), and per node the term and index of its latest acknowledgement.
 */
export class Durability implements Checker {
  readonly property = 'durability' as const;
  /** Highest term each node has shown, indexed by node id (ids are small: an array, not a map). */
  private readonly highestTerm: number[] = [];
  private readonly voteOf = new Map<number, number>();
  /** Per node: the term of its acknowledgements so far and the highest index acknowledged in it. */
  private readonly ackTerm: number[] = [];
  private readonly ackIndex: number[] = [];

  onNodeStep(step: NodeStep): Violation | null {
    const p = step.process;
    const node = step.node;
    const highest = this.highestTerm[node] ?? 0;
    if (p.currentTerm < highest) {
      const how = step.restarted ? 'restarted in' : 'moved back to';
      return {
        property: this.property,
        message: `${nodeName(node)} ${how} term ${p.currentTerm} after reaching term ${highest}`,
        nodes: [node],
        terms: [highest, p.currentTerm],
        indices: [],
      };
    }
    if (p.currentTerm > highest) this.highestTerm[node] = p.currentTerm;
    const lost = this.checkAcknowledged(step);
    if (lost !== null) return lost;
    const messages = step.ready.messages;
    for (let k = 0; k < messages.length; k++) {
      const m = messages[k]!;
      if (m.type === 'AppendEntriesReply' || m.type === 'InstallSnapshotReply') {
        this.noteAck(node, m);
        continue;
      }
      if (m.type !== 'RequestVoteReply' || !m.voteGranted || m.preVote) continue;
      assert(m.from < NODE_LIMIT, 'node id beyond the durability key range');
      const key = m.term * NODE_LIMIT + m.from;
      const earlier = this.voteOf.get(key);
      if (earlier === undefined) {
        this.voteOf.set(key, m.to);
      } else if (earlier !== m.to) {
        return {
          property: this.property,
          message: `${nodeName(m.from)} voted for ${nodeName(earlier)} and then ${nodeName(m.to)} in term ${m.term}`,
          nodes: [m.from, earlier, m.to],
          terms: [m.term],
          indices: [],
        };
      }
    }
    return null;
  }

  /** Entries acknowledged in the node's current term must still be in its log (or under its snapshot). */
  private checkAcknowledged(step: NodeStep): Violation | null {
    const node = step.node;
    const acked = this.ackIndex[node] ?? 0;
    if (acked === 0) return null;
    const p = step.process;
    if (this.ackTerm[node] !== p.currentTerm) {
      // A new term: its leader may replace what the old one was sent.
      this.ackIndex[node] = 0;
      return null;
    }
    if (p.lastIndex >= acked) return null;
    const lastNow = p.lastIndex;
    return {
      property: this.property,
      message: `${nodeName(node)} acknowledged index ${acked} in term ${p.currentTerm} and then lost it (its log now ends at ${lastNow})`,
      nodes: [node],
      terms: [p.currentTerm],
      indices: [acked, lastNow],
    };
  }

  private noteAck(node: number, m: AppendEntriesReply | InstallSnapshotReply): void {
    // An acknowledgement speaks for the log the node has in the term of the request it answers.
    if (m.term !== m.requestTerm) return;
    const index =
      m.type === 'AppendEntriesReply'
        ? m.success
          ? m.matchIndex
          : 0
        : m.installed
          ? m.lastIncludedIndex
          : 0;
    if (index === 0) return;
    if (this.ackTerm[node] !== m.term) {
      this.ackTerm[node] = m.term;
      this.ackIndex[node] = index;
    } else if (index > (this.ackIndex[node] ?? 0)) {
      this.ackIndex[node] = index;
    }
  }
}
