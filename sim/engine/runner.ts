import type { HistoryOp } from '../../properties/history.ts';
import { checkLinearizability } from '../../properties/linearizability.ts';
import type { Checker, NodeStep, PropertyId, Violation } from '../../properties/types.ts';
import { AssertionError, unreachable } from '../../src/assert.ts';
import { KvStore } from '../../src/raft/kv.ts';
import { bootstrapMembership } from '../../src/raft/membership.ts';
import type { RaftProcess } from '../../src/raft/process.ts';
import type {
  ChangeResult,
  Command,
  DurableState,
  Membership,
  NodeId,
  RaftConfig,
  Random,
  Ready,
} from '../../src/raft/types.ts';
import {
  type CompactionConfig,
  membershipLivenessSkipReason,
  type SimConfig,
  serverCount,
} from '../model/config.ts';
import { type AdminChange, describeAdminChange } from '../model/faults.ts';
import { type Fault, type Schedule, validateSchedule } from '../model/schedule.ts';
import { AdminClient, type AdminRecord } from './admin.ts';
import { ClientPool } from './clients.ts';
import type { Director, DirectorControl } from './director.ts';
import type { DeliverEvent, FaultEvent, ReplyEvent, RequestEvent, SimEvent } from './events.ts';
import { withFence } from './fence.ts';
import { Host, requestKey } from './host.ts';
import { ResourceLimitError } from './limits.ts';
import { type LivenessOutcome, LivenessProbe } from './liveness-probe.ts';
import { Network } from './network.ts';
import type { StepObserver } from './observer.ts';
import { EventQueue } from './queue.ts';
import { intBetween, stream } from './rng.ts';
import { RunCounters } from './run-counters.ts';
import { LeaderStability } from './stability.ts';
import { StepRing } from './step-ring.ts';
import type { StateMachine, StateMachines } from './storage.ts';
import { describeStep, faultFields, messageFields, Outcome, type TraceRecord, Tracer } from './trace.ts';

/**
 * What the engine gives a node when it builds one, at start and at every restart: everything it
 * decides about the node, and nothing of any implementation's own (a policy, bugs) — those are
 * bound into the factory one level up (sim/adapters/reference.ts for the reference node).
 */
export interface NodeArgs {
  readonly id: NodeId;
  /**
   * The bootstrap configuration's voters, 1..n (config.nodes). A spare server (id above n) is
   * given the same list and is not in it: it starts outside the configuration.
   */
  readonly peers: readonly NodeId[];
  readonly config: RaftConfig;
  /** The node's only randomness: a stream of its own per incarnation, so a restart draws anew. */
  readonly rng: Random;
  /** What survived the last crash (the empty state at first start). */
  readonly durable: DurableState;
  /** The node's local clock at start. */
  readonly nowMs: number;
}
/** The Raft implementation under test, as the engine sees it: called once per incarnation. */
export type NodeFactory = (args: NodeArgs) => RaftProcess;

export interface EngineOptions {
  /** The Raft implementation under test. */
  readonly createNode: NodeFactory;
  /** Safety checkers, called after every node step; the first violation stops the run. */
  readonly checkers?: readonly Checker[];
  /** Watches the run without judging it (coverage-guided exploration): see StepObserver. */
  readonly observer?: StepObserver;
  /** When given, every step is emitted as one JSON line and the run's traceHash is computed. */
  readonly onTrace?: (line: string) => void;
  /** Stop after this many steps (a bound on runaway runs). */
  readonly maxSteps?: number;
  /** The event-queue cap (default 1,000,000); past it the run ends with a ResourceLimitError. */
  readonly queuedEventsMax?: number;
  /**
   * Called every 65,536 steps with the virtual time, for a progress line. It must not
   * affect the run (it sees numbers only, and the fence still forbids clocks inside it).
   */
  readonly onProgress?: (nowMs: number, steps: number) => void;
  /** How many of the last events a violation report shows (default 32). */
  readonly recentEvents?: number;
  /** Run inside the determinism fence (default true). */
  readonly fence?: boolean;
  /** Run the liveness probe (default true). */
  readonly liveness?: boolean;
  /** Judge leader stability where the config allows it (default true; see sim/engine/stability.ts). */
  readonly leaderStability?: boolean;
  /**
   * Check the clients' history for linearizability when the run ends without another violation
   * (default true), with this search budget in steps; past it the verdict is 'unknown', never a guess.
   */
  readonly linearizability?: boolean;
  readonly linearizabilityBudgetSteps?: number;
  /** The replicated state machine (default: KvStore). */
  readonly createStateMachine?: () => StateMachine;
  /**
   * Keep the clients' history in the result (default: when linearizability is checked). A long run
   * that checks none can leave it out: one record per client op is most of what such a run keeps.
   */
  readonly keepHistory?: boolean;
  /** A state machine from a snapshot's data (default: KvStore.decode; none for another createStateMachine). */
  readonly restoreStateMachine?: (data: string) => StateMachine;
  /** Drives the run as it goes (a scenario, sim/scenario/): see sim/engine/director.ts. */
  readonly director?: Director;
}

/** A slice of one node's log around the indices a violation involves. */
export interface LogSlice {
  readonly node: NodeId;
  readonly fromIndex: number;
  /** Terms of the entries fromIndex, fromIndex + 1, ... */
  readonly terms: number[];
  readonly commitIndex: number;
}

export interface ViolationReport {
  readonly property: PropertyId;
  readonly message: string;
  readonly nodes: readonly NodeId[];
  readonly terms: readonly number[];
  readonly indices: readonly number[];
  readonly step: number;
  readonly timeMs: number;
  /** The last events before the violation, oldest first, one line each. */
  readonly recentEvents: string[];
  readonly logs: LogSlice[];
}

export type { LivenessOutcome } from './liveness-probe.ts';

export type StopReason = 'time' | 'queue-empty' | 'max-steps' | 'violation' | 'director';

