import {
  bootstrapMembership,
  describeMembership,
  isJoint,
  isVoterIn,
  sameMembership,
  unsafeSuccessor,
} from '../src/raft/membership.ts';
import type { RaftProcess } from '../src/raft/process.ts';
import type { Entry, Membership, NodeId, Snapshot } from '../src/raft/types.ts';
import { nodeName } from './entries.ts';
import type { Checker, NodeStep, Violation } from './types.ts';

/** The configuration entries of one node's log, as the checker has seen them written. */
interface ConfigLog {
  readonly indexes: number[];
  readonly configs: Membership[];
}

/**
 * Membership safety (paper §6, thesis §4): the conditions under which a change of configuration
 * cannot let two disjoint majorities decide. Election Safety and the log properties are checked by
 * their own checkers; this one checks what they rest on once the voters can change:
 *
 * 1. Overlap: in every log, each configuration entry may follow the one before it (or the
 *    bootstrap configuration): the voters change by at most one server in a way that keeps every
 *    majority of the old meeting every majority of the new, or the change goes through a joint
 *    configuration and out of it to its new half.
 * 2. One change at a time: a leader's log holds at most one configuration entry above the highest
 *    commit index any node has reached.
 * 3. A leader appends a configuration entry only after an entry of its own term has committed
 *    (thesis §4.1, the fix of the single-server change bug).
 * 4. Commitment by the right majority: when a leader advances its commit index under a changed
 *    configuration, the entry there is stored by a majority of each half of the configuration its
 *    log holds (learners do not count, a majority of the union is not enough).
 * 5. Non-voters do not lead: no server wins an election while not a voter of its configuration,
 *    and a leader whose committed configuration leaves it out has stepped down.
 *
 * Incremental: configuration entries are read only from each step's log write (O(entries
 * written)); check 4 costs O(voters) per commit advance of a leader, and only once some log holds a
 * configuration entry; the rest is O(1) per step. Memory: two numbers and a reference per
 * configuration entry per node.
 */
export class MembershipSafety implements Checker {
  readonly property = 'membership-safety' as const;
  /** The initial voters' configuration; null until onStart (a driver that never calls it): not judged then. */
  private bootstrap: Membership | null = null;
  private readonly logs: ConfigLog[] = [];
  /** The latest incarnation of every node, to ask who stores an entry (check 4). */
  private readonly processByNode: (RaftProcess | undefined)[] = [];
  /**
   * The highest commit index any node has reported. A leader that learns of a commit late may see
   * two uncommitted configuration entries that an earlier leader appended one after the other,
   * the first after it had committed: check 2 counts an entry uncommitted only above this.
   */
  private maxCommit = 0;

  onStart(voters: readonly NodeId[]): void {
    this.bootstrap = bootstrapMembership(voters);
  }

  onNodeStep(step: NodeStep): Violation | null {
    const p = step.process;
    const node = step.node;
    this.processByNode[node] = p;
    if (p.commitIndex > this.maxCommit) this.maxCommit = p.commitIndex;
    let log = this.logs[node];
    if (log === undefined) {
      log = { indexes: [], configs: [] };
      this.logs[node] = log;
    }
    const snap = step.ready.snapshot;
    if (snap !== undefined && snap !== null) this.onSnapshot(log, snap.snapshot);
    const write = step.ready.logWrite;
    if (write !== null) {
      const v = this.onWrite(step, log, write.fromIndex, write.entries);
      if (v !== null) return v;
    }
    if (p.role !== 'leader' || step.restarted) return null;
    const becameLeader = step.roleBefore !== 'leader' || step.termBefore !== p.currentTerm;
    if (log.indexes.length === 0) {
      // Under the bootstrap configuration only a spare can be the wrong leader.
      if (!becameLeader || this.bootstrap === null || isVoterIn(this.bootstrap, node)) return null;
      return this.violation(
        `${nodeName(node)} won the election of term ${p.currentTerm} while not a voter of its configuration ${describeMembership(this.bootstrap)} (the bootstrap one)`,
        [node],
        [p.currentTerm],
        [],
      );
    }
    const latestIndex = log.indexes[log.indexes.length - 1]!;
    const latest = log.configs[log.configs.length - 1]!;
    if (becameLeader && !isVoterIn(latest, node)) {
      return this.violation(
        `${nodeName(node)} won the election of term ${p.currentTerm} while not a voter of its configuration ${describeMembership(latest)} (index ${latestIndex})`,
        [node],
        [p.currentTerm],
        [latestIndex],
      );
    }
    if (latestIndex <= p.commitIndex && !isJoint(latest) && !isVoterIn(latest, node)) {
      return this.violation(
        `${nodeName(node)} still leads term ${p.currentTerm} after its removal committed (${describeMembership(latest)} at index ${latestIndex}, commit ${p.commitIndex})`,
        [node],
        [p.currentTerm],
        [latestIndex],
      );
    }
    const n = log.indexes.length;
    if (n >= 2 && log.indexes[n - 2]! > this.maxCommit) {
      return this.violation(
        `leader ${nodeName(node)} of term ${p.currentTerm} holds two uncommitted configuration entries, at ${log.indexes[n - 2]} and ${latestIndex} (highest commit anywhere ${this.maxCommit})`,
        [node],
        [p.currentTerm],
        [log.indexes[n - 2]!, latestIndex],
      );
    }
    if (p.commitIndex > step.commitIndexBefore && step.roleBefore === 'leader') {
      return this.checkCommitQuorum(node, p, latest);
    }
    return null;
  }

