import { readdirSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { BUGS, findBug, policyFor } from '../bugs/index.ts';
import { createSafetyCheckers } from '../properties/index.ts';
import type { PropertyId, Violation } from '../properties/types.ts';
import { RaftNode } from '../src/raft/node.ts';
import { correctPolicy, type Policy } from '../src/raft/policy.ts';
import {
  type Command,
  DEFAULT_RAFT_CONFIG,
  type Entry,
  type HardState,
  type Message,
  NONE,
  type NodeId,
  type RaftConfig,
  type Random,
  type Ready,
} from '../src/raft/types.ts';

/**
 * A deliberately small randomised driver, independent of sim/: messages are delayed, reordered,
 * dropped and duplicated, nodes crash and restart from what they persisted, one node at a time is
 * cut off. After every node step the real safety checkers look at what happened. It exists to
 * show that the reference node survives such schedules and that every bug in the catalogue is
 * caught, and by which property.
 */

interface Disk {
  hardState: HardState;
  log: Entry[];
  lastApplied: number;
}

type Event =
  | { kind: 'deliver'; atMs: number; seq: number; message: Message }
  | { kind: 'wake'; atMs: number; seq: number; node: NodeId }
  | { kind: 'fault'; atMs: number; seq: number }
  | { kind: 'restart'; atMs: number; seq: number; node: NodeId }
  | { kind: 'heal'; atMs: number; seq: number }
  | { kind: 'client'; atMs: number; seq: number };

/** An event before the queue numbers it (Omit applied to each member of the union). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'seq'> : never;
type NewEvent = Unnumbered<Event>;

/** A binary min-heap on (atMs, seq). */
class EventQueue {
  private readonly heap: Event[] = [];
  private seq = 0;
  push(event: NewEvent): void {
    const e = { ...event, seq: this.seq++ } as Event;
    const h = this.heap;
    h.push(e);
    let k = h.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!before(h[k]!, h[parent]!)) break;
      [h[k], h[parent]] = [h[parent]!, h[k]!];
      k = parent;
    }
  }
  pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === k) break;
        [h[k], h[m]] = [h[m]!, h[k]!];
        k = m;
      }
    }
    return top;
  }
}
function before(a: Event, b: Event): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

interface RunOptions {
  seed: number;
  nodes: number;
  policy: Policy;
  config?: Partial<RaftConfig>;
  durationMs?: number;
  faults?: boolean;
  /** Fault intensity: 1 is the default mix, higher is harsher (more drops, duplicates, crashes). */
  harshness?: number;
}

interface RunResult {
  violation: Violation | null;
  /** First time a leader existed, or null. */
  firstLeaderMs: number | null;
  committed: number;
}