export interface EngineResult {
  readonly seed: number;
  readonly config: SimConfig;
  readonly ok: boolean;
  readonly violation: ViolationReport | null;
  /** Steps processed (stale timers excluded). */
  readonly events: number;
  readonly simulatedMs: number;
  readonly stoppedBy: StopReason;
  readonly leadersByTerm: Array<{ term: number; leader: NodeId }>;
  readonly maxCommitIndex: number;
  readonly clientOps: { ok: number; fail: number; info: number };
  readonly clientRequests: { sent: number; redirects: number; timeouts: number; lost: number };
  /** Faults that took effect (a crash of a crashed node does not count). */
  readonly faults: {
    partitions: number;
    heals: number;
    crashes: number;
    restarts: number;
    pauses: number;
    links: number;
  };
  readonly messages: { sent: number; delivered: number; dropped: number; duplicated: number };
  readonly liveness: LivenessOutcome;
  /** Whether leader stability was judged in this run (sim/engine/stability.ts), and if not, why. */
  readonly leaderStability:
    | { readonly status: 'judged' }
    | { readonly status: 'skipped'; readonly reason: string };
  /** The end-of-run linearizability check: its verdict and search steps, or null when not run. */
  readonly linearizability: {
    readonly verdict: 'ok' | 'violation' | 'unknown';
    readonly steps: number;
    /** The key whose history could not be linearized (a violation only). */
    readonly key?: string;
  } | null;
  readonly history: HistoryOp[];
  /** The admin client's membership operations, in the order asked (empty without any). */
  readonly membership: readonly AdminRecord[];
  /** Every configuration entry, when it was first applied by some server (committed), in log order. */
  readonly configurations: readonly ConfigurationRecord[];
  readonly traceHash: string | null;
}

/** A configuration that took effect cluster-wide: its entry, and when a server first applied it. */
export interface ConfigurationRecord {
  readonly index: number;
  readonly term: number;
  readonly appliedMs: number;
  readonly membership: Membership;
}

/**
 * Attached as `error.sim` to an exception thrown out of a run (an AssertionError in the node or
 * the simulator): where it happened, and the events that led there.
 */
export interface SimErrorContext {
  readonly step: number;
  readonly timeMs: number;
  readonly recentEvents: string[];
}

/** The context of an error thrown by a run, if it came from one. */
export function simErrorContext(error: unknown): SimErrorContext | null {
  if (typeof error !== 'object' || error === null || !('sim' in error)) return null;
  return (error as { sim: SimErrorContext }).sim;
}

const DEFAULT_RECENT_EVENTS = 32;
/** A Raft cluster keeps a few hundred events queued; a million means something is flooding. */
const MAX_QUEUED_EVENTS = 1_000_000;
/** onProgress is called every 2^16 steps: a few times a second, at no cost between. */
const PROGRESS_MASK = 0xffff;

const EMPTY_READY: Ready = Object.freeze({
  hardState: null,
  logWrite: null,
  messages: Object.freeze([]),
  firstApplyIndex: 0,
  toApply: Object.freeze([]),
});

type MutableNodeStep = { -readonly [K in keyof NodeStep]: NodeStep[K] };

const defaultStateMachineFactory = (): StateMachine => new KvStore();
const defaultStateMachineRestore = (data: string): StateMachine => KvStore.decode(data);
const cannotRestore = (): StateMachine => {
  throw new AssertionError('this state machine has no restore: it cannot take snapshots');
};

/**
 * The client id of commands a scenario offers a node directly (`propose`): above every workload
 * client's id, so that the key-value store keeps its session apart.
 */
export const SCRIPT_CLIENT_ID = 1_000_001;

/**
 * Runs one schedule to its end or to its first violation, with the nodes `opts.createNode` builds.
 * Deterministic: same schedule, same factory, same result. (sim/explore/run.ts's runSchedule is
 * the same with the reference node and bugs named from the catalogue.)
 */
export function simulate(schedule: Schedule, opts: EngineOptions): EngineResult {
  const error = validateSchedule(schedule);
  if (error !== null) throw new RangeError(`invalid schedule: ${error}`);
  const sim = new Simulation(schedule, opts);
  return opts.fence === false ? sim.run() : withFence(() => sim.run());
}

/**
 * One run: the event loop and everything it drives. A class because the loop's state is
 * large and hot; every handler is a method, so no step allocates a closure.
 */
class Simulation {
  private readonly schedule: Schedule;
  private readonly config: SimConfig;
  private readonly seed: number;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly hosts: Host[] = [];
  private readonly peers: NodeId[] = [];
  private readonly network: Network;
  private readonly clients: ClientPool;
  private readonly admin: AdminClient;
  private readonly configurations: ConfigurationRecord[] = [];
  private readonly bootstrapConfig: Membership;
  /** Every server: the initial voters and the spares. */
  private readonly servers: number;
  /** The checkers in order: the first six one per field (see runCheckers), the rest in checkRest. */
  private readonly check0: Checker | null;
  private readonly check1: Checker | null;
  private readonly check2: Checker | null;
  private readonly check3: Checker | null;
  private readonly check4: Checker | null;
  private readonly check5: Checker | null;
  private readonly checkRest: readonly Checker[];
  private readonly tracer: Tracer | null;
  private readonly createNode: NodeFactory;
  private readonly createStateMachine: () => StateMachine;
  private readonly stateMachines: StateMachines;
  /** When the service asks its node to compact; null: never. A scenario's `compaction` fault changes it. */
  private compaction: CompactionConfig | null;
  private readonly maxSteps: number;
  private readonly queuedEventsMax: number;
  private readonly onProgress: ((nowMs: number, steps: number) => void) | null;
  private readonly director: Director | null;
  private readonly control: DirectorControl;
  /** Scripted proposals so far: each is its own request of SCRIPT_CLIENT_ID. */
  private proposals = 0;
  /** The index the last `propose` landed at (0: refused or no effect). */
  private proposedIndex = 0;
  /** Messages sent per type, counted only for a director (a scenario's `messages of T`). */
  private readonly sentByType: Map<string, number> | null;

  private nowMs = 0;
  private steps = 0;
  private stopped = false;
  private stoppedBy: StopReason = 'time';
  private violation: ViolationReport | null = null;

  /** The one NodeStep handed to checkers, refilled at every node step. */
  private readonly ns: MutableNodeStep;
  /** The record of the current step while tracing; null otherwise (the fast path). */
  private rec: TraceRecord | null = null;
  /** What the current step did: its outcome and the node it stepped (0 for none). */
  private outcome: number = Outcome.done;
  private stepNode: NodeId = 0;
  /** The event being handled, until its step is recorded. */
  private current: SimEvent | null = null;

  // The ring of recent events: raw references, formatted only for a report.
  /** The last steps, raw, for a violation report. */
  private readonly ring: StepRing;

  // Summary counters.
  private readonly counters = new RunCounters();

  // Liveness after the faults end.
  private readonly probe: LivenessProbe;
  /** Leader stability: null when switched off or not judged in this config (then the reason). */
  private readonly stability: LeaderStability | null;
  private readonly stabilitySkip: string | null;

