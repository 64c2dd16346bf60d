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
// client request, a restart). Nodes are interchangeable: the state is made of counts of nodes in
// each condition, so S1 leading and S3 leading are the same state.
//
// What the hard bugs need, in the phases a Raft run passes through:
// - the leader's phase: whether the entry its term began with (its no-op) has committed, whether
//   it still holds uncommitted entries of earlier terms (the entries Figure 8 is about), and how
//   far its commit index lags the highest index ever committed by anyone (a node that crashed or
//   was cut off counts: a new leader that does not yet know of a write is the read-path window);
// - the read path: a read cleared, by a leader that is stale or not, whose commit index lags what
//   was committed or not, before or after its term's no-op committed; and whether the step was a
//   client's read or write arriving;
// - the snapshot path: whether the step took a snapshot or installed one.
//
// Features: each state a run reaches for the first time is also split into its parts' values and
// every pair of them. Exact states are so many that most are reached by one run only; features
// are coarse enough that "few runs reach this" means a rare condition, which is what the corpus
// is steered by half of the time (explore.ts).
//
// Cost: O(nodes) per node step (a handful of comparisons per node), never the logs: a step's new
// entries are looked at once, when they are written; the 136 feature hashes of a state are
// computed once per run that reaches it.

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

// The parts of an abstract state, each a small integer (see hashState and stepParts).
const PART_LEADERS = 0;
const PART_DOWN = 1;
const PART_TERM_SPREAD = 2;
const PART_LEADER_COMMIT_LAG = 3;
const PART_AT_MAX_COMMIT = 4;
const PART_BEHIND_LOG = 5;
const PART_UNCOMMITTED = 6;
const PART_JOINT = 7;
const PART_CUT = 8;
const PART_LEADER_PHASE = 9;
const PART_STEPPED_ROLE = 10;
const PART_STEPPED_LAG = 11;
const PART_REQUEST = 12;
const PART_READ = 13;
const PART_SNAPSHOT = 14;
const PART_CAUSE = 15;
const PARTS = 16;

/**
 * A leader's phase in its term: 1 the first entry of its term (its no-op) has committed; 2 not
 * yet, and nothing of earlier terms waits before it; 3 not yet, and entries of earlier terms wait;
 * 4 not yet, but it has committed entries of earlier terms since it was elected — which §5.4.2
 * forbids (a leader commits earlier terms' entries only by committing one of its own), the state
 * in which Figure 8 overwrites a committed entry if the leader is lost now.
 */