function run(opts: RunOptions): RunResult {
  const { seed, nodes: n } = opts;
  const faults = opts.faults ?? true;
  const harsh = opts.harshness ?? 1;
  const durationMs = opts.durationMs ?? 8000;
  const config: RaftConfig = { ...DEFAULT_RAFT_CONFIG, ...opts.config };
  const net = seedrandom.alea(`net-${seed}`);
  const chaos = seedrandom.alea(`chaos-${seed}`);
  const peers = Array.from({ length: n }, (_, k) => k + 1);
  const disks: Disk[] = peers.map(() => ({
    hardState: { currentTerm: 0, votedFor: NONE },
    log: [],
    lastApplied: 0,
  }));
  const rngs: Random[] = peers.map((id) => seedrandom.alea(`timeouts-${seed}-${id}`));
  const checkers = createSafetyCheckers();
  const queue = new EventQueue();
  const up: boolean[] = peers.map(() => true);
  let isolated: NodeId = NONE;
  let nowMs = 0;
  let clientSeq = 0;
  let firstLeaderMs: number | null = null;
  let maxCommit = 0;
  let violation: Violation | null = null;

  const boot = (id: NodeId): RaftNode => {
    const d = disks[id - 1]!;
    return new RaftNode({
      id,
      peers,
      config,
      rng: rngs[id - 1]!,
      policy: opts.policy,
      durable: { hardState: d.hardState, log: d.log.slice(), lastApplied: d.lastApplied },
      nowMs,
    });
  };
  const nodes = peers.map(boot);
  /** The wake time each node has queued, so a node is not woken twice for one deadline. */
  const queuedWake: number[] = peers.map(() => Number.POSITIVE_INFINITY);

  const check = (node: RaftNode, before: Before, ready: Ready, restarted: boolean): void => {
    for (const c of checkers) {
      const v = c.onNodeStep({ node: node.id, process: node, restarted, ...before, ready });
      if (v !== null && violation === null) violation = v;
    }
  };
  const send = (m: Message): void => {
    if (faults && chaos() < 0.05 * harsh) return;
    const copies = faults && net() < 0.05 * harsh ? 2 : 1;
    for (let k = 0; k < copies; k++) {
      let delayMs = 1 + Math.floor(net() * 15);
      if (faults && net() < 0.04 * harsh) delayMs += 50 + Math.floor(net() * 500);
      queue.push({ kind: 'deliver', atMs: nowMs + delayMs, message: m });
    }
  };
  const afterStep = (node: RaftNode, before: Before): void => {
    const ready = node.ready();
    check(node, before, ready, false);
    const d = disks[node.id - 1]!;
    if (ready.hardState !== null) d.hardState = ready.hardState;
    if (ready.logWrite !== null) {
      d.log.length = ready.logWrite.fromIndex - 1;
      for (const e of ready.logWrite.entries) d.log.push(e);
    }
    d.lastApplied += ready.toApply.length;
    for (const m of ready.messages) send(m);
    if (node.role === 'leader' && firstLeaderMs === null) firstLeaderMs = nowMs;
    if (node.commitIndex > maxCommit) maxCommit = node.commitIndex;
    const wake = node.nextWakeMs();
    if (wake < queuedWake[node.id - 1]!) {
      const atMs = Math.max(wake, nowMs);
      queuedWake[node.id - 1] = atMs;
      queue.push({ kind: 'wake', atMs, node: node.id });
    }
  };

  for (const node of nodes) afterStep(node, beforeOf(node));
  if (faults) queue.push({ kind: 'fault', atMs: 300 });
  queue.push({ kind: 'client', atMs: 20 });

  for (let steps = 0; violation === null && steps < 1_000_000; steps++) {
    const e = queue.pop();
    if (e === undefined || e.atMs > durationMs) break;
    nowMs = e.atMs;
    switch (e.kind) {
      case 'deliver': {
        const m = e.message;
        if (!up[m.to - 1] || isolated === m.to || isolated === m.from) break;
        const node = nodes[m.to - 1]!;
        const b = beforeOf(node);
        node.step(nowMs, m);
        afterStep(node, b);
        break;
      }
      case 'wake': {
        const id = e.node;
        if (queuedWake[id - 1] !== e.atMs) break;
        queuedWake[id - 1] = Number.POSITIVE_INFINITY;
        if (!up[id - 1]) break;
        const node = nodes[id - 1]!;
        const b = beforeOf(node);
        node.tick(nowMs);
        afterStep(node, b);
        break;
      }
      case 'fault': {
        const victim = 1 + Math.floor(chaos() * n);
        const what = chaos();
        if (what < 0.5 && up[victim - 1]) {
          up[victim - 1] = false;
          queuedWake[victim - 1] = Number.POSITIVE_INFINITY;
          queue.push({ kind: 'restart', atMs: nowMs + 20 + Math.floor(chaos() * 400), node: victim });
        } else if (what < 0.8 && isolated === NONE) {
          isolated = victim;
          queue.push({ kind: 'heal', atMs: nowMs + 100 + Math.floor(chaos() * 900) });
        }
        queue.push({ kind: 'fault', atMs: nowMs + Math.floor((100 + chaos() * 400) / harsh) });
        break;
      }
      case 'restart': {
        const id = e.node;
        up[id - 1] = true;
        const node = boot(id);
        const old = nodes[id - 1]!;
        nodes[id - 1] = node;
        check(node, beforeOf(old), node.ready(), true);
        afterStep(node, beforeOf(node));
        break;
      }
      case 'heal':
        isolated = NONE;
        break;
      case 'client': {
        const leader = nodes.find((node, k) => up[k] && node.role === 'leader');
        if (leader !== undefined) {
          clientSeq++;
          const command: Command = {
            kind: 'kv',
            clientId: 1,
            seq: clientSeq,
            op: { type: 'append', key: 'k', value: `${clientSeq}` },
          };
          const b = beforeOf(leader);
          leader.propose(nowMs, command);
          afterStep(leader, b);
        }
        queue.push({ kind: 'client', atMs: nowMs + 10 + Math.floor(chaos() * 20) });
        break;
      }
    }
  }
  return { violation, firstLeaderMs, committed: maxCommit };
}