  // Linearizability, checked once at the end over the whole client history.
  private readonly checkHistory: boolean;
  private readonly observer: StepObserver | null;
  private readonly linBudgetSteps: number | undefined;
  private linearizability: EngineResult['linearizability'] = null;

  constructor(schedule: Schedule, opts: EngineOptions) {
    this.schedule = schedule;
    this.config = schedule.config;
    this.seed = schedule.seed;
    const config = this.config;
    const checkers = opts.checkers ?? [];
    this.check0 = checkers[0] ?? null;
    this.check1 = checkers[1] ?? null;
    this.check2 = checkers[2] ?? null;
    this.check3 = checkers[3] ?? null;
    this.check4 = checkers[4] ?? null;
    this.check5 = checkers[5] ?? null;
    this.checkRest = checkers.slice(6);
    this.observer = opts.observer ?? null;
    this.tracer = opts.onTrace === undefined ? null : new Tracer(opts.onTrace);
    this.maxSteps = opts.maxSteps ?? Math.max(10_000_000, config.timeMs * 500);
    this.queuedEventsMax = opts.queuedEventsMax ?? MAX_QUEUED_EVENTS;
    this.onProgress = opts.onProgress ?? null;
    this.createNode = opts.createNode;
    this.createStateMachine = opts.createStateMachine ?? defaultStateMachineFactory;
    const restore =
      opts.restoreStateMachine ??
      (opts.createStateMachine === undefined ? defaultStateMachineRestore : cannotRestore);
    this.stateMachines = { create: this.createStateMachine, restore };
    this.compaction = config.compaction ?? null;
    this.director = opts.director ?? null;
    this.sentByType = this.director === null ? null : new Map();

    this.servers = serverCount(config);
    for (let id = 1; id <= config.nodes; id++) this.peers.push(id);
    this.bootstrapConfig = bootstrapMembership(this.peers);
    for (let id = 1; id <= this.servers; id++) {
      const max = config.clockDriftPpmMax;
      const driftPpm = max === 0 ? 0 : intBetween(stream(this.seed, 'clock', id), -max, max);
      this.hosts.push(new Host(id, this.stateMachines, driftPpm));
    }
    this.network = new Network(this.seed, this.servers, config.network);
    this.clients = new ClientPool(this.seed, config, schedule.ops, this.queue);
    this.admin = new AdminClient(this.servers, config.raft.heartbeatMs);
    for (const c of checkers) c.onStart?.(this.peers);

    this.ns = {
      node: 0,
      process: null as unknown as RaftProcess,
      restarted: false,
      roleBefore: 'follower',
      termBefore: 0,
      commitIndexBefore: 0,
      lastIndexBefore: 0,
      lastAppliedBefore: 0,
      ready: EMPTY_READY,
    };

    this.ring = new StepRing(opts.recentEvents ?? DEFAULT_RECENT_EVENTS);
    this.checkHistory = opts.linearizability !== false;
    this.clients.keepHistory = opts.keepHistory ?? this.checkHistory;
    this.linBudgetSteps = opts.linearizabilityBudgetSteps;
    this.probe = new LivenessProbe(config, opts.liveness !== false);
    const stability = opts.leaderStability === false ? null : new LeaderStability(config);
    this.stabilitySkip =
      stability === null ? 'leader stability not checked: switched off' : stability.skipReason;
    this.stability = this.stabilitySkip === null ? stability : null;
    this.control = this.makeControl();
  }

  run(): EngineResult {
    for (const h of this.hosts) {
      this.startNode(h);
      if (this.stopped) return this.result();
    }
    const faults = this.schedule.faults;
    for (let i = 0; i < faults.length; i++) {
      const fault = faults[i]!;
      this.queue.push(fault.atMs, { kind: 'fault', fault, index: i });
    }
    this.clients.start();
    if (this.probe.skip === null) {
      this.clients.startProbe(this.probe.faultsEndMs);
      this.queue.push(this.probe.deadlineMs, { kind: 'probe-deadline' });
    }
    try {
      this.loop();
    } catch (error) {
      // A failed assertion in the node or the simulator is a found bug: say where it happened.
      if (error instanceof Error) {
        const recentEvents = this.recentEvents();
        // The step that threw never reached the ring.
        if (this.current !== null)
          recentEvents.push(`${describeStep(this.steps, this.nowMs, this.current, 0, '')} — threw`);
        const where: SimErrorContext = { step: this.steps, timeMs: this.nowMs, recentEvents };
        Object.assign(error, { sim: where });
      }
      throw error;
    }
    this.clients.finish();
    if (this.violation === null && this.checkHistory) this.checkLinearizable();
    return this.result();
  }

  private loop(): void {
    const queue = this.queue;
    const timeMs = this.config.timeMs;
    const director = this.director;
    while (!this.stopped) {
      if (director !== null && this.directorWakes(director, timeMs)) continue;
      if (queue.size === 0) {
        this.stoppedBy = 'queue-empty';
        return;
      }
      if (queue.peekTimeMs() > timeMs) {
        this.stoppedBy = 'time';
        this.nowMs = timeMs;
        return;
      }
      if (this.steps >= this.maxSteps) {
        this.stoppedBy = 'max-steps';
        return;
      }
      // Hot-path assertions are spelled out as ifs so that no message closure is built per step.
      if (queue.size >= this.queuedEventsMax) {
        throw new ResourceLimitError(
          `event queue holds ${queue.size} events at step ${this.steps} (the cap is ${this.queuedEventsMax})`,
        );
      }
      const ev = queue.pop()!;
      const t = queue.poppedTimeMs;
      if (t < this.nowMs) throw new AssertionError(`time went back from ${this.nowMs} to ${t}`);
      this.nowMs = t;
      if (this.isStale(ev)) continue;
      this.steps++;
      if (this.onProgress !== null && (this.steps & PROGRESS_MASK) === 0) this.onProgress(t, this.steps);
      this.outcome = Outcome.done;
      this.stepNode = 0;
      if (this.tracer !== null) this.rec = { step: this.steps, t, ev: ev.kind };
      this.current = ev;
      if (this.observer !== null && ev.kind === 'fault') this.observer.onFault(ev.fault, t);
      this.dispatch(ev);
      this.endStep(ev);
      this.current = null;
      if (director?.watching && !this.stopped) this.consult(director, false);
    }
  }

