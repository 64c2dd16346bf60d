import { describe, expect, it } from 'vitest';
import type { Checker, NodeStep, Violation } from '../properties/types.ts';
import { type EngineOptions, type NodeArgs, simErrorContext, simulate } from '../sim/engine/runner.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { runSchedule } from '../sim/explore/run.ts';
import {
  DEFAULT_NETWORK_CONFIG,
  defaultConfig,
  type NetworkConfig,
  type SimConfig,
} from '../sim/model/config.ts';
import type { Fault, Schedule } from '../sim/model/schedule.ts';
import type { RaftProcess } from '../src/raft/process.ts';
import type {
  DurableState,
  Entry,
  HardState,
  LogWrite,
  Message,
  NodeId,
  Ready,
  Role,
} from '../src/raft/types.ts';

// A scripted stand-in for a Raft node: at given local times it sends messages and writes state,
// and it records everything the simulator does to it. Lets each simulator rule be tested alone.

interface Action {
  readonly atMs: number;
  /** Terms of RequestVote messages to send (the term doubles as a message id). */
  readonly send?: readonly { to: NodeId; term: number }[];
  readonly hardState?: HardState;
  readonly logWrite?: LogWrite;
}

class ScriptNode implements RaftProcess {
  readonly id: NodeId;
  role: Role = 'follower';
  currentTerm: number;
  votedFor: NodeId;
  leaderId: NodeId = 0;
  commitIndex = 0;
  lastApplied: number;
  readonly log: Entry[];
  readonly received: { atMs: number; message: Message }[] = [];
  readonly ticks: number[] = [];
  readonly durable: DurableState;
  readonly startMs: number;
  /** Pending actions, earliest first; a test may rewrite them to move the node's wake. */
  actions: Action[];
  private outbox: Message[] = [];
  private hardState: HardState | null = null;
  private logWrite: LogWrite | null = null;
  /** Test hook: what a delivered message does (e.g. move the wake). */
  onStep: ((node: ScriptNode, m: Message) => void) | null = null;

  constructor(args: NodeArgs, actions: readonly Action[]) {
    this.id = args.id;
    this.durable = args.durable;
    this.startMs = args.nowMs;
    this.currentTerm = args.durable.hardState.currentTerm;
    this.votedFor = args.durable.hardState.votedFor;
    this.lastApplied = args.durable.lastApplied;
    this.log = args.durable.log.slice();
    this.actions = actions.filter((a) => a.atMs > args.nowMs);
  }
  get lastIndex(): number {
    return this.log.length;
  }
  termAt(index: number): number | undefined {
    return index === 0 ? 0 : this.log[index - 1]?.term;
  }
  entryAt(index: number): Entry | undefined {
    return this.log[index - 1];
  }
  tick(nowMs: number): void {
    this.ticks.push(nowMs);
    while (this.actions.length > 0 && this.actions[0]!.atMs <= nowMs) {
      const a = this.actions.shift()!;
      for (const s of a.send ?? []) {
        this.outbox.push({
          type: 'RequestVote',
          from: this.id,
          to: s.to,
          term: s.term,
          lastLogIndex: 0,
          lastLogTerm: 0,
          preVote: false,
        });
      }
      if (a.hardState !== undefined) {
        this.hardState = a.hardState;
        this.currentTerm = a.hardState.currentTerm;
      }
      if (a.logWrite !== undefined) {
        this.logWrite = a.logWrite;
        this.log.length = a.logWrite.fromIndex - 1;
        this.log.push(...a.logWrite.entries);
      }
    }
  }
  step(nowMs: number, message: Message): void {
    this.received.push({ atMs: nowMs, message });
    this.onStep?.(this, message);
  }
  propose(): { ok: false; leaderHint: NodeId } {
    return { ok: false, leaderHint: 0 };
  }
  ready(): Ready {
    const r: Ready = {
      hardState: this.hardState,
      logWrite: this.logWrite,
      messages: this.outbox,
      firstApplyIndex: 0,
      toApply: [],
    };
    this.outbox = [];
    this.hardState = null;
    this.logWrite = null;
    return r;
  }
  nextWakeMs(): number {
    return this.actions[0]?.atMs ?? Number.POSITIVE_INFINITY;
  }
}