interface Before {
  roleBefore: RaftNode['role'];
  termBefore: number;
  commitIndexBefore: number;
  lastIndexBefore: number;
  lastAppliedBefore: number;
}
function beforeOf(node: RaftNode): Before {
  return {
    roleBefore: node.role,
    termBefore: node.currentTerm,
    commitIndexBefore: node.commitIndex,
    lastIndexBefore: node.lastIndex,
    lastAppliedBefore: node.lastApplied,
  };
}

/**
 * Hunt over seeds until the bug is caught as `property`. Every violation met on the way must be
 * one of `allowed`: a bug may show up first as a neighbouring property on some schedules.
 */
function hunt(
  bugName: string,
  property: PropertyId,
  opts: { nodes: number; harshness: number; maxSeeds: number; alsoAs?: readonly PropertyId[] },
): number | null {
  const allowed = new Set<PropertyId>([property, ...(opts.alsoAs ?? [])]);
  for (let seed = 1; seed <= opts.maxSeeds; seed++) {
    const { violation } = run({
      seed,
      nodes: opts.nodes,
      policy: policyFor([bugName]),
      harshness: opts.harshness,
    });
    if (violation === null) continue;
    expect(allowed.has(violation.property), `seed ${seed}: ${violation.message}`).toBe(true);
    if (violation.property === property) return seed;
  }
  return null;
}

/**
 * A hand-driven cluster for scripted schedules: messages wait in a queue until the script delivers,
 * holds or drops them; time moves only when the script makes a node time out. The real checkers
 * watch every step.
 */
class Script {
  readonly nodes: RaftNode[];
  readonly disks: Disk[];
  readonly violations: Violation[] = [];
  nowMs = 0;
  private seq = 0;
  private readonly checkers = createSafetyCheckers();
  private readonly down = new Set<NodeId>();
  private queue: Message[] = [];
  private readonly peers: NodeId[];

  constructor(
    n: number,
    private readonly policy: Policy,
  ) {
    this.peers = Array.from({ length: n }, (_, k) => k + 1);
    this.disks = this.peers.map(() => ({
      hardState: { currentTerm: 0, votedFor: NONE },
      log: [],
      lastApplied: 0,
    }));
    this.nodes = this.peers.map((id) => this.boot(id));
  }

  node(id: NodeId): RaftNode {
    return this.nodes[id - 1]!;
  }

  private boot(id: NodeId): RaftNode {
    const d = this.disks[id - 1]!;
    return new RaftNode({
      id,
      peers: this.peers,
      config: DEFAULT_RAFT_CONFIG,
      rng: seedrandom.alea(`script-${id}`),
      policy: this.policy,
      durable: { hardState: d.hardState, log: d.log.slice(), lastApplied: d.lastApplied },
      nowMs: this.nowMs,
    });
  }