  /** True when the director's wake time comes before the next event: then it was consulted. */
  private directorWakes(director: Director, timeMs: number): boolean {
    const wakeMs = director.wakeMs;
    if (wakeMs > timeMs) return false;
    if (this.queue.size > 0 && this.queue.peekTimeMs() < wakeMs) return false;
    if (wakeMs > this.nowMs) this.nowMs = wakeMs;
    this.consult(director, true);
    if (!this.stopped && director.wakeMs <= this.nowMs)
      throw new AssertionError(`the director did not move time on from ${this.nowMs} ms`);
    return true;
  }

  private consult(director: Director, atWake: boolean): void {
    director.consult(this.control, atWake);
    if (director.done && !this.stopped) {
      this.stopped = true;
      this.stoppedBy = 'director';
    }
  }

  /** A director's fault: one step of its own, now, recorded like a scheduled one. */
  private directStep(fault: Fault): number {
    if (this.stopped) return 0;
    const ev: SimEvent = { kind: 'fault', fault, index: -1 };
    this.steps++;
    this.outcome = Outcome.done;
    this.stepNode = 0;
    this.proposedIndex = 0;
    if (this.tracer !== null) this.rec = { step: this.steps, t: this.nowMs, ev: ev.kind };
    this.current = ev;
    this.dispatch(ev);
    this.endStep(ev);
    this.current = null;
    return this.proposedIndex;
  }

  private makeControl(): DirectorControl {
    // The control object's getters read the run's live fields.
    const sim = this;
    return {
      get nowMs() {
        return sim.nowMs;
      },
      servers: this.servers,
      process: (id) => sim.host(id).process,
      paused: (id) => sim.host(id).paused,
      lastApplied: (id) => sim.host(id).storage.lastApplied,
      durableEntry: (id, index) => sim.host(id).storage.entryAt(index),
      snapshotIndex: (id) => sim.host(id).storage.snapshotIndex,
      durableLastIndex: (id) => sim.host(id).storage.lastIndex,
      snapshotsInstalled: (id) => sim.host(id).storage.snapshotsInstalled,
      clientIdle: (client) => sim.clients.isIdle(client),
      get messagesSent() {
        return sim.network.sent;
      },
      messagesSentByType: () => sim.sentByType ?? new Map<string, number>(),
      apply: (fault) => sim.directStep({ ...fault, atMs: sim.nowMs }),
      addOp: (op) => {
        sim.clients.addOp({ ...op, atMs: sim.nowMs }, sim.nowMs);
      },
    };
  }

  /** Timers that no longer matter are skipped without being a step. */
  private isStale(ev: SimEvent): boolean {
    switch (ev.kind) {
      case 'timer':
        return ev.gen !== this.host(ev.node).timerGen;
      case 'resume': {
        const h = this.host(ev.node);
        return ev.gen !== h.pauseGen || h.crashed;
      }
      case 'client-send':
      case 'client-timeout':
      case 'client-deadline':
        return this.clients.isStale(ev);
      case 'admin-poll':
        return ev.gen !== this.admin.gen;
      default:
        return false;
    }
  }

  private dispatch(ev: SimEvent): void {
    switch (ev.kind) {
      case 'deliver':
        this.onDeliver(ev);
        return;
      case 'timer':
        this.onTimer(ev.node);
        return;
      case 'fault':
        this.onFault(ev);
        return;
      case 'resume':
        this.onResume(ev.node);
        return;
      case 'client-op':
        if (this.rec !== null) this.rec.client = ev.client;
        this.clients.onOpDue(ev.client, this.nowMs);
        return;
      case 'client-send':
        if (this.rec !== null) this.rec.client = ev.client;
        this.clients.onSend(ev.client, this.nowMs);
        return;
      case 'request':
        this.onRequest(ev);
        return;
      case 'reply':
        this.onReply(ev);
        return;
      case 'client-timeout':
        if (this.rec !== null) this.rec.client = ev.client;
        this.clients.onTimeout(ev.client, this.nowMs);
        return;
      case 'client-deadline': {
        if (this.rec !== null) this.rec.client = ev.client;
        const status = this.clients.onDeadline(ev.client, this.nowMs);
        if (this.rec !== null) this.rec.status = status;
        return;
      }
      case 'probe-deadline':
        this.onProbeDeadline();
        return;
      case 'admin-poll':
        this.adminAsk();
        return;
    }
  }

  private host(id: NodeId): Host {
    const h = this.hosts[id - 1];
    if (h === undefined) throw new AssertionError(`no node S${id}`);
    return h;
  }

  // ------------------------------------------------------------------------------------------
  // Node steps

  /** Records the node's state before an interaction and returns its live incarnation. */
  private capture(h: Host): RaftProcess {
    const p = h.process;
    if (p === null) throw new AssertionError(`crashed node S${h.id} was asked to take a step`);
    const ns = this.ns;
    ns.node = h.id;
    ns.process = p;
    ns.restarted = false;
    ns.roleBefore = p.role;
    ns.termBefore = p.currentTerm;
    ns.commitIndexBefore = p.commitIndex;
    ns.lastIndexBefore = p.lastIndex;
    ns.lastAppliedBefore = p.lastApplied;
    this.stepNode = h.id;
    return p;
  }

  /**
   * After every interaction with a node: drain its Ready, let the checkers see it, then act on
   * it in the order the contract demands — persist, apply (answering clients), send, re-arm
   * the timer. All of a step's writes are durable before any of its messages is on the wire.
   */
  /**
   * Everything that follows a node's step, in the order the contract demands: check, observe,
   * make durable, apply and answer, and only then let messages leave (Figure 2: persist before you
   * respond). Control flow stays here; each helper below is straight-line.
   */
  private afterStep(h: Host, p: RaftProcess): void {
    const ready = p.ready();
    this.ns.ready = ready;
    if (!this.runCheckers()) return;
    if (this.observer !== null) this.observer.onNodeStep(this.ns, this.current);
    if (!this.observeRoles(h, p)) return;
    h.storage.persist(ready);
    if (ready.toApply.length > 0) this.applyAndAnswer(h, ready);
    const readsReady = ready.readsReady;
    if (
      (readsReady !== undefined && readsReady.length > 0) ||
      h.readsWaiting.length > 0 ||
      h.reads.size > 0
    ) {
      this.serveReads(h, p, readsReady);
    }
    if (ready.messages.length > 0) this.send(h, ready.messages);
    this.armTimer(h, p);
    if (this.rec !== null) this.recordReady(this.rec, ready);
    if (this.compaction !== null && h.storage.lastApplied > (p.snapshotIndex ?? 0)) this.maybeCompact(h, p);
  }