const quiet: NetworkConfig = { ...DEFAULT_NETWORK_CONFIG, dropRate: 0, dupRate: 0, longDelayRate: 0 };

function config(nodes: number, network: Partial<NetworkConfig> = {}): SimConfig {
  return {
    ...defaultConfig(),
    nodes,
    clients: 0,
    timeMs: 1000,
    quietMs: 0,
    network: { ...quiet, ...network },
  };
}

/** Runs scripted nodes; returns the result and every incarnation of every node, by id. */
function runScripted(
  cfg: SimConfig,
  scripts: Record<number, Action[]>,
  faults: Fault[] = [],
  opts: Omit<EngineOptions, 'createNode'> = {},
) {
  const incarnations = new Map<NodeId, ScriptNode[]>();
  const schedule: Schedule = { version: 1, seed: 1, config: cfg, faults, ops: [] };
  const result = simulate(schedule, {
    liveness: false,
    ...opts,
    createNode: (args) => {
      const node = new ScriptNode(args, scripts[args.id] ?? []);
      incarnations.set(args.id, [...(incarnations.get(args.id) ?? []), node]);
      return node;
    },
  });
  const node = (id: NodeId, incarnation = 0) => incarnations.get(id)![incarnation]!;
  return { result, node, incarnations };
}

const terms = (n: ScriptNode) => n.received.map((r) => r.message.term);