  private act(node: RaftNode, action: () => void): void {
    const b = beforeOf(node);
    action();
    const ready = node.ready();
    this.check(node, b, ready, false);
    const d = this.disks[node.id - 1]!;
    if (ready.hardState !== null) d.hardState = ready.hardState;
    if (ready.logWrite !== null) {
      d.log.length = ready.logWrite.fromIndex - 1;
      d.log.push(...ready.logWrite.entries);
    }
    d.lastApplied += ready.toApply.length;
    this.queue.push(...ready.messages);
  }

  private check(node: RaftNode, b: Before, ready: Ready, restarted: boolean): void {
    for (const c of this.checkers) {
      const v = c.onNodeStep({ node: node.id, process: node, restarted, ...b, ready });
      if (v !== null) this.violations.push(v);
    }
  }

  /** Let `id`'s election timer (or heartbeat) fire. */
  timeout(id: NodeId): void {
    const node = this.node(id);
    this.nowMs = Math.max(this.nowMs, node.nextWakeMs());
    this.act(node, () => node.tick(this.nowMs));
  }

  propose(id: NodeId, value: string): void {
    const node = this.node(id);
    const command: Command = {
      kind: 'kv',
      clientId: id,
      seq: ++this.seq,
      op: { type: 'put', key: 'k', value },
    };
    this.act(node, () => expect(node.propose(this.nowMs, command).ok).toBe(true));
  }

  /** Deliver queued messages that `which` accepts (and those they cause), until none is left; the rest wait. */
  deliver(which: (m: Message) => boolean = () => true): void {
    for (let rounds = 0; ; rounds++) {
      expect(rounds).toBeLessThan(100);
      const now = this.queue.filter((m) => which(m) && !this.down.has(m.to));
      if (now.length === 0) return;
      this.queue = this.queue.filter((m) => !now.includes(m));
      for (const m of now) {
        if (this.down.has(m.to)) continue;
        const node = this.node(m.to);
        this.act(node, () => node.step(this.nowMs, m));
      }
    }
  }

  drop(which: (m: Message) => boolean): void {
    this.queue = this.queue.filter((m) => !which(m));
  }

  crash(id: NodeId): void {
    this.down.add(id);
    this.drop((m) => m.to === id);
  }

  restart(id: NodeId): void {
    this.down.delete(id);
    const old = this.node(id);
    const node = this.boot(id);
    this.nodes[id - 1] = node;
    this.check(node, beforeOf(old), node.ready(), true);
  }

  properties(): PropertyId[] {
    return this.violations.map((v) => v.property);
  }
}

const to =
  (...ids: NodeId[]) =>
  (m: Message): boolean =>
    ids.includes(m.to);
const votes = (m: Message): boolean => m.type === 'RequestVote' || m.type === 'RequestVoteReply';

/**
 * Figure 8 of the paper, on five nodes. Leaders append no no-op here, as in the paper: the no-op
 * would reach a majority together with the old entry and hide the problem.
 */