  /**
   * The service's side of log compaction (paper §7): once the log past the snapshot holds more
   * than `entries` entries ('size'), or `entries` more have been applied since it ('applied', as
   * 6.5840's Lab 3D service does), hand the node the state machine's state at lastApplied. The
   * node's compaction is a step of its own: checked, persisted, recorded.
   */
  private maybeCompact(h: Host, p: RaftProcess): void {
    const c = this.compaction!;
    const storage = h.storage;
    const sm = storage.stateMachine;
    if (p.compact === undefined || sm.encode === undefined) return;
    const snapshotIndex = p.snapshotIndex ?? 0;
    const applied = storage.lastApplied;
    const due =
      c.trigger === 'size' ? p.lastIndex - snapshotIndex > c.entries : applied - snapshotIndex >= c.entries;
    if (!due) return;
    if (!p.compact(h.localMs(this.nowMs), applied, sm.encode())) return;
    this.capture(h);
    this.afterStep(h, p);
  }

  /** New leaders and candidates: the summary, leader stability. False when the step broke a property. */
  private observeRoles(h: Host, p: RaftProcess): boolean {
    const ns = this.ns;
    const role = p.role;
    const term = p.currentTerm;
    if (role === 'leader' && (ns.roleBefore !== 'leader' || ns.termBefore !== term))
      this.noteLeader(term, h.id);
    if (
      role === 'candidate' &&
      this.stability !== null &&
      (ns.roleBefore !== 'candidate' || ns.termBefore !== term)
    ) {
      // A transfer's election is the leader's own wish (thesis §3.10), not an attack on it.
      const ev = this.current;
      const transfer = ev !== null && ev.kind === 'deliver' && ev.message.type === 'TimeoutNow';
      const processes = this.hosts.map((x) => x.process);
      const v = transfer ? null : this.stability.onElection(h.id, term, processes, this.nowMs, this.configOf);
      if (v !== null) {
        this.fail(v);
        return false;
      }
    }
    if (p.commitIndex > this.counters.maxCommitIndex) this.counters.maxCommitIndex = p.commitIndex;
    return true;
  }

  /** Applies what the node handed out and answers the clients whose requests it completes. */
  private applyAndAnswer(h: Host, ready: Ready): void {
    const storage = h.storage;
    const toApply = ready.toApply;
    for (let k = 0; k < toApply.length; k++) {
      const entry = toApply[k]!;
      const result = storage.apply(ready.firstApplyIndex + k, entry);
      const command = entry.command;
      if (command.kind === 'config')
        this.noteConfiguration(ready.firstApplyIndex + k, entry.term, command.membership);
      if (command.kind !== 'kv' || h.pending.size === 0) continue;
      const key = requestKey(command.clientId, command.seq);
      const pending = h.pending.get(key);
      if (pending === undefined) continue;
      h.pending.delete(key);
      // null: an older request of the client, whose answer nobody awaits any more.
      if (result !== null) {
        this.clients.reply(pending.client, pending.seq, pending.attempt, h.id, result, 0, this.nowMs);
      }
    }
  }

  /** The configuration a node's durable log puts it in (the bootstrap one before any entry). */
  private readonly configOf = (node: NodeId): Membership =>
    this.host(node).storage.latestConfig() ?? this.bootstrapConfig;

  private noteConfiguration(index: number, term: number, membership: Membership): void {
    const last = this.configurations[this.configurations.length - 1];
    if (last !== undefined && last.index >= index) return;
    this.configurations.push({ index, term, appliedMs: this.nowMs, membership });
  }

  /** Reads (not in 'log' mode): answered from the state machine once their index is applied. */
  private serveReads(h: Host, p: RaftProcess, readsReady: Ready['readsReady']): void {
    const served = h.serveReads(p, readsReady, this.clients, this.nowMs);
    if (this.rec !== null && served > 0) this.rec.readsServed = served;
  }

  /** Hands the step's messages to the network, after asserting where they claim to go. */
  private send(h: Host, messages: Ready['messages']): void {
    const network = this.network;
    const n = this.servers;
    for (let k = 0; k < messages.length; k++) {
      const m = messages[k]!;
      if (m.from !== h.id) throw new AssertionError(`S${h.id} sent a message from S${m.from}`);
      if (m.to < 1 || m.to > n || m.to === m.from)
        throw new AssertionError(`S${h.id} sent a message to S${m.to}`);
      const copies = network.plan(m.from, m.to);
      if (this.sentByType !== null) this.sentByType.set(m.type, (this.sentByType.get(m.type) ?? 0) + 1);
      if (this.rec !== null) this.recordSend(this.rec, m, copies);
      if (copies === 0) continue;
      const ev: SimEvent = { kind: 'deliver', message: m };
      this.queue.push(this.nowMs + network.delayMs0, ev);
      if (copies === 2) this.queue.push(this.nowMs + network.delayMs1, ev);
    }
  }

  /**
   * Where each message of the step went, so that a view can draw it from its send to its
   * arrival: `[to, type]` when dropped at send, else with the arrival time of each copy.
   */
  private recordSend(rec: TraceRecord, m: Ready['messages'][number], copies: 0 | 1 | 2): void {
    if (rec.net === undefined) rec.net = [];
    const net = rec.net as unknown[][];
    const network = this.network;
    const at = this.nowMs;
    if (copies === 0) net.push([m.to, m.type]);
    else if (copies === 1) net.push([m.to, m.type, at + network.delayMs0]);
    else net.push([m.to, m.type, at + network.delayMs0, at + network.delayMs1]);
  }

  private recordReady(rec: TraceRecord, ready: Ready): void {
    if (ready.hardState !== null) rec.hardState = [ready.hardState.currentTerm, ready.hardState.votedFor];
    if (ready.logWrite !== null) rec.logWrite = [ready.logWrite.fromIndex, ready.logWrite.entries.length];
    const toApply = ready.toApply;
    if (toApply.length > 0) rec.applied = [ready.firstApplyIndex, ready.firstApplyIndex + toApply.length - 1];
    if (ready.messages.length > 0) rec.sent = ready.messages.length;
    const snap = ready.snapshot;
    if (snap !== undefined && snap !== null)
      rec.snapshot = [snap.snapshot.index, snap.snapshot.term, snap.installed ? 'installed' : 'taken'];
  }

