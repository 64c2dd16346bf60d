// The abstract state of a run, for coverage-guided exploration: what a Raft bug needs to have
// happened, with everything else (exact terms, indices, times, which node is which) forgotten.
// Two runs that reach the same abstract states tell us nothing new about each other; a run that
// reaches a new one is worth mutating further (sim/explore/search/explore.ts).
//
// Per node: its role (down while crashed), its term against the highest term any node has
// (equal, one behind, further), its commit index against the highest commit index (equal, a
// little behind, far behind), whether its log reaches the longest log and whether it holds
// entries it has not committed, and whether the last configuration it appended is joint. For the
// cluster: whether a leader of an old term still believes it leads (a stale leader), whether any
// link is cut, and, on the step itself, what caused it (the kind of message delivered, a timer, a
// client request, a restart) and whether the node cleared a read. Nodes are interchangeable: the
// state is the sorted multiset of node codes, so S1 leading and S3 leading are the same state.
//
// Cost: O(nodes) per node step (a handful of comparisons per node and a sort of at most 64 small
// integers), never the logs: a step's new entries are looked at once, when they are written.

import type { NodeStep } from '../../../properties/types.ts';
import type { Message, Role } from '../../../src/raft/types.ts';
import type { SimEvent } from '../../engine/events.ts';
import type { StepObserver } from '../../engine/observer.ts';
import type { Fault } from '../../model/faults.ts';

const ROLE_CODES: Readonly<Record<Role, number>> = { follower: 0, precandidate: 1, candidate: 2, leader: 3 };
const DOWN = 4;

const MESSAGE_CODES: Readonly<Record<Message['type'], number>> = {
  RequestVote: 0,
  RequestVoteReply: 1,
  AppendEntries: 2,
  AppendEntriesReply: 3,
  TimeoutNow: 4,
  InstallSnapshot: 5,
  InstallSnapshotReply: 6,
};

/** What caused a step, as a small number: the message kind delivered, or the kind of event. */
export function causeCode(event: SimEvent | null, restarted: boolean): number {
  if (restarted) return 10;
  if (event === null) return 11;
  switch (event.kind) {
    case 'deliver':
      return MESSAGE_CODES[event.message.type];
    case 'timer':
      return 5;
    case 'request':
      return 6;
    case 'fault':
      return 7;
    case 'resume':
      return 8;
    case 'admin-poll':
      return 9;
    case 'client-op':
    case 'client-send':
    case 'reply':
    case 'client-timeout':
    case 'client-deadline':
    case 'probe-deadline':
      return 12;
  }
}

/** Buckets of a lag behind the maximum: none, a little (up to `little`), more. */
function lagBucket(lag: number, little: number): number {
  if (lag <= 0) return 0;
  return lag <= little ? 1 : 2;
}

/** One 32-bit hash step over a small non-negative integer (FNV-1a); the same on every platform. */
function mix(h: number, x: number): number {
  return Math.imul(h ^ x, 16777619) >>> 0;
}

/** The distinct abstract states and transitions one run reached. */
export interface RunCoverage {
  /** State hashes, in the order first reached. */
  readonly states: readonly number[];
  /** Transition hashes (state before, cause, state after), in the order first taken. */
  readonly transitions: readonly number[];
}

/**
 * Follows one run's abstract state through the StepObserver hook. Create one per run; read
 * `coverage()` after the run.
 */
export class AbstractStateTracker implements StepObserver {
  private readonly servers: number;
  private readonly role: Int8Array;
  private readonly term: Float64Array;
  private readonly commit: Float64Array;
  private readonly last: Float64Array;
  private readonly joint: Uint8Array;
  private partitioned = false;
  private linksDown = 0;
  private state = 0;
  private readonly seenStates = new Set<number>();
  private readonly seenTransitions = new Set<number>();
  private readonly stateOrder: number[] = [];
  private readonly transitionOrder: number[] = [];

  /** `servers`: every server of the run, spares included (ids 1..servers). */
  constructor(servers: number) {
    this.servers = servers;
    this.role = new Int8Array(servers + 1);
    this.term = new Float64Array(servers + 1);
    this.commit = new Float64Array(servers + 1);
    this.last = new Float64Array(servers + 1);
    this.joint = new Uint8Array(servers + 1);
  }

  onFault(fault: Fault, _atMs: number): void {
    switch (fault.type) {
      case 'partition':
        this.partitioned = true;
        return;
      case 'heal':
        this.partitioned = false;
        this.linksDown = 0;
        return;
      case 'link':
        this.linksDown = Math.max(0, this.linksDown + (fault.up ? -1 : 1));
        return;
      case 'crash':
        this.role[fault.node] = DOWN;
        return;
      case 'restart':
      case 'pause':
      case 'campaign':
      case 'membership':
        return;
    }
  }