function figure8Schedule(policy: Policy): Script {
  const s = new Script(5, { ...policy, appendNoopOnElection: false });
  // Index 1 is committed everywhere in term 1.
  s.timeout(1);
  s.deliver();
  s.propose(1, 'a');
  s.deliver();
  // (a) S1 leads term 2 and gets index 2 only to S2.
  s.crash(1);
  s.restart(1);
  s.timeout(1);
  s.deliver(votes);
  expect(s.node(1)).toMatchObject({ role: 'leader', currentTerm: 2 });
  s.drop((m) => m.type === 'AppendEntries');
  s.propose(1, 'b');
  s.deliver(to(1, 2));
  // (b) S1 crashes; S5 wins term 3 with votes from S3, S4 and writes another index 2 only locally.
  s.crash(1);
  s.timeout(5);
  s.deliver(votes);
  expect(s.node(5)).toMatchObject({ role: 'leader', currentTerm: 3 });
  s.propose(5, 'c');
  s.drop((m) => m.type === 'AppendEntries');
  // (c) S5 crashes; S1 restarts, wins term 4 (on its second try) and copies index 2 to S3.
  s.crash(5);
  s.restart(1);
  s.timeout(1);
  s.deliver(votes);
  s.timeout(1);
  s.deliver(votes);
  expect(s.node(1)).toMatchObject({ role: 'leader', currentTerm: 4 });
  s.drop(to(4));
  s.deliver();
  expect(s.node(1).commitIndex).toBe(policy.mayCommitByCounting(2, 4) ? 2 : 1);
  // (d) S1 crashes; S5 restarts and, with a last term of 3, wins term 5 with S2, S3 and S4.
  s.crash(1);
  s.restart(5);
  s.timeout(5);
  s.deliver(votes);
  s.timeout(5);
  s.deliver(votes);
  expect(s.node(5)).toMatchObject({ role: 'leader', currentTerm: 5 });
  s.deliver();
  // S1 comes back and is brought in line with S5.
  s.restart(1);
  s.timeout(5);
  s.deliver();
  expect(s.node(1).entryAt(2)).toEqual(s.node(5).entryAt(2));
  return s;
}

describe('scripted schedules, watched by the safety checkers', () => {
  it('Figure 8: the correct leader does not commit the term-2 entry, so overwriting it is safe', () => {
    const s = figure8Schedule(correctPolicy);
    expect(s.violations).toEqual([]);
  });

  it('Figure 8 with the figure8 bug: the next leader lacks a committed entry, then overwrites it', () => {
    const s = figure8Schedule(policyFor(['figure8']));
    expect(s.properties()[0]).toBe('leader-completeness');
    expect(s.violations[0]!.message).toBe(
      'leader S5 of term 5 lacks index 2 [t2 c1#2 put k b] committed by S1 in term 4 (it holds [t3 c5#3 put k c])',
    );
    expect(s.properties()).toContain('state-machine-safety');
  });

  /** S2 votes for S1 in term 1, crashes and restarts, and is then asked by S3 in the same term. */
  function restartAfterVote(policy: Policy): Script {
    const s = new Script(3, policy);
    s.timeout(1);
    s.drop(to(3));
    s.deliver(to(2));
    s.drop(to(1));
    s.crash(2);
    s.restart(2);
    s.timeout(3);
    s.deliver();
    return s;
  }

  it('a restarted node remembers its vote', () => {
    const s = restartAfterVote(correctPolicy);
    expect(s.violations).toEqual([]);
    expect(s.node(3).role).toBe('candidate');
  });

  it('forget-vote: the restarted node votes again in the same term (durability)', () => {
    const s = restartAfterVote(policyFor(['forget-vote']));
    expect(s.properties()).toEqual(['durability']);
    expect(s.violations[0]!.message).toBe('S2 voted for S1 and then S3 in term 1');
    expect(s.node(3)).toMatchObject({ role: 'leader', currentTerm: 1 });
  });

  /**
   * S1 wins term 1 with S3's vote; S2 campaigns in term 1 too and asks S3 after S3 heard from S1.
   * Without the leader's no-op: with it, S3's log would be ahead of S2's and S3 would refuse on
   * that ground alone.
   */
  function lateCandidate(policy: Policy): Script {
    const s = new Script(3, { ...policy, appendNoopOnElection: false });
    s.timeout(1);
    s.drop(to(2));
    s.deliver(votes);
    expect(s.node(1).role).toBe('leader');
    s.timeout(2);
    // S3 hears from its leader; S1's heartbeat to S2 is lost.
    s.deliver((m) => (m.from === 1 && m.to === 3) || (m.from === 3 && m.to === 1));
    s.drop((m) => m.from === 1 && m.to === 2);
    s.deliver();
    return s;
  }

  it('a voter that learns the leader of the term keeps its vote', () => {
    const s = lateCandidate(correctPolicy);
    expect(s.violations).toEqual([]);
    expect(s.nodes.map((n) => n.role)).toEqual(['leader', 'candidate', 'follower']);
  });

  it('revote-same-term: the second vote is caught (durability), and two leaders follow (election safety)', () => {
    const s = lateCandidate(policyFor(['revote-same-term']));
    expect(s.properties()).toEqual(['durability', 'election-safety']);
    expect(s.violations[1]!.message).toBe('two leaders in term 1: S1 and S2');
  });

  /** S1 leads term 1 and is cut off with an uncommitted entry; S2 leads term 2; S1's old request arrives late. */
  function staleLeader(policy: Policy): Script {
    const s = new Script(3, policy);
    s.timeout(1);
    s.deliver();
    s.propose(1, 'a');
    s.deliver();
    s.propose(1, 'stale');
    const late = (m: Message) => m.from === 1 && m.type === 'AppendEntries' && m.to === 3;
    s.drop((m) => m.from === 1 && !late(m));
    s.crash(1);
    s.timeout(2);
    s.deliver((m) => !late(m));
    s.propose(2, 'b');
    s.deliver((m) => !late(m));
    s.timeout(2);
    s.deliver((m) => !late(m));
    expect(s.node(3).commitIndex).toBe(4);
    s.deliver(late);
    return s;
  }

  it('an AppendEntries from a deposed leader is refused', () => {
    const s = staleLeader(correctPolicy);
    expect(s.violations).toEqual([]);
    expect(s.node(3).lastIndex).toBe(4);
  });

  it('accept-stale-term-append: the deposed leader overwrites committed entries (state machine safety)', () => {
    const s = staleLeader(policyFor(['accept-stale-term-append']));
    // S3 first loses what it acknowledged in its term (durability), then a committed entry.
    expect(s.properties()).toEqual(['durability', 'state-machine-safety']);
    const sms = s.violations.find((v) => v.property === 'state-machine-safety')!;
    expect(sms.message).toMatch(/^S3 had committed index 3 \[t2 noop\] and replaced it with/);
  });
});