  /**
   * Calls every checker on the current NodeStep, in order; on a violation stops the run and
   * returns false. The first six checkers are called from six separate call sites: each site then
   * only ever sees one class and stays monomorphic (V8 can inline the call), where a single
   * `checkers[i].onNodeStep` site would see them all and go megamorphic. Any further checkers
   * share a loop.
   */
  private runCheckers(): boolean {
    const ns = this.ns;
    let v: Violation | null;
    if (this.check0 === null) return true;
    v = this.check0.onNodeStep(ns);
    if (v !== null) return this.failStep(v);
    if (this.check1 === null) return true;
    v = this.check1.onNodeStep(ns);
    if (v !== null) return this.failStep(v);
    if (this.check2 === null) return true;
    v = this.check2.onNodeStep(ns);
    if (v !== null) return this.failStep(v);
    if (this.check3 === null) return true;
    v = this.check3.onNodeStep(ns);
    if (v !== null) return this.failStep(v);
    if (this.check4 === null) return true;
    v = this.check4.onNodeStep(ns);
    if (v !== null) return this.failStep(v);
    if (this.check5 === null) return true;
    v = this.check5.onNodeStep(ns);
    if (v !== null) return this.failStep(v);
    const rest = this.checkRest;
    for (let i = 0; i < rest.length; i++) {
      v = rest[i]!.onNodeStep(ns);
      if (v !== null) return this.failStep(v);
    }
    return true;
  }

  private failStep(v: Violation): false {
    this.fail(v);
    return false;
  }

  /**
   * One pending timer event per node, kept lazily: when the node's wake moves later, the
   * pending event fires anyway (the tick does nothing) and the timer is re-armed; when it moves
   * earlier, a new event is pushed and the old one goes stale through the generation counter.
   */
  private armTimer(h: Host, p: RaftProcess): void {
    const wakeLocalMs = p.nextWakeMs();
    if (wakeLocalMs === Number.POSITIVE_INFINITY) return;
    let atMs = h.globalMs(wakeLocalMs);
    if (h.timerAtMs <= atMs) return;
    // A wake in the past would fire at once, forever; time must move.
    if (atMs <= this.nowMs) atMs = this.nowMs + 1;
    h.timerGen++;
    h.timerAtMs = atMs;
    this.queue.push(atMs, { kind: 'timer', node: h.id, gen: h.timerGen });
  }

  private noteLeader(term: number, id: NodeId): void {
    this.counters.noteLeader(term, id);
    this.stability?.onLeader(id, this.nowMs);
    this.probe.onLeader(this.nowMs);
  }

  private newProcess(h: Host): RaftProcess {
    h.incarnation++;
    // The state machine did not survive: it starts over from the snapshot on disk.
    h.storage.recover();
    return this.createNode({
      id: h.id,
      peers: this.peers,
      config: this.config.raft,
      rng: stream(this.seed, 'timeout', h.id, h.incarnation),
      durable: h.storage.durableState(),
      nowMs: h.localMs(this.nowMs),
    });
  }

  private startNode(h: Host): void {
    const p = this.newProcess(h);
    h.process = p;
    this.capture(h);
    this.afterStep(h, p);
  }

  // ------------------------------------------------------------------------------------------
  // Event handlers

  private onDeliver(ev: DeliverEvent): void {
    const m = ev.message;
    const h = this.host(m.to);
    const rec = this.rec;
    if (rec !== null) {
      rec.node = m.to;
      rec.msg = messageFields(m);
    }
    if (this.network.isBlocked(m.from, m.to)) {
      this.counters.droppedInFlight++;
      this.outcome = Outcome.blocked;
    } else if (h.crashed) {
      this.counters.droppedAtDownNode++;
      this.outcome = Outcome.lost;
    } else if (h.paused) {
      h.held.push(ev);
      this.outcome = Outcome.held;
    } else {
      const p = this.capture(h);
      p.step(h.localMs(this.nowMs), m);
      this.counters.delivered++;
      this.afterStep(h, p);
    }
  }

  private onTimer(id: NodeId): void {
    const h = this.host(id);
    h.timerAtMs = Number.POSITIVE_INFINITY;
    if (this.rec !== null) this.rec.node = id;
    if (h.paused) {
      // The node is frozen; it ticks when it resumes.
      this.outcome = Outcome.held;
      return;
    }
    const p = this.capture(h);
    p.tick(h.localMs(this.nowMs));
    this.afterStep(h, p);
  }

  private onResume(id: NodeId): void {
    const h = this.host(id);
    h.paused = false;
    this.stability?.onRunning(id, this.nowMs);
    if (this.rec !== null) this.rec.node = id;
    const p = this.capture(h);
    p.tick(h.localMs(this.nowMs));
    this.afterStep(h, p);
    // What arrived during the pause is handled now, in arrival order.
    for (const held of h.held) this.queue.push(this.nowMs, held);
    if (this.rec !== null) this.rec.released = h.held.length;
    h.held.length = 0;
  }

  private onRequest(ev: RequestEvent): void {
    const h = this.host(ev.node);
    const rec = this.rec;
    if (rec !== null) {
      rec.node = ev.node;
      rec.client = ev.client;
      rec.seq = ev.seq;
      rec.op = ev.op.type;
    }
    if (h.crashed) {
      this.counters.requestsLost++;
      this.outcome = Outcome.lost;
    } else if (h.paused) {
      h.held.push(ev);
      this.outcome = Outcome.held;
    } else {
      const p = this.capture(h);
      // Gets take the node's read path unless the read mode is 'log' (see Host.offerRead).
      if (ev.op.type === 'get' && this.config.raft.readMode !== 'log') {
        const read = h.offerRead(p, h.localMs(this.nowMs), ev.client, ev.seq, ev.attempt, ev.op);
        if (read !== null) {
          if (!read.ok)
            this.clients.reply(ev.client, ev.seq, ev.attempt, ev.node, null, read.leaderHint, this.nowMs);
          if (rec !== null) rec.read = read.ok;
          this.afterStep(h, p);
          return;
        }
      }
      const command: Command = { kind: 'kv', clientId: ev.client, seq: ev.seq, op: ev.op };
      const res = p.propose(h.localMs(this.nowMs), command);
      if (res.ok) {
        h.pending.set(requestKey(ev.client, ev.seq), { client: ev.client, seq: ev.seq, attempt: ev.attempt });
      } else {
        this.clients.reply(ev.client, ev.seq, ev.attempt, ev.node, null, res.leaderHint, this.nowMs);
      }
      if (rec !== null) rec.accepted = res.ok ? res.index : false;
      this.afterStep(h, p);
    }
  }

  private onReply(ev: ReplyEvent): void {
    const what = this.clients.onReply(
      ev.client,
      ev.seq,
      ev.attempt,
      ev.node,
      ev.result,
      ev.leaderHint,
      this.nowMs,
    );
    if (what === 'stale') this.outcome = Outcome.noEffect;
    const rec = this.rec;
    if (rec !== null) {
      rec.client = ev.client;
      rec.seq = ev.seq;
      rec.node = ev.node;
      rec.result = what;
    }
  }