  /**
   * A snapshot replaces the configuration entries it covers with the configuration in force at
   * its index (paper §7); what follows it stays until the step's log write says otherwise.
   */
  private onSnapshot(log: ConfigLog, s: Snapshot): void {
    let covered = 0;
    while (covered < log.indexes.length && log.indexes[covered]! <= s.index) covered++;
    // Still the bootstrap configuration: nothing changed, and nothing to stand for.
    if (covered === 0 && this.bootstrap !== null && sameMembership(s.membership, this.bootstrap)) return;
    log.indexes.splice(0, covered, s.index);
    log.configs.splice(0, covered, s.membership);
  }

  /** Follows the step's log write: configuration entries cut off, then the new ones, each checked. */
  private onWrite(
    step: NodeStep,
    log: ConfigLog,
    fromIndex: number,
    entries: readonly Entry[],
  ): Violation | null {
    while (log.indexes.length > 0 && log.indexes[log.indexes.length - 1]! >= fromIndex) {
      log.indexes.pop();
      log.configs.pop();
    }
    const p = step.process;
    for (let k = 0; k < entries.length; k++) {
      const command = entries[k]!.command;
      if (command.kind !== 'config') continue;
      const index = fromIndex + k;
      const prev = log.configs.length === 0 ? this.bootstrap : log.configs[log.configs.length - 1]!;
      const next = command.membership;
      log.indexes.push(index);
      log.configs.push(next);
      const unsafe = prev === null ? null : unsafeSuccessor(prev, next);
      if (unsafe !== null && prev !== null) {
        return this.violation(
          `${nodeName(step.node)}'s log has ${describeMembership(next)} at index ${index} right after ${describeMembership(prev)}: ${unsafe}`,
          [step.node],
          [entries[k]!.term],
          [index],
        );
      }
      // Appended by this node as leader: entries of its own term at its log's end.
      const appendedAsLeader =
        p.role === 'leader' &&
        step.roleBefore === 'leader' &&
        entries[k]!.term === p.currentTerm &&
        !step.restarted;
      if (!appendedAsLeader) continue;
      const before = Math.min(p.commitIndex, index - 1);
      if (p.termAt(before) !== p.currentTerm) {
        return this.violation(
          `leader ${nodeName(step.node)} of term ${p.currentTerm} appended ${describeMembership(next)} at index ${index} before any entry of its term committed (commit ${p.commitIndex}, of term ${p.termAt(p.commitIndex) ?? '?'})`,
          [step.node],
          [p.currentTerm],
          [index, p.commitIndex],
        );
      }
    }
    return null;
  }

  /** Check 4: the newly committed entry is stored by a majority of each half of the leader's configuration. */
  private checkCommitQuorum(leader: NodeId, p: RaftProcess, config: Membership): Violation | null {
    const index = p.commitIndex;
    const term = p.termAt(index);
    for (const half of [config.voters, config.outgoing]) {
      if (half.length === 0) continue;
      const holders: NodeId[] = [];
      for (const id of half) {
        const q = this.processByNode[id];
        // A snapshot through the index holds it: SMS checked the snapshot against the committed log.
        if (q !== undefined && (q.termAt(index) === term || index <= (q.snapshotIndex ?? 0)))
          holders.push(id);
      }
      if (2 * holders.length > half.length) continue;
      return this.violation(
        `leader ${nodeName(leader)} committed index ${index} (term ${term}) stored by ${holders.map(nodeName).join(', ') || 'none'} of voters {${half.map(nodeName).join(',')}} in ${describeMembership(config)}: not a majority`,
        [leader, ...holders],
        [p.currentTerm],
        [index],
      );
    }
    return null;
  }

  private violation(message: string, nodes: NodeId[], terms: number[], indices: number[]): Violation {
    return { property: this.property, message, nodes, terms, indices };
  }
}
