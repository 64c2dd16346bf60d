import { assert } from '../src/assert.ts';
import { nodeName } from './entries.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

const NODE_LIMIT = 256;

/**
 * Durability: a node never forgets a term or a vote it acted on — its current term never
 * decreases, and it never grants its vote to two candidates in one term, across crashes and
 * restarts. The history variables are the highest term each node has shown and every granted
 * vote, keyed by (term, voter).
 */
export class Durability implements Checker {
  readonly property = 'durability' as const;
  /** Highest term each node has shown, indexed by node id (ids are small: an array, not a map). */
  private readonly highestTerm: number[] = [];
  private readonly voteOf = new Map<number, number>();

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
    const messages = step.ready.messages;
    for (let k = 0; k < messages.length; k++) {
      const m = messages[k]!;
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
}