  private onFault(ev: FaultEvent): void {
    const f = ev.fault;
    const counts = this.counters.faults;
    if (this.rec !== null) this.rec.fault = faultFields(f);
    switch (f.type) {
      case 'partition':
        this.network.partition(f.groups);
        this.stability?.onLinks(this.network, this.nowMs);
        counts.partitions++;
        return;
      case 'heal':
        this.network.heal();
        this.stability?.onLinks(this.network, this.nowMs);
        counts.heals++;
        return;
      case 'link':
        this.network.setLink(f.from, f.to, f.up);
        this.stability?.onLinks(this.network, this.nowMs);
        counts.links++;
        return;
      case 'crash': {
        const h = this.host(f.node);
        if (h.crashed) {
          this.outcome = Outcome.noEffect;
          return;
        }
        for (const held of h.held) {
          if (held.kind === 'deliver') this.counters.droppedAtDownNode++;
          else this.counters.requestsLost++;
        }
        h.crash();
        this.stability?.onStopped(h.id);
        counts.crashes++;
        return;
      }
      case 'restart': {
        const h = this.host(f.node);
        if (!h.crashed) {
          this.outcome = Outcome.noEffect;
          return;
        }
        counts.restarts++;
        this.stability?.onRunning(h.id, this.nowMs);
        this.restartNode(h);
        return;
      }
      case 'pause': {
        const h = this.host(f.node);
        if (h.crashed) {
          this.outcome = Outcome.noEffect;
          return;
        }
        const untilMs = this.nowMs + f.durationMs;
        if (h.paused && h.pausedUntilMs >= untilMs) {
          this.outcome = Outcome.noEffect;
          return;
        }
        h.paused = true;
        this.stability?.onStopped(h.id);
        h.pausedUntilMs = untilMs;
        h.pauseGen++;
        this.queue.push(untilMs, { kind: 'resume', node: h.id, gen: h.pauseGen });
        counts.pauses++;
        return;
      }
      case 'membership':
        if (f.to !== undefined) {
          this.askOnce(f.to, f.change);
          return;
        }
        // Asked at once when no earlier operation is still being worked on; else queued.
        if (this.admin.request(f.change, this.nowMs)) this.adminAsk();
        return;
      case 'campaign': {
        // A scripted scenario's directive: the node campaigns now, as if its timeout had fired.
        // A crashed, paused or leading node, or an implementation without campaign(), ignores it.
        const h = this.host(f.node);
        const p = h.process;
        if (p === null || h.paused || p.role === 'leader' || p.campaign === undefined) {
          this.outcome = Outcome.noEffect;
          return;
        }
        if (this.rec !== null) this.rec.node = h.id;
        this.capture(h);
        p.campaign(h.localMs(this.nowMs));
        this.afterStep(h, p);
        return;
      }
      case 'propose': {
        const h = this.host(f.node);
        const p = h.process;
        if (this.rec !== null) this.rec.node = h.id;
        if (p === null || h.paused) {
          this.outcome = Outcome.noEffect;
          return;
        }
        this.proposals++;
        const command: Command = { kind: 'kv', clientId: SCRIPT_CLIENT_ID, seq: this.proposals, op: f.op };
        this.capture(h);
        const res = p.propose(h.localMs(this.nowMs), command);
        if (res.ok) this.proposedIndex = res.index;
        if (this.rec !== null) this.rec.accepted = res.ok ? res.index : false;
        this.afterStep(h, p);
        return;
      }
      case 'network':
        this.network.setConfig(f.settings);
        return;
      case 'compaction':
        this.compaction = f.settings;
        return;
      default:
        // A new kind of fault must say here what it does.
        unreachable(f);
    }
  }

  /**
   * The admin client asks its target about its active operation (sim/engine/admin.ts) and
   * schedules what follows: another poll, the hinted leader at once, or the next operation.
   */
  private adminAsk(): void {
    const admin = this.admin;
    const op = admin.active;
    if (op === null) return;
    const id = admin.target;
    const result = this.askAbout(this.host(id), op.change);
    if (result === null) {
      admin.unreachable();
      if (this.rec !== null) this.rec.admin = 'unreachable';
      this.scheduleAdminPoll(admin.pollMs);
      return;
    }
    const next = admin.onAnswer(id, result, this.nowMs);
    if (next === 'poll') this.scheduleAdminPoll(admin.pollMs);
    else if (next === 'now') this.scheduleAdminPoll(0);
    else if (admin.active !== null) this.scheduleAdminPoll(0);
  }

  /** A scripted directive: node `id` is asked once; its answer is the step's outcome, nothing follows. */
  private askOnce(id: NodeId, change: AdminChange): void {
    if (this.askAbout(this.host(id), change) === null) this.outcome = Outcome.noEffect;
  }

  /** Node `h` is asked about `change`, as a step of its own; null when it is down or paused. */
  private askAbout(h: Host, change: AdminChange): ChangeResult | null {
    const p = h.process;
    if (this.rec !== null) this.rec.node = h.id;
    if (p === null || h.paused) return null;
    this.capture(h);
    const localMs = h.localMs(this.nowMs);
    const result =
      change.type === 'transfer'
        ? p.transferLeadership?.(localMs, change.node)
        : p.changeMembership?.(localMs, change);
    if (result === undefined) throw new RangeError(`S${h.id}'s implementation has no membership change`);
    if (this.rec !== null) this.rec.admin = result.status;
    this.afterStep(h, p);
    return result;
  }

  private scheduleAdminPoll(delayMs: number): void {
    this.admin.gen++;
    this.queue.push(this.nowMs + delayMs, { kind: 'admin-poll', gen: this.admin.gen });
  }

  /** A new incarnation from durable state; checkers see it first with restarted: true. */
  private restartNode(h: Host): void {
    const p = this.newProcess(h);
    h.process = p;
    const ns = this.ns;
    ns.node = h.id;
    ns.process = p;
    ns.restarted = true;
    ns.roleBefore = h.lastRole;
    ns.termBefore = h.lastTerm;
    ns.commitIndexBefore = h.lastCommitIndex;
    ns.lastIndexBefore = h.lastLastIndex;
    ns.lastAppliedBefore = h.lastLastApplied;
    ns.ready = EMPTY_READY;
    this.stepNode = h.id;
    if (this.rec !== null) {
      this.rec.node = h.id;
      this.rec.restarted = { term: p.currentTerm, lastIndex: p.lastIndex, lastApplied: p.lastApplied };
    }
    if (!this.runCheckers()) return;
    this.capture(h);
    this.afterStep(h, p);
  }