function phaseOf(commit: number, termStart: number, commitAtElection: number): number {
  if (commit >= termStart) return 1;
  if (commit > commitAtElection) return 4;
  return commit < termStart - 1 ? 3 : 2;
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
  /** Feature hashes (a part of a state, or two parts), in the order first reached. */
  readonly features: readonly number[];
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
  /** Per node: the first index of the term it leads (its no-op), set when it becomes leader. */
  private readonly termStart: Float64Array;
  /** Per node: its commit index when it became leader. */
  private readonly commitAtElection: Float64Array;
  /** The highest commit index any node has reached, down or not: what the cluster has committed. */
  private maxCommitEver = 0;
  private partitioned = false;
  private linksDown = 0;
  private state = 0;
  private readonly seenStates = new Set<number>();
  private readonly seenTransitions = new Set<number>();
  private readonly stateOrder: number[] = [];
  private readonly seenFeatures = new Set<number>();
  private readonly featureOrder: number[] = [];
  /** The parts of the state being computed (PART_*). */
  private readonly parts = new Int32Array(PARTS);
  private readonly transitionOrder: number[] = [];

  /** `servers`: every server of the run, spares included (ids 1..servers). */
  constructor(servers: number) {
    this.servers = servers;
    this.role = new Int8Array(servers + 1);
    this.term = new Float64Array(servers + 1);
    this.commit = new Float64Array(servers + 1);
    this.last = new Float64Array(servers + 1);
    this.joint = new Uint8Array(servers + 1);
    this.termStart = new Float64Array(servers + 1);
    this.commitAtElection = new Float64Array(servers + 1);
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
    if (p.commitIndex > this.maxCommitEver) this.maxCommitEver = p.commitIndex;
    const write = step.ready.logWrite;
    const newLeader =
      p.role === 'leader' &&
      (step.roleBefore !== 'leader' || step.termBefore !== p.currentTerm || step.restarted);
    // A new leader's term begins at the first entry of its term it writes now (its no-op), or
    // after its log if it writes none.
    if (newLeader) {
      this.termStart[id] = p.lastIndex + 1;
      this.commitAtElection[id] = p.commitIndex;
    }
    if (write !== null) {
      // Only the entries written now, never the log: the last configuration among them decides.
      for (let i = write.entries.length - 1; i >= 0; i--) {
        const command = write.entries[i]!.command;
        if (command.kind === 'config') {
          this.joint[id] = command.membership.outgoing.length > 0 ? 1 : 0;
          break;
        }
      }
      if (newLeader) {
        for (let i = 0; i < write.entries.length; i++) {
          if (write.entries[i]!.term !== p.currentTerm) continue;
          this.termStart[id] = write.fromIndex + i;
          break;
        }
      }
    }
    const cause = causeCode(event, step.restarted);
    this.parts[PART_CAUSE] = cause;
    this.stepParts(step, event);
    const next = this.hashState(id);
    if (!this.seenStates.has(next)) {
      this.seenStates.add(next);
      this.stateOrder.push(next);
      this.addFeatures();
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
   * What the step itself did on the read and snapshot paths: a client's read or write arriving
   * (PART_REQUEST: 0 to 2); a read cleared (PART_READ: by a stale node or not, commit lagging what
   * was committed or not, its term's no-op committed or not: 1 to 8); a snapshot taken or
   * installed (PART_SNAPSHOT: 1, 2).
   */
  private stepParts(step: NodeStep, event: SimEvent | null): void {
    const id = step.node;
    const p = step.process;
    const parts = this.parts;
    parts[PART_REQUEST] = event !== null && event.kind === 'request' ? (event.op.type === 'get' ? 1 : 2) : 0;
    const reads = step.ready.readsReady;
    parts[PART_READ] = 0;
    if (reads !== undefined && reads.length > 0) {
      const lagging = p.commitIndex < this.maxCommitEver ? 1 : 0;
      const early = p.commitIndex < this.termStart[id]! ? 1 : 0;
      // hashState adds 1 if the node is stale: it knows the highest term.
      parts[PART_READ] = 1 + 2 * lagging + 4 * early;
    }
    const snap = step.ready.snapshot;
    parts[PART_SNAPSHOT] = snap === undefined || snap === null ? 0 : snap.installed ? 2 : 1;
  }

  /**
   * The state after a step of node `stepped`, as a hash of small counts and flags (bucketed so
   * that runs saturate them: a state nobody reached is then news, not noise).
   */
  private hashState(stepped: number): number {
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
    let leaderPhase = 0;
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
          leaderCommitLag = lagBucket(this.maxCommitEver - this.commit[i]!, 2);
          const start = this.termStart[i]!;
          leaderPhase = phaseOf(this.commit[i]!, start, this.commitAtElection[i]!);
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
    const parts = this.parts;
    if (parts[PART_READ]! > 0 && this.term[stepped]! < maxTerm) parts[PART_READ]!++;
    parts[PART_LEADERS] = Math.min(leaders, 2) + 3 * Math.min(staleLeaders, 1) + 6 * Math.min(candidates, 2);
    parts[PART_DOWN] = down === 0 ? 0 : 2 * down < n ? 1 : 2;
    parts[PART_TERM_SPREAD] = lagBucket(up === 0 ? 0 : maxTerm - minTerm, 1);
    parts[PART_LEADER_COMMIT_LAG] = leaderCommitLag;
    parts[PART_AT_MAX_COMMIT] = share(atMaxCommit);
    parts[PART_BEHIND_LOG] = share(behindLog);
    parts[PART_UNCOMMITTED] = share(uncommitted);
    parts[PART_JOINT] = joint;
    parts[PART_CUT] = cut;
    parts[PART_LEADER_PHASE] = leaderPhase;
    parts[PART_STEPPED_ROLE] = steppedRole;
    parts[PART_STEPPED_LAG] = steppedLag;
    let h = 0x811c9dc5;
    for (let i = 0; i < PARTS; i++) h = mix(h, parts[i]!);
    return h >>> 0;
  }

  /**
   * The features of the state in `parts`: each part's value, and each pair of parts' values. The
   * state itself is a conjunction of every part, and a run reaches hundreds of them that no other
   * run reaches exactly; a feature is coarse enough that hit counts over runs mean something ("a
   * read arrives while the leader's no-op is uncommitted": few runs; "a follower steps": all).
   * Computed once per state a run reaches, never per step.
   */
  private addFeatures(): void {
    const parts = this.parts;
    for (let i = 0; i < PARTS; i++) {
      const single = mix(mix(0x9e3779b9, i), parts[i]!);
      this.addFeature(single);
      for (let j = i + 1; j < PARTS; j++) this.addFeature(mix(mix(single, j), parts[j]!));
    }
  }

  private addFeature(f: number): void {
    if (this.seenFeatures.has(f)) return;
    this.seenFeatures.add(f);
    this.featureOrder.push(f);
  }

  coverage(): RunCoverage {
    return { states: this.stateOrder, transitions: this.transitionOrder, features: this.featureOrder };
  }
}

/** Every state and transition reached so far, over many runs, and how many runs reached each state. */
export class CoverageMap {
  readonly states = new Set<number>();
  readonly transitions = new Set<number>();
  /** Per state, the runs that reached it. */
  private readonly stateHits = new Map<number, number>();
  /** Per feature, the runs that reached it. */
  private readonly featureHits = new Map<number, number>();

  /** Adds a run's coverage; returns how many states and transitions were new. */
  add(run: RunCoverage): { newStates: number; newTransitions: number } {
    let newStates = 0;
    let newTransitions = 0;
    for (const f of run.features) this.featureHits.set(f, (this.featureHits.get(f) ?? 0) + 1);
    for (const s of run.states) {
      this.stateHits.set(s, (this.stateHits.get(s) ?? 0) + 1);
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

  /**
   * How rare the ground a run covered is, twice: the sum over its states, and over its features,
   * of one over the runs that reached each (AFLFast's and FairFuzz's idea: what few runs reach is
   * where the next new state is likely to be). A run of common states scores near 0, one of states
   * only it reached scores their number. States are what exploration counts; features are coarse
   * enough to say which conditions are rare ("a read arrives while the leader's no-op is
   * uncommitted"), where every run reaches exact states of its own.
   */
  rarity(run: Pick<RunCoverage, 'states' | 'features'>): { states: number; features: number } {
    let states = 0;
    for (const s of run.states) states += 1 / (this.stateHits.get(s) ?? 1);
    let features = 0;
    for (const f of run.features) features += 1 / (this.featureHits.get(f) ?? 1);
    return { states, features };
  }

  /** Features of `run` no earlier run reached (call before `add`). */
  newFeatures(run: RunCoverage): number {
    let k = 0;
    for (const f of run.features) if (!this.featureHits.has(f)) k++;
    return k;
  }
}
