import type { NodeId } from '../../src/raft/types.ts';

/**
 * The NotLeader answers that have sent a client (or the admin) from node to node since it last
 * got an answer. A hint back at a node that has already redirected it is stale: a removed server
 * names the leader that removed it, that one knows no leader, and such servers can send a client
 * round a circle of any length until its deadline. Such a hint is not followed; the caller asks the
 * next node in turn instead.
 */
export class Redirects {
  private readonly seen = new Set<NodeId>();

  /** `from` answered NotLeader with `hint` (0: none). True when the hint is worth following. */
  follow(from: NodeId, hint: NodeId): boolean {
    const worth = hint !== 0 && hint !== from && !this.seen.has(hint);
    this.seen.add(from);
    return worth;
  }

  /** An answer or a timeout: the circle, if any, is broken. */
  clear(): void {
    this.seen.clear();
  }
}