  private onProbeDeadline(): void {
    // A configuration change asked for before the faults ended must have completed by now.
    const stuck = this.admin.stuckSince(this.probe.faultsEndMs);
    if (stuck !== null && membershipLivenessSkipReason(this.config) === null) {
      this.fail({
        property: 'liveness',
        message:
          `membership operation "${describeAdminChange(stuck.change)}", asked at ${stuck.invokeMs} ms, ` +
          `not done by the liveness deadline at ${this.nowMs} ms (${stuck.attempts} attempts)`,
        nodes: [...this.peers],
        terms: [],
        indices: [],
      });
      return;
    }
    if (this.clients.probeOkMs !== null) {
      this.outcome = Outcome.noEffect;
      return;
    }
    this.fail(
      this.probe.violation(
        this.hosts.map((h) => h.process),
        this.peers,
      ),
    );
  }

  // ------------------------------------------------------------------------------------------
  // Step bookkeeping, reports, result

  private endStep(ev: SimEvent): void {
    const id = this.stepNode;
    const p = id === 0 ? null : this.hosts[id - 1]!.process;
    if (this.ring.size > 0) this.ring.write(this.steps, this.nowMs, ev, this.outcome, id, p);
    const rec = this.rec;
    if (rec === null) return;
    if (this.outcome !== Outcome.done) rec.outcome = outcomeName(this.outcome);
    if (p !== null) {
      const ns = this.ns;
      if (p.role !== ns.roleBefore) rec.role = [ns.roleBefore, p.role];
      if (p.currentTerm !== ns.termBefore) rec.term = [ns.termBefore, p.currentTerm];
      if (p.commitIndex !== ns.commitIndexBefore) rec.commit = [ns.commitIndexBefore, p.commitIndex];
    }
    if (this.violation !== null) rec.violation = this.violation.property;
    this.tracer!.emit(rec);
    this.rec = null;
  }

  private fail(v: Violation): void {
    this.stopped = true;
    this.stoppedBy = 'violation';
    this.violation = {
      property: v.property,
      message: v.message,
      nodes: v.nodes,
      terms: v.terms,
      indices: v.indices,
      step: this.steps,
      timeMs: this.nowMs,
      recentEvents: [],
      logs: this.logSlices(v),
    };
  }

  /** The recent-events ring, oldest first, formatted. */
  private recentEvents(): string[] {
    return this.ring.lines(this.current === null ? this.steps : this.steps - 1);
  }

  private logSlices(v: Violation): LogSlice[] {
    const slices: LogSlice[] = [];
    const seen = new Set<NodeId>();
    let lo = Number.POSITIVE_INFINITY;
    let hi = 0;
    for (const i of v.indices) {
      if (i < lo) lo = i;
      if (i > hi) hi = i;
    }
    for (const id of v.nodes) {
      if (seen.has(id) || id < 1 || id > this.servers) continue;
      seen.add(id);
      const h = this.hosts[id - 1]!;
      const p = h.process;
      const lastIndex = p === null ? h.storage.lastIndex : p.lastIndex;
      const termAt = (i: number) => (p === null ? h.storage.termAt(i) : p.termAt(i));
      const from = v.indices.length > 0 ? Math.max(1, lo - 3) : Math.max(1, lastIndex - 7);
      const to = v.indices.length > 0 ? Math.min(lastIndex, hi + 3) : lastIndex;
      const terms: number[] = [];
      for (let i = from; i <= to; i++) terms.push(termAt(i) ?? -1);
      slices.push({
        node: id,
        fromIndex: from,
        terms,
        commitIndex: p === null ? h.lastCommitIndex : p.commitIndex,
      });
    }
    return slices;
  }

  /**
   * The clients' view: safety properties speak of logs, a stale read breaks none of them. Pending
   * ('info') operations stay open to the end, as the checker requires.
   */
  private checkLinearizable(): void {
    const opts = this.linBudgetSteps === undefined ? {} : { budgetSteps: this.linBudgetSteps };
    const r = checkLinearizability(this.clients.history, opts);
    if (r.verdict !== 'violation') {
      this.linearizability = { verdict: r.verdict, steps: r.steps };
      return;
    }
    const w = r.witness;
    this.linearizability = { verdict: r.verdict, steps: r.steps, key: w.key };
    this.fail({
      property: 'linearizability',
      message: `client history is not linearizable: ${w.message}`,
      nodes: [],
      terms: [],
      indices: [],
    });
  }

  private result(): EngineResult {
    let violation = this.violation;
    if (violation !== null) {
      // Formatted only now: the ring holds raw references, the violating step included.
      violation = { ...violation, recentEvents: this.recentEvents() };
    }
    const counters = this.counters;
    const net = this.network;
    const cs = this.clients.stats;
    return {
      seed: this.seed,
      config: this.config,
      ok: violation === null,
      violation,
      events: this.steps,
      simulatedMs: this.nowMs,
      stoppedBy: this.stoppedBy,
      leadersByTerm: counters.leadersByTerm(),
      maxCommitIndex: counters.maxCommitIndex,
      clientOps: { ok: cs.ok, fail: cs.fail, info: cs.info },
      clientRequests: {
        sent: cs.requests,
        redirects: cs.redirects,
        timeouts: cs.timeouts,
        lost: counters.requestsLost,
      },
      faults: { ...counters.faults },
      messages: {
        sent: net.sent,
        delivered: counters.delivered,
        dropped:
          net.droppedRandom + net.droppedAtSend + counters.droppedInFlight + counters.droppedAtDownNode,
        duplicated: net.duplicated,
      },
      liveness: this.probe.outcome(this.clients.probeOkMs, this.violation?.property === 'liveness'),
      leaderStability:
        this.stabilitySkip === null
          ? { status: 'judged' }
          : { status: 'skipped', reason: this.stabilitySkip },
      linearizability: this.linearizability,
      history: this.clients.history,
      membership: this.admin.history,
      configurations: this.configurations,
      traceHash: this.tracer === null ? null : this.tracer.digest(),
    };
  }
}

function outcomeName(outcome: number): string {
  switch (outcome) {
    case Outcome.blocked:
      return 'blocked';
    case Outcome.lost:
      return 'lost';
    case Outcome.held:
      return 'held';
    case Outcome.noEffect:
      return 'no-effect';
    default:
      return 'done';
  }
}
