import type { NodeId } from '../../src/raft/types.ts';

/**
 * What a run counts for its summary: leaders by term, the highest commit index, messages lost in
 * flight or at a down node, client requests lost, and each kind of fault that took effect. Plain
 * counters bumped by the runner's handlers; nothing here decides anything.
 */
export class RunCounters {
  delivered = 0;
  droppedInFlight = 0;
  droppedAtDownNode = 0;
  requestsLost = 0;
  maxCommitIndex = 0;
  readonly faults = { partitions: 0, heals: 0, crashes: 0, restarts: 0, pauses: 0, links: 0 };
  private readonly leaderOfTerm = new Map<number, NodeId>();

  /** The first leader seen in `term` (Election Safety makes it the only one; a checker says if not). */
  noteLeader(term: number, id: NodeId): void {
    if (!this.leaderOfTerm.has(term)) this.leaderOfTerm.set(term, id);
  }

  leadersByTerm(): { term: number; leader: NodeId }[] {
    return Array.from(this.leaderOfTerm, ([term, leader]) => ({ term, leader })).sort(
      (a, b) => a.term - b.term,
    );
  }
}