  onNodeStep(step: NodeStep, event: SimEvent | null): void {
    const id = step.node;
    const p = step.process;
    this.role[id] = ROLE_CODES[p.role];
    this.term[id] = p.currentTerm;
    this.commit[id] = p.commitIndex;
    this.last[id] = p.lastIndex;
    const write = step.ready.logWrite;
    if (write !== null) {
      // Only the entries written now, never the log: the last configuration among them decides.
      for (let i = write.entries.length - 1; i >= 0; i--) {
        const command = write.entries[i]!.command;
        if (command.kind === 'config') {
          this.joint[id] = command.membership.outgoing.length > 0 ? 1 : 0;
          break;
        }
      }
    }
    const reads = step.ready.readsReady;
    const readCleared = reads !== undefined && reads.length > 0 ? 1 : 0;
    const next = this.hashState(id, readCleared);
    const cause = causeCode(event, step.restarted);
    if (!this.seenStates.has(next)) {
      this.seenStates.add(next);
      this.stateOrder.push(next);
    }
    if (next !== this.state) {
      const t = mix(mix(mix(0x811c9dc5, this.state), cause), next) >>> 0;
      if (!this.seenTransitions.has(t)) {
        this.seenTransitions.add(t);
        this.transitionOrder.push(t);
      }
      this.state = next;
    }
  }

  /**
   * The state after a step of node `stepped`, as a hash of small counts and flags (bucketed so
   * that runs saturate them: a state nobody reached is then news, not noise).
   */
  private hashState(stepped: number, readCleared: number): number {
    const n = this.servers;
    let maxTerm = 0;
    let minTerm = Number.POSITIVE_INFINITY;
    let maxCommit = 0;
    let maxLast = 0;
    let down = 0;
    for (let i = 1; i <= n; i++) {
      if (this.role[i] === DOWN) {
        down++;
        continue;
      }
      const term = this.term[i]!;
      if (term > maxTerm) maxTerm = term;
      if (term < minTerm) minTerm = term;
      if (this.commit[i]! > maxCommit) maxCommit = this.commit[i]!;
      if (this.last[i]! > maxLast) maxLast = this.last[i]!;
    }
    let leaders = 0;
    let staleLeaders = 0;
    let candidates = 0;
    let leaderCommitLag = 3;
    let atMaxCommit = 0;
    let behindLog = 0;
    let uncommitted = 0;
    let joint = 0;
    for (let i = 1; i <= n; i++) {
      const role = this.role[i]!;
      if (role === DOWN) continue;
      if (role === ROLE_CODES.leader) {
        if (this.term[i] === maxTerm) {
          leaders++;
          leaderCommitLag = lagBucket(maxCommit - this.commit[i]!, 2);
        } else {
          staleLeaders++;
        }
      } else if (role !== ROLE_CODES.follower) {
        candidates++;
      }
      if (this.commit[i] === maxCommit) atMaxCommit++;
      if (this.last[i]! < maxLast) behindLog++;
      if (this.last[i]! > this.commit[i]!) uncommitted++;
      joint |= this.joint[i]!;
    }
    const up = n - down;
    const share = (k: number): number => (k === 0 ? 0 : k === up ? 3 : 2 * k > n ? 2 : 1);
    const steppedRole = this.role[stepped]!;
    const steppedLag = steppedRole === DOWN ? 0 : lagBucket(maxTerm - this.term[stepped]!, 1);
    const cut = this.partitioned || this.linksDown > 0 ? 1 : 0;
    let h = 0x811c9dc5;
    h = mix(h, Math.min(leaders, 2) + 3 * Math.min(staleLeaders, 1) + 6 * Math.min(candidates, 2));
    h = mix(h, (down === 0 ? 0 : 2 * down < n ? 1 : 2) + 3 * lagBucket(up === 0 ? 0 : maxTerm - minTerm, 1));
    h = mix(h, leaderCommitLag + 4 * share(atMaxCommit) + 16 * share(behindLog) + 64 * share(uncommitted));
    h = mix(h, joint + 2 * cut + 4 * readCleared + 8 * (steppedRole + 5 * steppedLag));
    return h >>> 0;
  }

  coverage(): RunCoverage {
    return { states: this.stateOrder, transitions: this.transitionOrder };
  }
}

/** Every state and transition reached so far, over many runs. */
export class CoverageMap {
  readonly states = new Set<number>();
  readonly transitions = new Set<number>();

  /** Adds a run's coverage; returns how many states and transitions were new. */
  add(run: RunCoverage): { newStates: number; newTransitions: number } {
    let newStates = 0;
    let newTransitions = 0;
    for (const s of run.states) {
      if (this.states.has(s)) continue;
      this.states.add(s);
      newStates++;
    }
    for (const t of run.transitions) {
      if (this.transitions.has(t)) continue;
      this.transitions.add(t);
      newTransitions++;
    }
    return { newStates, newTransitions };
  }
}