describe('network in the runner', () => {
  it('a partition drops messages at send and those already in flight; a heal restores the link', () => {
    const { result, node } = runScripted(
      config(2, { delayMsMin: 50, delayMsMax: 50 }),
      {
        1: [
          { atMs: 10, send: [{ to: 2, term: 1 }] }, // in flight when the partition starts
          { atMs: 30, send: [{ to: 2, term: 2 }] }, // sent into the partition
          { atMs: 130, send: [{ to: 2, term: 3 }] }, // after the heal
        ],
      },
      [
        { atMs: 20, type: 'partition', groups: [[1], [2]] },
        { atMs: 100, type: 'heal' },
      ],
    );
    expect(node(2).received).toEqual([{ atMs: 180, message: expect.objectContaining({ term: 3 }) }]);
    expect(result.messages).toEqual({ sent: 3, delivered: 1, dropped: 2, duplicated: 0 });
    expect(result.faults).toMatchObject({ partitions: 1, heals: 1 });
  });

  it('a one-way link down blocks only its direction', () => {
    const { node } = runScripted(
      config(2, { delayMsMin: 5, delayMsMax: 5 }),
      { 1: [{ atMs: 10, send: [{ to: 2, term: 1 }] }], 2: [{ atMs: 10, send: [{ to: 1, term: 2 }] }] },
      [{ atMs: 0, type: 'link', from: 1, to: 2, up: false }],
    );
    expect(terms(node(2))).toEqual([]);
    expect(terms(node(1))).toEqual([2]);
  });

  it('delivers a duplicated message twice', () => {
    const { result, node } = runScripted(config(2, { dupRate: 1, delayMsMin: 1, delayMsMax: 30 }), {
      1: [{ atMs: 10, send: [{ to: 2, term: 7 }] }],
    });
    expect(terms(node(2))).toEqual([7, 7]);
    expect(node(2).received[0]!.message).toBe(node(2).received[1]!.message);
    expect(result.messages).toMatchObject({ sent: 1, delivered: 2, duplicated: 1 });
  });

  it('reorders messages through their random delays', () => {
    const sends = Array.from({ length: 30 }, (_, i) => ({ to: 2, term: i + 1 }));
    const { node } = runScripted(config(2, { delayMsMin: 1, delayMsMax: 100 }), {
      1: [{ atMs: 10, send: sends }],
    });
    const got = terms(node(2));
    expect([...got].sort((a, b) => a - b)).toEqual(sends.map((s) => s.term));
    expect(got).not.toEqual(sends.map((s) => s.term));
    const times = node(2).received.map((r) => r.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});

describe('pauses', () => {
  it('a paused node receives its messages late, when it resumes, and ticks then too', () => {
    const { node, result } = runScripted(
      config(2, { delayMsMin: 5, delayMsMax: 5 }),
      { 1: [{ atMs: 10, send: [{ to: 2, term: 1 }] }], 2: [{ atMs: 50 }] },
      [{ atMs: 5, type: 'pause', node: 2, durationMs: 100 }],
    );
    expect(node(2).received).toEqual([{ atMs: 105, message: expect.objectContaining({ term: 1 }) }]);
    // Its timer was due at 50, during the pause: it runs at the resume instead.
    expect(node(2).ticks).toEqual([105]);
    expect(result.faults.pauses).toBe(1);
  });
});

describe('crash and restart', () => {
  it('a crash loses volatile state, keeps durable state, and loses messages sent to the node', () => {
    const entry: Entry = { term: 3, command: { kind: 'noop' } };
    const seen: NodeStep[] = [];
    const recorder: Checker = {
      property: 'durability',
      onNodeStep(step: NodeStep): Violation | null {
        if (step.restarted) seen.push({ ...step });
        return null;
      },
    };
    const { node, incarnations, result } = runScripted(
      config(2, { delayMsMin: 5, delayMsMax: 5 }),
      {
        1: [
          {
            atMs: 10,
            hardState: { currentTerm: 3, votedFor: 1 },
            logWrite: { fromIndex: 1, entries: [entry, entry] },
          },
        ],
        2: [{ atMs: 25, send: [{ to: 1, term: 9 }] }],
      },
      [
        { atMs: 20, type: 'crash', node: 1 },
        { atMs: 40, type: 'restart', node: 1 },
        { atMs: 50, type: 'restart', node: 1 }, // not crashed: no effect
      ],
      { checkers: [recorder] },
    );
    expect(incarnations.get(1)).toHaveLength(2);
    const first = node(1, 0);
    const second = node(1, 1);
    expect(first.ticks).toEqual([10]);
    expect(second.ticks).toEqual([]); // volatile: the ticks it saw died with the first incarnation
    expect(second.startMs).toBe(40);
    expect(second.durable.hardState).toEqual({ currentTerm: 3, votedFor: 1 });
    expect(second.durable.log).toEqual([entry, entry]);
    expect(second.durable.log).not.toBe(first.log);
    expect(first.received).toEqual([]);
    expect(second.received).toEqual([]);
    expect(result.messages.dropped).toBe(1);
    expect(result.faults).toMatchObject({ crashes: 1, restarts: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ node: 1, restarted: true, termBefore: 3, lastIndexBefore: 2 });
    expect(seen[0]!.process).toBe(second);
    expect(seen[0]!.ready.messages).toEqual([]);
  });
});

describe('timers', () => {
  /** Node 2 wakes at 100; a message reaching it at 20 rewrites its pending actions. */
  function wakes(rewrite: Action[]): number[] {
    const cfg = config(2, { delayMsMin: 5, delayMsMax: 5 });
    const schedule: Schedule = { version: 1, seed: 1, config: cfg, faults: [], ops: [] };
    const nodes: ScriptNode[] = [];
    simulate(schedule, {
      liveness: false,
      createNode: (args) => {
        const n = new ScriptNode(
          args,
          args.id === 1 ? [{ atMs: 15, send: [{ to: 2, term: 1 }] }] : [{ atMs: 100 }],
        );
        if (args.id === 2) {
          n.onStep = (self) => {
            self.actions = rewrite.slice();
          };
        }
        nodes.push(n);
        return n;
      },
    });
    expect(nodes[1]!.received.map((r) => r.atMs)).toEqual([20]);
    return nodes[1]!.ticks;
  }

  it('fires at the wake the node asks for', () => {
    expect(wakes([{ atMs: 100 }, { atMs: 300 }])).toEqual([100, 300]);
  });

  it('fires a wake moved earlier at the new time and drops the old event', () => {
    expect(wakes([{ atMs: 50 }])).toEqual([50]);
  });

  it('lazily re-arms a wake moved later: the old event ticks (to no effect), then the new one', () => {
    expect(wakes([{ atMs: 150 }])).toEqual([100, 150]);
  });

  it('lets a pending event fire once when the node drops its wake, and then stays quiet', () => {
    expect(wakes([])).toEqual([100]);
  });
});

describe('clients', () => {
  /** One client, ops every 100 ms, a 300 ms deadline; the nodes are stubs that refuse every proposal. */
  function refusing(faults: Fault[] = []) {
    const base = config(3, { delayMsMin: 2, delayMsMax: 2 });
    const cfg: SimConfig = {
      ...base,
      clients: 1,
      clientsCfg: { ...base.clientsCfg, requestTimeoutMs: 100, opDeadlineMs: 300, retryBackoffMs: 10 },
    };
    const ops = [100, 200, 300].map((atMs, i) => ({
      client: 1,
      atMs,
      op: { type: 'put' as const, key: 'k', value: `c1-${i}` },
    }));
    const schedule: Schedule = { version: 1, seed: 1, config: cfg, faults, ops };
    return simulate(schedule, { liveness: false, createNode: (args) => new ScriptNode(args, []) });
  }

  it('gives up at the deadline with fail when every attempt was refused', () => {
    const result = refusing();
    expect(result.history.map((o) => [o.status, o.invokeMs, o.returnMs])).toEqual([
      ['fail', 100, 400],
      ['fail', 400, 700],
      ['fail', 700, 1000],
    ]);
    expect(result.clientOps).toEqual({ ok: 0, fail: 3, info: 0 });
    // Each refusal is followed by a retry at the next node after the backoff: about one per 14 ms.
    expect(result.clientRequests.redirects).toBeGreaterThan(50);
    expect(result.clientRequests.timeouts).toBe(0);
  });

  it('gives up with info (unknown outcome) when a request went unanswered', () => {
    // Every node crashed: requests are lost, the client times out and cannot know what happened.
    const result = refusing([1, 2, 3].map((node) => ({ atMs: 0, type: 'crash' as const, node })));
    expect(result.history.map((o) => [o.status, o.returnMs, o.result])).toEqual([
      ['info', null, null],
      ['info', null, null],
      ['info', null, null],
    ]);
    expect(result.clientRequests.timeouts).toBeGreaterThanOrEqual(6);
    expect(result.clientRequests.lost).toBe(result.clientRequests.sent);
  });
});

describe('client routing', () => {
  /** The reference node, no faults, 4 clients on 5 nodes, 10 s. */
  function routed(routing: 'leader' | 'random' | undefined) {
    const base = defaultConfig();
    const cfg: SimConfig = {
      ...base,
      clients: 4,
      timeMs: 10_000,
      quietMs: 10_000,
      faults: { ...base.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
      network: { ...base.network, dropRate: 0, dupRate: 0, longDelayRate: 0 },
      clientsCfg: { ...base.clientsCfg, routing },
    };
    return runSchedule(generateSchedule(3, cfg), { liveness: false });
  }

  it('sends each new op to a random node with routing random, which then redirects it to the leader', () => {
    const sticky = routed(undefined);
    const spread = routed('random');
    expect(sticky.ok && spread.ok).toBe(true);
    const ops = spread.clientOps.ok;
    expect(ops).toBeGreaterThan(500);
    // Four of five nodes are not the leader: most new ops start with a redirect.
    expect(spread.clientRequests.redirects).toBeGreaterThan(ops / 2);
    // Clients that stick to the leader are redirected only while they learn who it is.
    expect(sticky.clientRequests.redirects).toBeLessThan(ops / 10);
    expect(routed('leader').clientRequests).toEqual(sticky.clientRequests);
  });
});

describe('run control and reports', () => {
  const chatty = () => {
    const sends = Array.from({ length: 20 }, (_, i) => ({
      atMs: 10 + i * 10,
      send: [{ to: 2, term: i + 1 }],
    }));
    return { 1: sends };
  };

  it('stops at the first violation and reports the step, the time and the recent events', () => {
    const checker: Checker = {
      property: 'election-safety',
      onNodeStep(step) {
        if (step.node !== 2 || step.process.lastIndex !== 0) return null;
        const got = (step.process as ScriptNode).received.length;
        if (got < 5) return null;
        return {
          property: 'election-safety',
          message: 'five messages seen',
          nodes: [2, 1],
          terms: [5],
          indices: [],
        };
      },
    };
    const { result } = runScripted(config(2, { delayMsMin: 2, delayMsMax: 2 }), chatty(), [], {
      checkers: [checker],
      recentEvents: 4,
    });
    expect(result.ok).toBe(false);
    expect(result.stoppedBy).toBe('violation');
    const v = result.violation!;
    expect(v.property).toBe('election-safety');
    expect(v.message).toBe('five messages seen');
    expect(v.timeMs).toBe(52);
    expect(v.step).toBe(result.events);
    expect(v.recentEvents).toHaveLength(4);
    expect(v.recentEvents[3]).toMatch(new RegExp(`^#${v.step} t=52ms deliver RequestVote S1→S2 t5`));
    expect(v.logs.map((l) => l.node)).toEqual([2, 1]);
  });

  it('stops at maxSteps', () => {
    const { result } = runScripted(config(2), chatty(), [], { maxSteps: 7 });
    expect(result.events).toBe(7);
    expect(result.stoppedBy).toBe('max-steps');
  });

  it('stops at timeMs', () => {
    const cfg = { ...config(2, { delayMsMin: 2, delayMsMax: 2 }), timeMs: 100 };
    const { result, node } = runScripted(cfg, chatty());
    expect(result.stoppedBy).toBe('time');
    expect(result.simulatedMs).toBe(100);
    expect(Math.max(...terms(node(2)))).toBe(9); // sent at 90, arrived at 92; the one sent at 100 is still in flight
  });

  it('asserts on a message to a node that does not exist, saying where it happened', () => {
    let error: unknown = null;
    try {
      runScripted(config(2), { 1: [{ atMs: 10, send: [{ to: 3, term: 1 }] }] });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'AssertionError', message: 'S1 sent a message to S3' });
    const where = simErrorContext(error);
    expect(where).toMatchObject({ step: 1, timeMs: 10 });
    expect(where!.recentEvents).toEqual(['#1 t=10ms timer S1 — threw']);
  });

  it('runs inside the determinism fence and restores it after', () => {
    const random = Math.random;
    const schedule: Schedule = { version: 1, seed: 1, config: config(1), faults: [], ops: [] };
    expect(() =>
      simulate(schedule, {
        liveness: false,
        createNode: (args) => {
          Math.random();
          return new ScriptNode(args, []);
        },
      }),
    ).toThrow('determinism fence: Math.random called during a simulated run');
    expect(Math.random).toBe(random);
    expect(typeof Math.random()).toBe('number');
  });

  it('rejects an invalid schedule naming the field', () => {
    const schedule: Schedule = {
      version: 1,
      seed: 1,
      config: config(2),
      faults: [{ atMs: 1, type: 'crash', node: 3 }],
      ops: [],
    };
    expect(() => runSchedule(schedule)).toThrow(
      'invalid schedule: faults[0].node must be a node id from 1 to 2',
    );
  });
});