describe('the bug catalogue under random faults', () => {
  const cases: { name: string; nodes: number; harshness: number; maxSeeds: number; alsoAs?: PropertyId[] }[] =
    [
      { name: 'vote-no-log-check', nodes: 3, harshness: 1, maxSeeds: 10 },
      { name: 'forget-vote', nodes: 3, harshness: 3, maxSeeds: 150 },
      { name: 'forget-term', nodes: 3, harshness: 1, maxSeeds: 5 },
      {
        name: 'truncate-on-stale-append',
        nodes: 3,
        harshness: 1,
        maxSeeds: 10,
        alsoAs: ['leader-completeness', 'state-machine-safety'],
      },
      { name: 'commit-not-min', nodes: 3, harshness: 1, maxSeeds: 30 },
      {
        name: 'count-duplicate-votes',
        nodes: 5,
        harshness: 3,
        maxSeeds: 40,
        alsoAs: ['leader-completeness'],
      },
      {
        name: 'accept-stale-term-append',
        nodes: 5,
        harshness: 3,
        maxSeeds: 150,
        // Taking an older term's leader as its own, a follower first drops entries it acknowledged.
        alsoAs: ['durability'],
      },
      { name: 'match-from-log-length', nodes: 3, harshness: 1, maxSeeds: 10 },
      { name: 'revote-same-term', nodes: 5, harshness: 3, maxSeeds: 60 },
      { name: 'apply-uncommitted', nodes: 3, harshness: 1, maxSeeds: 5 },
      { name: 'overwrite-uncommitted-noop', nodes: 3, harshness: 1, maxSeeds: 10 },
      {
        name: 'skip-prev-log-term-check',
        nodes: 3,
        harshness: 3,
        maxSeeds: 60,
        alsoAs: ['leader-completeness', 'state-machine-safety'],
      },
    ];
  it.each(cases)('$name is caught as its catalogue property', ({ name, ...opts }) => {
    const bug = findBug(name)!;
    expect(hunt(name, bug.property, opts), `${name} not caught as ${bug.property}`).not.toBeNull();
  });
  // That every bug is caught somewhere is not a list kept here: test/bug-sweeps.test.ts fails for a
  // bug without a sweep that finds it, and test/scenarios.test.ts for one without a trace in
  // scenarios/bugs/ that replays to its property. This driver, independent of sim/, is a second witness.
});

