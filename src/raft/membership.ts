import { majority } from './quorum.ts';
import type { Membership, MembershipChange, NodeId } from './types.ts';

/**
 * Configurations as values (paper §6, thesis §4): what a change turns one into, whether two
 * configurations may follow each other in a log, who votes. Pure functions over sorted id lists,
 * shared by the reference node and the membership checker, so both mean the same thing by
 * "a safe step".
 */

/** The configuration every server starts from before any configuration entry: `voters`, nothing else. */
export function bootstrapMembership(voters: readonly NodeId[]): Membership {
  return { voters: sortedIds(voters), outgoing: [], learners: [] };
}

export function isJoint(m: Membership): boolean {
  return m.outgoing.length > 0;
}

/** A voter of either half: takes part in elections and commitment. */
export function isVoterIn(m: Membership, id: NodeId): boolean {
  return m.voters.includes(id) || m.outgoing.includes(id);
}

/** Everyone the leader replicates to: voters of both halves and learners, each once, ascending. */
export function membersOf(m: Membership): NodeId[] {
  const all = new Set<NodeId>([...m.voters, ...m.outgoing, ...m.learners]);
  return sortedIds([...all]);
}

export function sameMembership(a: Membership, b: Membership): boolean {
  return sameIds(a.voters, b.voters) && sameIds(a.outgoing, b.outgoing) && sameIds(a.learners, b.learners);
}

export function describeMembership(m: Membership): string {
  const names = (ids: readonly NodeId[]) => `{${ids.map((id) => `S${id}`).join(',')}}`;
  const voters = isJoint(m) ? `${names(m.outgoing)}→${names(m.voters)}` : names(m.voters);
  return m.learners.length > 0 ? `${voters} learners ${names(m.learners)}` : voters;
}

/**
 * The configuration `change` leads to from `from`, or why it cannot be made: a server added as a
 * learner must be new; only a learner can be promoted; a removed server must be a member, and the
 * last voter cannot go; a joint change needs a non-empty voter set that differs from the current
 * one; nothing is changed while joint (a joint configuration is left first). `joint` with
 * `skipJoint` replaces the voters at once (the `joint-skip` bug).
 */
export function applyChange(
  from: Membership,
  change: MembershipChange,
  skipJoint = false,
): Membership | string {
  if (isJoint(from)) return 'a joint configuration is still being left';
  switch (change.type) {
    case 'add-learner':
      if (isVoterIn(from, change.node) || from.learners.includes(change.node))
        return `S${change.node} is already a member`;
      return { voters: from.voters, outgoing: [], learners: sortedIds([...from.learners, change.node]) };
    case 'promote':
      if (!from.learners.includes(change.node)) return `S${change.node} is not a learner`;
      return {
        voters: sortedIds([...from.voters, change.node]),
        outgoing: [],
        learners: from.learners.filter((id) => id !== change.node),
      };
    case 'remove':
      if (from.learners.includes(change.node))
        return {
          voters: from.voters,
          outgoing: [],
          learners: from.learners.filter((id) => id !== change.node),
        };
      if (!from.voters.includes(change.node)) return `S${change.node} is not a member`;
      if (from.voters.length === 1) return 'the last voter cannot be removed';
      return {
        voters: from.voters.filter((id) => id !== change.node),
        outgoing: [],
        learners: from.learners,
      };
    case 'joint': {
      const voters = sortedIds(change.voters);
      if (voters.length === 0) return 'a configuration needs at least one voter';
      if (new Set(voters).size !== voters.length) return 'a voter is listed twice';
      if (sameIds(voters, from.voters)) return 'the voters would not change';
      // A server that becomes a voter stops being a learner.
      const learners = from.learners.filter((id) => !voters.includes(id));
      if (skipJoint) return { voters, outgoing: [], learners };
      return { voters, outgoing: from.voters, learners };
    }
  }
}

/** Is what `change` asks for already true of `m` (so asking again is answered 'done')? */
export function changeDone(m: Membership, change: MembershipChange): boolean {
  if (isJoint(m)) return false;
  switch (change.type) {
    case 'add-learner':
      return m.learners.includes(change.node) || m.voters.includes(change.node);
    case 'promote':
      return m.voters.includes(change.node);
    case 'remove':
      return !m.voters.includes(change.node) && !m.learners.includes(change.node);
    case 'joint':
      return sameIds(m.voters, sortedIds(change.voters));
  }
}

/** C_new: what a joint configuration leads to once it has committed. */
export function leaveJoint(m: Membership): Membership {
  return { voters: m.voters, outgoing: [], learners: m.learners };
}

/**
 * Can `next` follow `prev` in a log without letting two disjoint majorities decide (paper §6,
 * thesis §4.1)? Yes when every majority of one meets every majority of the other (always so when
 * the voters differ by one server); when `next` enters a joint configuration from `prev`'s voters;
 * and when it leaves one for its new half. Returns null when safe, else the reason.
 */
export function unsafeSuccessor(prev: Membership, next: Membership): string | null {
  if (!isJoint(prev) && isJoint(next)) {
    return sameIds(next.outgoing, prev.voters)
      ? null
      : 'a joint configuration whose old half is not the previous voters';
  }
  if (isJoint(prev) && !isJoint(next)) {
    return sameIds(next.voters, prev.voters)
      ? null
      : 'leaves a joint configuration for other voters than its new half';
  }
  if (isJoint(prev) && isJoint(next)) {
    return sameIds(prev.voters, next.voters) && sameIds(prev.outgoing, next.outgoing)
      ? null
      : 'one joint configuration follows another';
  }
  const removed = prev.voters.filter((id) => !next.voters.includes(id)).length;
  const added = next.voters.filter((id) => !prev.voters.includes(id)).length;
  if (removed + added <= 1) return null;
  // A majority of each without a shared server: each takes its own servers first, then shared ones.
  const shared = prev.voters.length - removed;
  const prevNeedsShared = Math.max(0, majority(prev.voters.length) - removed);
  const nextNeedsShared = Math.max(0, majority(next.voters.length) - added);
  if (prevNeedsShared + nextNeedsShared > shared) return null;
  return `voters change by ${removed + added} servers at once: a majority of each can be disjoint`;
}

export function sortedIds(ids: readonly NodeId[]): NodeId[] {
  return [...ids].sort((a, b) => a - b);
}

function sameIds(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