describe('the reference node under a faulty network', () => {
  it.each([
    { nodes: 3, config: {} },
    { nodes: 5, config: {} },
    { nodes: 3, config: { preVote: true, checkQuorum: true } },
    { nodes: 5, config: { preVote: true, checkQuorum: true, maxEntriesPerAppend: 4 } },
  ])('$nodes nodes, config $config: no property is violated and entries commit', ({ nodes, config }) => {
    let committed = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const result = run({ seed, nodes, policy: correctPolicy, config });
      expect(result.violation).toBeNull();
      committed += result.committed;
    }
    // Progress despite the faults: on average well over a hundred entries per run.
    expect(committed).toBeGreaterThan(12 * 100);
  });

  it('is deterministic: the same seed gives the same run', () => {
    const a = run({ seed: 7, nodes: 3, policy: policyFor(['figure8']) });
    const b = run({ seed: 7, nodes: 3, policy: policyFor(['figure8']) });
    expect(a).toEqual(b);
  });
});

describe('the bug catalogue', () => {
  it('has unique names, each found by name, and policyFor([]) is the correct policy', () => {
    const names = BUGS.map((bug) => bug.name);
    expect(new Set(names).size).toBe(names.length);
    // Every bug module is in the catalogue (bug.ts, index.ts and fires.ts are the catalogue itself).
    const modules = readdirSync(new URL('../bugs/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && !['bug.ts', 'index.ts', 'fires.ts'].includes(f))
      .map((f) => f.replace(/\.ts$/, ''));
    expect([...names].sort()).toEqual(modules.sort());
    for (const bug of BUGS) expect(findBug(bug.name)).toBe(bug);
    expect(findBug('no-such-bug')).toBeUndefined();
    expect(policyFor([])).toBe(correctPolicy);
    expect(() => policyFor(['no-such-bug'])).toThrow(/unknown bug 'no-such-bug'/);
  });

  it('each bug changes exactly one decision of the policy it is applied to', () => {
    for (const bug of BUGS) {
      const policy = bug.policy(correctPolicy);
      const changed = (Object.keys(correctPolicy) as (keyof Policy)[]).filter(
        (k) => policy[k] !== correctPolicy[k],
      );
      expect(changed, bug.name).toHaveLength(1);
    }
    // Bugs compose: two switched on change two decisions.
    const both = policyFor(['figure8', 'forget-vote']);
    expect(both.persistVote).toBe(false);
    expect(both.mayCommitByCounting(1, 2)).toBe(true);
  });

  it('fixed-election-timeout: nodes that start together split the vote forever (liveness)', () => {
    const correct = run({ seed: 1, nodes: 3, policy: correctPolicy, faults: false, durationMs: 5000 });
    expect(correct.firstLeaderMs).not.toBeNull();
    expect(correct.firstLeaderMs!).toBeLessThan(1000);
    const buggy = run({
      seed: 1,
      nodes: 3,
      policy: policyFor(['fixed-election-timeout']),
      faults: false,
      durationMs: 5000,
    });
    expect(buggy.violation).toBeNull();
    expect(buggy.firstLeaderMs).toBeNull();
  });
});
