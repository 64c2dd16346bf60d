import { describe, expect, it } from 'vitest';
import { policyFor } from '../bugs/index.ts';
import { EMPTY_READY, RaftNode } from '../src/raft/node.ts';
import type { Policy } from '../src/raft/policy.ts';
import {
  type AppendEntries,
  type AppendEntriesReply,
  type Command,
  DEFAULT_RAFT_CONFIG,
  type Entry,
  type HardState,
  type Message,
  NONE,
  type NodeId,
  type RaftConfig,
  type Random,
  type RequestVote,
  type RequestVoteReply,
} from '../src/raft/types.ts';

// ---- Small builders. ----

const cmd = (value: string): Command => ({
  kind: 'kv',
  clientId: 1,
  seq: 1,
  op: { type: 'put', key: 'k', value },
});
const entry = (term: number, value = `t${term}`): Entry => ({ term, command: cmd(value) });
/** A log from its terms, each entry with a distinct command. */
const logOf = (...terms: number[]): Entry[] => terms.map((term, k) => entry(term, `i${k + 1}t${term}`));
const termsOf = (node: RaftNode): number[] =>
  Array.from({ length: node.lastIndex }, (_, k) => node.termAt(k + 1)!);

interface Disk {
  hardState: HardState;
  log: Entry[];
  lastApplied: number;
}
const disk = (currentTerm = 0, log: Entry[] = [], votedFor: NodeId = NONE, lastApplied = 0): Disk => ({
  hardState: { currentTerm, votedFor },
  log,
  lastApplied,
});

/** rng 0 gives the minimum election timeout (150 ms), just below 1 the maximum (300 ms). */
const FAST: Random = () => 0;
const SLOW: Random = () => 0.999999;

interface NodeOpts {
  n?: number;
  disk?: Disk;
  policy?: Policy;
  config?: Partial<RaftConfig>;
  rng?: Random;
  nowMs?: number;
}
function mk(id: NodeId, opts: NodeOpts = {}): RaftNode {
  const n = opts.n ?? 3;
  return new RaftNode({
    id,
    peers: Array.from({ length: n }, (_, k) => k + 1),
    config: { ...DEFAULT_RAFT_CONFIG, ...opts.config },
    rng: opts.rng ?? FAST,
    durable: opts.disk ?? disk(),
    nowMs: opts.nowMs ?? 0,
    ...(opts.policy === undefined ? {} : { policy: opts.policy }),
  });
}

const rv = (
  from: NodeId,
  to: NodeId,
  term: number,
  lastLogIndex = 0,
  lastLogTerm = 0,
  preVote = false,
): RequestVote => ({
  type: 'RequestVote',
  from,
  to,
  term,
  lastLogIndex,
  lastLogTerm,
  preVote,
});
const rvr = (
  from: NodeId,
  to: NodeId,
  term: number,
  voteGranted: boolean,
  preVote = false,
): RequestVoteReply => ({
  type: 'RequestVoteReply',
  from,
  to,
  term,
  voteGranted,
  preVote,
});
const ae = (
  from: NodeId,
  to: NodeId,
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  entries: Entry[] = [],
  leaderCommit = 0,
): AppendEntries => ({
  type: 'AppendEntries',
  from,
  to,
  term,
  prevLogIndex,
  prevLogTerm,
  entries,
  leaderCommit,
  round: 0,
});
const aer = (
  from: NodeId,
  to: NodeId,
  term: number,
  success: boolean,
  matchIndex: number,
): AppendEntriesReply => ({
  type: 'AppendEntriesReply',
  from,
  to,
  term,
  success,
  matchIndex,
  conflictTerm: 0,
  conflictIndex: 0,
  round: 0,
  requestTerm: term,
});

/** Step one message and return what the node sent in answer. */
function answer(node: RaftNode, nowMs: number, m: Message): Message[] {
  node.step(nowMs, m);
  return [...node.ready().messages];
}
function only<T extends Message['type']>(
  messages: readonly Message[],
  type: T,
): Extract<Message, { type: T }> {
  expect(messages.map((m) => m.type)).toEqual([type]);
  return messages[0] as Extract<Message, { type: T }>;
}

/** The AppendEntries a node has queued for `peer`. */
function appendsTo(node: RaftNode, peer: NodeId): AppendEntries[] {
  return node.ready().messages.filter((m): m is AppendEntries => m.type === 'AppendEntries' && m.to === peer);
}

/** Make node 1 of a cluster leader at the next timeout, with a vote from S2. Returns the election time. */
function electNode1(node: RaftNode): number {
  const nowMs = node.nextWakeMs();
  node.tick(nowMs);
  expect(node.role).toBe('candidate');
  node.step(nowMs, rvr(2, 1, node.currentTerm, true));
  expect(node.role).toBe('leader');
  return nowMs;
}

// ---- A tiny cluster: instant delivery, durable disks, optional isolation. ----

class Cluster {
  readonly nodes: RaftNode[] = [];
  readonly disks: Disk[] = [];
  readonly applied: Entry[][] = [];
  /** Every message sent, delivered or not, in order. */
  readonly sent: Message[] = [];
  readonly isolated = new Set<NodeId>();
  nowMs = 0;
  private inflight: Message[] = [];

  constructor(
    readonly n: number,
    private readonly opts: {
      config?: Partial<RaftConfig>;
      policy?: Policy;
      disks?: Disk[];
      rngs?: Random[];
    } = {},
  ) {
    for (let id = 1; id <= n; id++) {
      this.disks.push(opts.disks?.[id - 1] ?? disk());
      this.applied.push([]);
      this.nodes.push(this.boot(id));
    }
  }

  node(id: NodeId): RaftNode {
    return this.nodes[id - 1]!;
  }

  private boot(id: NodeId): RaftNode {
    const d = this.disks[id - 1]!;
    return mk(id, {
      n: this.n,
      disk: { hardState: d.hardState, log: d.log.slice(), lastApplied: d.lastApplied },
      rng: this.opts.rngs?.[id - 1] ?? seeded(id),
      nowMs: this.nowMs,
      ...(this.opts.config === undefined ? {} : { config: this.opts.config }),
      ...(this.opts.policy === undefined ? {} : { policy: this.opts.policy }),
    });
  }

  restart(id: NodeId): void {
    this.nodes[id - 1] = this.boot(id);
  }

  /** Persist, apply and queue everything every node has to hand out. */
  private collect(): void {
    for (const node of this.nodes) {
      const r = node.ready();
      const d = this.disks[node.id - 1]!;
      if (r.hardState !== null) d.hardState = r.hardState;
      if (r.logWrite !== null) {
        d.log.length = r.logWrite.fromIndex - 1;
        d.log.push(...r.logWrite.entries);
      }
      if (r.toApply.length > 0) {
        expect(r.firstApplyIndex).toBe(d.lastApplied + 1);
        this.applied[node.id - 1]!.push(...r.toApply);
        d.lastApplied += r.toApply.length;
      }
      for (const m of r.messages) {
        this.sent.push(m);
        this.inflight.push(m);
      }
    }
  }

  deliverAll(): void {
    for (let rounds = 0; ; rounds++) {
      expect(rounds).toBeLessThan(1000);
      this.collect();
      if (this.inflight.length === 0) return;
      const batch = this.inflight;
      this.inflight = [];
      for (const m of batch) {
        if (this.isolated.has(m.from) || this.isolated.has(m.to)) continue;
        this.node(m.to).step(this.nowMs, m);
      }
    }
  }

  /** Run timers and deliver instantly until `ms` have passed. */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      this.deliverAll();
      const next = Math.min(...this.nodes.map((node) => node.nextWakeMs()));
      if (next > target) break;
      this.nowMs = Math.max(this.nowMs, next);
      for (const node of this.nodes) if (node.nextWakeMs() <= this.nowMs) node.tick(this.nowMs);
    }
    this.nowMs = target;
  }

  leaders(): RaftNode[] {
    return this.nodes.filter((node) => node.role === 'leader');
  }

  propose(value: string): void {
    const [leader] = this.leaders();
    const result = leader!.propose(this.nowMs, cmd(value));
    expect(result.ok).toBe(true);
  }
}

/** A small deterministic generator (mulberry32), one stream per node. */
function seeded(seed: number): Random {
  let a = seed * 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- Tests. ----

describe('§5.1 terms', () => {
  it('a leader that sees a higher term steps down, adopts it and forgets its vote', () => {
    const node = mk(1, { disk: disk(2) });
    const t0 = electNode1(node);
    node.ready();
    expect(node.currentTerm).toBe(3);
    node.step(t0 + 10, aer(3, 1, 7, false, 0));
    expect(node.role).toBe('follower');
    expect(node.currentTerm).toBe(7);
    expect(node.votedFor).toBe(NONE);
    expect(node.leaderId).toBe(NONE);
    expect(node.ready().hardState).toEqual({ currentTerm: 7, votedFor: NONE });
    // A follower no longer sends heartbeats; it waits for an election timeout instead.
    expect(node.nextWakeMs()).toBe(t0 + 10 + 150);
  });

  it('an AppendEntries from an older term is rejected with the current term', () => {
    const node = mk(1, { disk: disk(3, logOf(1, 2)) });
    const reply = only(answer(node, 5, ae(2, 1, 2, 2, 2, [entry(2)])), 'AppendEntriesReply');
    expect(reply).toMatchObject({ term: 3, success: false, to: 2 });
    expect(node.lastIndex).toBe(2);
    expect(node.leaderId).toBe(NONE);
  });

  it('accept-stale-term-append: the bug takes the stale leader for the current one', () => {
    const node = mk(1, { disk: disk(3, logOf(1, 3)), policy: policyFor(['accept-stale-term-append']) });
    const reply = only(answer(node, 5, ae(2, 1, 2, 1, 1, [entry(2, 'stale')])), 'AppendEntriesReply');
    expect(reply).toMatchObject({ term: 3, success: true, matchIndex: 2 });
    expect(termsOf(node)).toEqual([1, 2]);
    expect(node.leaderId).toBe(2);
  });

  it('a stale vote request is refused with the current term', () => {
    const node = mk(1, { disk: disk(4) });
    expect(only(answer(node, 1, rv(2, 1, 3)), 'RequestVoteReply')).toMatchObject({
      term: 4,
      voteGranted: false,
    });
    expect(node.currentTerm).toBe(4);
  });
});

describe('§5.2 leader election', () => {
  it('a follower that hears nothing becomes a candidate and asks every peer for its vote', () => {
    const node = mk(1, { disk: disk(1, logOf(1, 1)) });
    expect(node.nextWakeMs()).toBe(150);
    node.tick(149);
    expect(node.role).toBe('follower');
    expect(node.ready()).toBe(EMPTY_READY);
    node.tick(150);
    expect(node.role).toBe('candidate');
    expect(node.currentTerm).toBe(2);
    expect(node.votedFor).toBe(1);
    const r = node.ready();
    expect(r.hardState).toEqual({ currentTerm: 2, votedFor: 1 });
    expect(r.messages).toEqual([rv(1, 2, 2, 2, 1), rv(1, 3, 2, 2, 1)]);
  });

  it('election timeouts are drawn uniformly from [min, max], and fixed under fixed-election-timeout', () => {
    const timeoutFor = (x: number, policy?: Policy) =>
      mk(1, { rng: () => x, nowMs: 1000, ...(policy ? { policy } : {}) }).nextWakeMs() - 1000;
    expect([0, 0.5, 0.999999].map((x) => timeoutFor(x))).toEqual([150, 225, 300]);
    const fixed = policyFor(['fixed-election-timeout']);
    expect([0, 0.5, 0.999999].map((x) => timeoutFor(x, fixed))).toEqual([150, 150, 150]);
  });

  it('a voter grants at most one vote per term, first come first served', () => {
    const node = mk(1, { disk: disk(1) });
    expect(only(answer(node, 10, rv(2, 1, 2)), 'RequestVoteReply')).toMatchObject({
      term: 2,
      voteGranted: true,
    });
    expect(node.votedFor).toBe(2);
    expect(only(answer(node, 11, rv(3, 1, 2)), 'RequestVoteReply')).toMatchObject({
      term: 2,
      voteGranted: false,
    });
    // A retried request from the same candidate gets the same answer.
    expect(only(answer(node, 12, rv(2, 1, 2)), 'RequestVoteReply')).toMatchObject({ voteGranted: true });
    expect(node.votedFor).toBe(2);
    // A new term is a new vote.
    expect(only(answer(node, 13, rv(3, 1, 3)), 'RequestVoteReply')).toMatchObject({
      term: 3,
      voteGranted: true,
    });
    expect(node.votedFor).toBe(3);
  });

  it('learning a higher term does not reset the election timer; a leader stepping down arms one', () => {
    const node = mk(1, { disk: disk(1, logOf(1, 1, 1)) });
    expect(node.nextWakeMs()).toBe(150);
    // A candidate with a shorter log: refused, and our own timer is left alone.
    expect(only(answer(node, 100, rv(2, 1, 5, 1, 1)), 'RequestVoteReply').voteGranted).toBe(false);
    expect(node.currentTerm).toBe(5);
    expect(node.nextWakeMs()).toBe(150);
    const leader = mk(1, { disk: disk(2) });
    const t0 = electNode1(leader);
    leader.step(t0 + 10, aer(2, 1, 9, false, 0));
    expect(leader.nextWakeMs()).toBe(t0 + 10 + 150);
  });

  it('granting a vote resets the election timer', () => {
    const node = mk(1);
    expect(node.nextWakeMs()).toBe(150);
    node.step(100, rv(2, 1, 1));
    expect(node.nextWakeMs()).toBe(250);
    // A refused vote does not.
    node.step(120, rv(3, 1, 1));
    expect(node.nextWakeMs()).toBe(250);
  });

  it('a candidate counts each voter once; count-duplicate-votes counts a duplicated reply twice', () => {
    for (const [policy, role] of [
      [undefined, 'candidate'],
      [policyFor(['count-duplicate-votes']), 'leader'],
    ] as const) {
      const node = mk(1, { n: 5, ...(policy ? { policy } : {}) });
      node.tick(150);
      node.step(151, rvr(2, 1, 1, true));
      node.step(152, rvr(2, 1, 1, true));
      expect(node.role).toBe(role);
    }
  });

  it('a candidate that a majority refuses waits out its timeout, then tries again in a new term', () => {
    const node = mk(1);
    node.tick(150);
    node.step(151, rvr(2, 1, 1, false));
    node.step(152, rvr(3, 1, 1, false));
    expect(node.role).toBe('candidate');
    expect(node.nextWakeMs()).toBe(300);
    node.tick(300);
    expect(node.role).toBe('candidate');
    expect(node.currentTerm).toBe(2);
  });

  it('a precandidate that a majority refuses goes back to being a follower', () => {
    const node = mk(1, { disk: disk(3), config: { preVote: true } });
    node.tick(150);
    node.step(151, rvr(2, 1, 3, false, true));
    expect(node.role).toBe('precandidate');
    node.step(152, rvr(3, 1, 3, false, true));
    expect(node.role).toBe('follower');
    expect([node.currentTerm, node.votedFor]).toEqual([3, NONE]);
  });

  it('a precandidate refused by a voter of a higher term adopts that term', () => {
    const node = mk(1, { disk: disk(3), config: { preVote: true } });
    node.tick(150);
    node.step(151, rvr(2, 1, 6, false, true));
    expect(node.role).toBe('follower');
    expect(node.currentTerm).toBe(6);
  });

  it('a candidate that hears from a leader of its term becomes its follower, keeping its vote', () => {
    const node = mk(1);
    node.tick(150);
    node.ready();
    const reply = only(answer(node, 160, ae(2, 1, 1, 0, 0)), 'AppendEntriesReply');
    expect(reply.success).toBe(true);
    expect(node.role).toBe('follower');
    expect(node.leaderId).toBe(2);
    expect(node.votedFor).toBe(1);
    expect(only(answer(node, 161, rv(3, 1, 1)), 'RequestVoteReply').voteGranted).toBe(false);
  });

  it('revote-same-term: the bug forgets the vote on stepping down and votes again in the same term', () => {
    const node = mk(1, { policy: policyFor(['revote-same-term']) });
    node.tick(150);
    node.ready();
    node.step(160, ae(2, 1, 1, 0, 0));
    expect(node.votedFor).toBe(NONE);
    expect(node.ready().hardState).toEqual({ currentTerm: 1, votedFor: NONE });
    expect(only(answer(node, 161, rv(3, 1, 1)), 'RequestVoteReply')).toMatchObject({
      term: 1,
      voteGranted: true,
    });
  });

  it('a single-node cluster elects itself at its first timeout and commits alone', () => {
    const node = mk(1, { n: 1 });
    node.tick(150);
    expect(node.role).toBe('leader');
    expect(node.currentTerm).toBe(1);
    expect(node.propose(151, cmd('a'))).toEqual({ ok: true, index: 2, term: 1 });
    expect(node.commitIndex).toBe(2);
    const r = node.ready();
    expect(r.messages).toEqual([]);
    expect(r.firstApplyIndex).toBe(1);
    expect(r.toApply.map((e) => e.command.kind)).toEqual(['noop', 'kv']);
  });

  it('only a leader accepts proposals; others point at the leader they know', () => {
    const node = mk(1);
    expect(node.propose(1, cmd('a'))).toEqual({ ok: false, leaderHint: NONE });
    node.step(2, ae(3, 1, 1, 0, 0));
    expect(node.propose(3, cmd('a'))).toEqual({ ok: false, leaderHint: 3 });
  });

  it.each([3, 5])('a %i-node cluster elects one leader, which commits proposals on every node', (n) => {
    const c = new Cluster(n);
    c.advance(1000);
    const leaders = c.leaders();
    expect(leaders).toHaveLength(1);
    const leader = leaders[0]!;
    for (const node of c.nodes) {
      expect(node.currentTerm).toBe(leader.currentTerm);
      if (node !== leader) expect(node.leaderId).toBe(leader.id);
    }
    for (let k = 0; k < 10; k++) c.propose(`v${k}`);
    c.advance(200);
    expect(leader.role).toBe('leader');
    expect(leader.commitIndex).toBe(leader.lastIndex);
    const expected = Array.from({ length: leader.lastIndex }, (_, k) => leader.entryAt(k + 1));
    expect(expected.filter((e) => e?.command.kind === 'kv')).toHaveLength(10);
    for (let id = 1; id <= n; id++) {
      expect(c.node(id).commitIndex).toBe(leader.lastIndex);
      expect(c.applied[id - 1]).toEqual(expected);
    }
  });

  it('a leader sends heartbeats to every peer each heartbeat interval', () => {
    const node = mk(1);
    const t0 = electNode1(node);
    node.ready();
    expect(node.nextWakeMs()).toBe(t0 + 50);
    node.tick(t0 + 49);
    expect(node.ready()).toBe(EMPTY_READY);
    node.tick(t0 + 50);
    const messages = node.ready().messages as AppendEntries[];
    expect(messages.map((m) => [m.type, m.to, m.entries.length])).toEqual([
      ['AppendEntries', 2, 0],
      ['AppendEntries', 3, 0],
    ]);
    expect(node.nextWakeMs()).toBe(t0 + 100);
  });
});

describe('§5.3 log replication', () => {
  it('rejects when its log is too short, pointing just past its end', () => {
    const node = mk(1, { disk: disk(2, logOf(1, 1, 2)) });
    const reply = only(answer(node, 1, ae(2, 1, 3, 5, 3, [entry(3)])), 'AppendEntriesReply');
    expect(reply).toMatchObject({ success: false, conflictTerm: 0, conflictIndex: 4 });
    expect(node.lastIndex).toBe(3);
  });

  it('rejects a term mismatch at prevLogIndex, naming the term and where it starts', () => {
    const node = mk(1, { disk: disk(2, logOf(1, 2, 2, 2)) });
    const reply = only(answer(node, 1, ae(2, 1, 3, 4, 3, [entry(3)])), 'AppendEntriesReply');
    expect(reply).toMatchObject({ success: false, conflictTerm: 2, conflictIndex: 2 });
    expect(termsOf(node)).toEqual([1, 2, 2, 2]);
    expect(node.ready().logWrite).toBeNull();
  });

  it("replaces a conflicting suffix with the leader's entries and writes only what changed", () => {
    const node = mk(1, { disk: disk(2, logOf(1, 1, 2, 2)) });
    node.step(1, ae(2, 1, 3, 2, 1, [entry(3, 'a'), entry(3, 'b'), entry(3, 'c')]));
    expect(termsOf(node)).toEqual([1, 1, 3, 3, 3]);
    const r = node.ready();
    expect(r.logWrite?.fromIndex).toBe(3);
    expect(r.logWrite?.entries.map((e) => e.term)).toEqual([3, 3, 3]);
    expect(only(r.messages, 'AppendEntriesReply')).toMatchObject({ success: true, matchIndex: 5 });
  });

  it('appends only what is new when the request overlaps its log', () => {
    const log = logOf(1, 1);
    const node = mk(1, { disk: disk(1, log) });
    node.step(1, ae(2, 1, 1, 1, 1, [log[1]!, entry(1, 'x')]));
    expect(node.lastIndex).toBe(3);
    expect(node.ready().logWrite?.fromIndex).toBe(3);
  });

  it('a stale or duplicated AppendEntries whose entries match never truncates', () => {
    const log = logOf(1, 1, 1, 1);
    const node = mk(1, { disk: disk(1, log) });
    // An early request for entries 1..2, delivered after the follower already holds 1..4.
    let reply = only(answer(node, 1, ae(2, 1, 1, 0, 0, log.slice(0, 2))), 'AppendEntriesReply');
    expect(reply).toMatchObject({ success: true, matchIndex: 2 });
    // An old heartbeat.
    reply = only(answer(node, 2, ae(2, 1, 1, 1, 1)), 'AppendEntriesReply');
    expect(reply).toMatchObject({ success: true, matchIndex: 1 });
    expect(node.lastIndex).toBe(4);
    expect(node.ready()).toBe(EMPTY_READY);
  });

  it('truncate-on-stale-append: the bug drops entries past a stale request', () => {
    const log = logOf(1, 1, 1, 1);
    const node = mk(1, { disk: disk(1, log), policy: policyFor(['truncate-on-stale-append']) });
    node.step(1, ae(2, 1, 1, 0, 0, log.slice(0, 2)));
    expect(node.lastIndex).toBe(2);
    const r = node.ready();
    expect(r.logWrite).toEqual({ fromIndex: 3, entries: [] });
  });

  it('the leader uses the hint to skip a whole conflicting term it does not have', () => {
    const c = new Cluster(3, {
      disks: [
        disk(4, logOf(1, 1, 1, 4, 4, 4)),
        disk(2, logOf(1, 1, 1, 2, 2, 2, 2)),
        disk(4, logOf(1, 1, 1, 4, 4, 4)),
      ],
      rngs: [FAST, SLOW, SLOW],
    });
    c.advance(150);
    expect(c.node(1).role).toBe('leader');
    const to2 = c.sent.filter((m): m is AppendEntries => m.type === 'AppendEntries' && m.to === 2);
    const from2 = c.sent.filter(
      (m): m is AppendEntriesReply => m.type === 'AppendEntriesReply' && m.from === 2,
    );
    expect(from2.filter((m) => !m.success)).toHaveLength(1);
    expect(from2[0]).toMatchObject({ success: false, conflictTerm: 2, conflictIndex: 4 });
    expect(to2.map((m) => m.prevLogIndex)).toEqual([6, 3]);
    expect(termsOf(c.node(2))).toEqual([1, 1, 1, 4, 4, 4, 5]);
  });

  it('the leader resumes after its own last entry of the conflicting term when it has that term', () => {
    const c = new Cluster(3, {
      disks: [
        disk(5, logOf(1, 1, 3, 3, 3, 5)),
        disk(3, logOf(1, 1, 3, 3, 3, 3, 3, 3)),
        disk(5, logOf(1, 1, 3, 3, 3, 5)),
      ],
      rngs: [FAST, SLOW, SLOW],
    });
    c.advance(150);
    expect(c.node(1).role).toBe('leader');
    const to2 = c.sent.filter((m): m is AppendEntries => m.type === 'AppendEntries' && m.to === 2);
    const from2 = c.sent.filter(
      (m): m is AppendEntriesReply => m.type === 'AppendEntriesReply' && m.from === 2,
    );
    expect(from2[0]).toMatchObject({ success: false, conflictTerm: 3, conflictIndex: 3 });
    expect(to2.map((m) => m.prevLogIndex)).toEqual([6, 5]);
    expect(termsOf(c.node(2))).toEqual([1, 1, 3, 3, 3, 5, 6]);
  });

  it('probes again at once when a rejection moves nextIndex back, but not for a duplicate of it', () => {
    const node = mk(1, { disk: disk(1, logOf(1, 1, 1)) });
    const t0 = electNode1(node);
    node.ready();
    const rejection: AppendEntriesReply = { ...aer(2, 1, 2, false, 0), conflictTerm: 0, conflictIndex: 2 };
    const probe = only(answer(node, t0 + 1, rejection), 'AppendEntries');
    expect([probe.prevLogIndex, probe.entries.length]).toEqual([1, 3]);
    // The network duplicated the rejection: that probe is already out, so nothing is sent now,
    // and the next heartbeat probes from the same place in case the first probe was lost.
    expect(answer(node, t0 + 2, rejection)).toEqual([]);
    node.tick(t0 + 50);
    expect(appendsTo(node, 2).map((m) => m.prevLogIndex)).toEqual([1]);
  });

  it('a rejection it cannot act on waits for the heartbeat instead of bouncing (match-from-log-length)', () => {
    const node = mk(1, { disk: disk(1, logOf(1, 1, 1)), policy: policyFor(['match-from-log-length']) });
    const t0 = electNode1(node);
    node.ready();
    // The bug takes this for an acknowledgement of the whole log: matchIndex 4, nextIndex 5.
    node.step(t0 + 1, aer(2, 1, 2, true, 1));
    const rejection: AppendEntriesReply = { ...aer(2, 1, 2, false, 0), conflictTerm: 0, conflictIndex: 2 };
    for (let k = 2; k < 10; k++) expect(answer(node, t0 + k, rejection)).toEqual([]);
    node.tick(t0 + 50);
    expect(appendsTo(node, 2).map((m) => m.prevLogIndex)).toEqual([4]);
  });

  it('streams a long backlog in messages of at most maxEntriesPerAppend entries', () => {
    const c = new Cluster(3, {
      config: { maxEntriesPerAppend: 2 },
      disks: [disk(1, logOf(1, 1, 1, 1, 1)), disk(), disk()],
      rngs: [FAST, SLOW, SLOW],
    });
    c.advance(150);
    const appends = c.sent.filter((m): m is AppendEntries => m.type === 'AppendEntries');
    expect(Math.max(...appends.map((m) => m.entries.length))).toBe(2);
    for (const id of [2, 3]) expect(termsOf(c.node(id))).toEqual([1, 1, 1, 1, 1, 2]);
    expect(c.node(1).commitIndex).toBe(6);
  });

  it('a follower commits min(leaderCommit, index of last new entry)', () => {
    // Entries 3..5 are left over from an old term and were never checked by this leader.
    const node = mk(1, { disk: disk(1, logOf(1, 1, 1, 1, 1)) });
    node.step(1, ae(2, 1, 2, 2, 1, [], 5));
    expect(node.commitIndex).toBe(2);
    const r = node.ready();
    expect(r.firstApplyIndex).toBe(1);
    expect(r.toApply).toHaveLength(2);
  });

  it('commit-not-min: the bug commits the unchecked entries too', () => {
    const node = mk(1, { disk: disk(1, logOf(1, 1, 1, 1, 1)), policy: policyFor(['commit-not-min']) });
    node.step(1, ae(2, 1, 2, 2, 1, [], 5));
    expect(node.commitIndex).toBe(5);
    expect(node.ready().toApply).toHaveLength(5);
  });

  it('hands out committed entries for applying exactly once, in order', () => {
    const log = logOf(1, 1, 1, 1);
    const node = mk(1, { disk: disk(1) });
    node.step(1, ae(2, 1, 1, 0, 0, log, 0));
    expect(node.ready().toApply).toEqual([]);
    node.step(2, ae(2, 1, 1, 4, 1, [], 2));
    let r = node.ready();
    expect([r.firstApplyIndex, r.toApply]).toEqual([1, log.slice(0, 2)]);
    expect(node.lastApplied).toBe(2);
    node.step(3, ae(2, 1, 1, 4, 1, [], 2));
    expect(node.ready().toApply).toEqual([]);
    node.step(4, ae(2, 1, 1, 4, 1, [], 4));
    r = node.ready();
    expect([r.firstApplyIndex, r.toApply]).toEqual([3, log.slice(2, 4)]);
  });

  it('apply-uncommitted: the bug applies entries as soon as it has them', () => {
    const node = mk(1, { disk: disk(1), policy: policyFor(['apply-uncommitted']) });
    node.step(1, ae(2, 1, 1, 0, 0, logOf(1, 1), 0));
    expect(node.commitIndex).toBe(0);
    expect(node.ready().toApply).toHaveLength(2);
  });

  it('ready() reports nothing twice and allocates nothing when idle', () => {
    const node = mk(1);
    expect(node.ready()).toBe(EMPTY_READY);
    node.step(1, rv(2, 1, 1));
    const r = node.ready();
    expect(r.hardState).toEqual({ currentTerm: 1, votedFor: 2 });
    expect(r.logWrite).toBeNull();
    expect(r.messages).toHaveLength(1);
    expect(node.ready()).toBe(EMPTY_READY);
    node.step(2, ae(2, 1, 1, 0, 0, logOf(1)));
    const r2 = node.ready();
    // Learning the leader of the term it voted in changes no durable state.
    expect(r2.hardState).toBeNull();
    expect(r2.logWrite).toEqual({ fromIndex: 1, entries: logOf(1) });
  });

  it('a follower refuses an append whose prevLogTerm is not its own (skip-prev-log-term-check takes it)', () => {
    // S2 holds index 2 of a deposed term-2 leader; S1, leading term 3, has term 1 there.
    const request = ae(1, 2, 3, 2, 1, [entry(3, 'x')]);
    const correct = mk(2, { disk: disk(2, logOf(1, 2)) });
    expect(only(answer(correct, 10, request), 'AppendEntriesReply').success).toBe(false);
    expect(termsOf(correct)).toEqual([1, 2]);
    const buggy = mk(2, { disk: disk(2, logOf(1, 2)), policy: policyFor(['skip-prev-log-term-check']) });
    expect(only(answer(buggy, 10, request), 'AppendEntriesReply').success).toBe(true);
    expect(termsOf(buggy)).toEqual([1, 2, 3]);
  });

  it("a leader appends a proposal after its no-op (overwrite-uncommitted-noop takes the no-op's slot until it commits)", () => {
    const correct = mk(1);
    const t = electNode1(correct);
    correct.ready();
    expect(correct.propose(t + 1, cmd('a'))).toMatchObject({ ok: true, index: 2 });
    expect(correct.ready().logWrite).toEqual({ fromIndex: 2, entries: [{ term: 1, command: cmd('a') }] });

    const buggy = mk(1, { policy: policyFor(['overwrite-uncommitted-noop']) });
    electNode1(buggy);
    buggy.ready();
    expect(buggy.propose(t + 1, cmd('a'))).toMatchObject({ ok: true, index: 1 });
    expect(buggy.ready().logWrite).toEqual({ fromIndex: 1, entries: [{ term: 1, command: cmd('a') }] });
    // Once its first entry has committed, the buggy leader appends like the correct one.
    buggy.step(t + 2, aer(2, 1, 1, true, 1));
    expect(buggy.commitIndex).toBe(1);
    expect(buggy.propose(t + 3, cmd('b'))).toMatchObject({ ok: true, index: 2 });
  });
});

describe('§5.4.1 election restriction', () => {
  // The voter's log ends at index 3, term 3.
  it.each([
    { lastLogTerm: 2, lastLogIndex: 10, granted: false, why: 'lower last term, however long' },
    { lastLogTerm: 3, lastLogIndex: 2, granted: false, why: 'same last term, shorter' },
    { lastLogTerm: 3, lastLogIndex: 3, granted: true, why: 'same last term, same length' },
    { lastLogTerm: 3, lastLogIndex: 4, granted: true, why: 'same last term, longer' },
    { lastLogTerm: 4, lastLogIndex: 1, granted: true, why: 'higher last term, however short' },
  ])(
    'candidate log ($lastLogTerm, $lastLogIndex): granted=$granted ($why)',
    ({ lastLogTerm, lastLogIndex, granted }) => {
      const node = mk(1, { disk: disk(3, logOf(1, 1, 3)) });
      const reply = only(answer(node, 1, rv(2, 1, 4, lastLogIndex, lastLogTerm)), 'RequestVoteReply');
      expect(reply.voteGranted).toBe(granted);
      const buggy = mk(1, { disk: disk(3, logOf(1, 1, 3)), policy: policyFor(['vote-no-log-check']) });
      expect(
        only(answer(buggy, 1, rv(2, 1, 4, lastLogIndex, lastLogTerm)), 'RequestVoteReply').voteGranted,
      ).toBe(true);
    },
  );
});

describe('§5.4.2 committing entries from previous terms (Figure 8)', () => {
  /** S1 leads term 4 with an entry of term 2 at index 2 and its no-op at index 3. */
  function figure8Leader(policy?: Policy): RaftNode {
    const node = mk(1, { disk: disk(3, logOf(1, 2)), ...(policy ? { policy } : {}) });
    electNode1(node);
    expect(node.currentTerm).toBe(4);
    expect(termsOf(node)).toEqual([1, 2, 4]);
    return node;
  }

  it('a leader does not commit an older-term entry by counting replicas', () => {
    const node = figure8Leader();
    node.step(200, aer(2, 1, 4, true, 2));
    expect(node.commitIndex).toBe(0);
    // Once an entry of its own term is on a majority, everything before it commits with it.
    node.step(201, aer(2, 1, 4, true, 3));
    expect(node.commitIndex).toBe(3);
  });

  it('figure8: the bug commits the older-term entry as soon as a majority holds it', () => {
    const node = figure8Leader(policyFor(['figure8']));
    node.step(200, aer(2, 1, 4, true, 2));
    expect(node.commitIndex).toBe(2);
  });

  it('match-from-log-length: the bug takes an acknowledgement of index 1 for the whole log', () => {
    const correct = figure8Leader();
    correct.step(200, aer(2, 1, 4, true, 1));
    expect(correct.commitIndex).toBe(0);
    const buggy = figure8Leader(policyFor(['match-from-log-length']));
    buggy.step(200, aer(2, 1, 4, true, 1));
    expect(buggy.commitIndex).toBe(3);
  });
});

describe('§5.5 / Figure 2 persistence: restart from durable state', () => {
  /** S1 votes for S2 in term 5, then takes two entries from it and learns index 1 is committed. */
  function runAndRestart(policy?: Policy): { before: RaftNode; after: RaftNode } {
    const c = new Cluster(3, { disks: [disk(4), disk(4), disk(4)], ...(policy ? { policy } : {}) });
    const s1 = c.node(1);
    s1.step(1, rv(2, 1, 5));
    s1.step(2, ae(2, 1, 5, 0, 0, [entry(5, 'a'), entry(5, 'b')], 1));
    c.deliverAll();
    c.isolated.add(1);
    c.restart(1);
    return { before: s1, after: c.node(1) };
  }

  it('recovers term, vote, log and applied index', () => {
    const { before, after } = runAndRestart();
    expect(after.currentTerm).toBe(5);
    expect(after.votedFor).toBe(2);
    expect(termsOf(after)).toEqual([5, 5]);
    expect(after.entryAt(2)).toEqual(before.entryAt(2));
    expect(after.commitIndex).toBe(1);
    expect(after.lastApplied).toBe(1);
    expect(after.role).toBe('follower');
    // It still will not vote for another candidate in term 5.
    expect(only(answer(after, 3, rv(3, 1, 5, 2, 5)), 'RequestVoteReply').voteGranted).toBe(false);
  });

  it('forget-vote: the restarted node has lost its vote and votes again in the same term', () => {
    const { after } = runAndRestart(policyFor(['forget-vote']));
    expect(after.currentTerm).toBe(5);
    expect(after.votedFor).toBe(NONE);
    expect(only(answer(after, 3, rv(3, 1, 5, 2, 5)), 'RequestVoteReply').voteGranted).toBe(true);
  });

  it('forget-term: the restarted node is back in its old term', () => {
    const { after } = runAndRestart(policyFor(['forget-term']));
    expect(after.currentTerm).toBe(4);
  });
});

describe('PreVote (Raft thesis §9.6)', () => {
  it('a precandidate asks about the next term without changing its own term or vote', () => {
    const node = mk(1, { disk: disk(2, logOf(1, 2)), config: { preVote: true } });
    node.tick(150);
    expect(node.role).toBe('precandidate');
    expect(node.currentTerm).toBe(2);
    const r = node.ready();
    expect(r.hardState).toBeNull();
    // Pre-vote requests carry the round, which a reply echoes.
    expect(r.messages).toEqual([
      { ...rv(1, 2, 3, 2, 2, true), round: 1 },
      { ...rv(1, 3, 3, 2, 2, true), round: 1 },
    ]);
    // A granted pre-vote is in the future term: it makes us a candidate, not a follower of term 3.
    node.step(151, { ...rvr(2, 1, 3, true, true), round: 1 });
    expect(node.role).toBe('candidate');
    expect(node.currentTerm).toBe(3);
  });

  it('a precandidate does not count a grant of an earlier pre-vote round (it may predate a leader)', () => {
    const node = mk(1, { disk: disk(2, logOf(1, 2)), config: { preVote: true } });
    node.tick(150);
    node.ready();
    // The round times out (say the node was paused) and a second round begins, about term 3 again.
    node.tick(450);
    expect(node.role).toBe('precandidate');
    expect((node.ready().messages[0] as RequestVote).round).toBe(2);
    // A grant of round 1 arrives late: it is not a grant of this round.
    node.step(451, { ...rvr(2, 1, 3, true, true), round: 1 });
    expect(node.role).toBe('precandidate');
    node.step(452, { ...rvr(2, 1, 3, true, true), round: 2 });
    expect(node.role).toBe('candidate');
  });

  it('a voter echoes the pre-vote round', () => {
    const node = mk(1, { disk: disk(2, logOf(1, 2)), config: { preVote: true } });
    expect(
      only(answer(node, 10, { ...rv(2, 1, 3, 2, 2, true), round: 7 }), 'RequestVoteReply'),
    ).toMatchObject({
      voteGranted: true,
      round: 7,
    });
  });

  it('a voter answers a pre-vote without changing its term or vote, and refuses while it hears a leader', () => {
    const node = mk(1, { disk: disk(2, logOf(1, 2)), config: { preVote: true } });
    expect(only(answer(node, 10, rv(2, 1, 3, 2, 2, true)), 'RequestVoteReply')).toMatchObject({
      term: 3,
      voteGranted: true,
      preVote: true,
    });
    expect([node.currentTerm, node.votedFor]).toEqual([2, NONE]);
    expect(node.ready()).toBe(EMPTY_READY);
    // Log not up to date: refused.
    expect(only(answer(node, 11, rv(2, 1, 3, 1, 1, true)), 'RequestVoteReply').voteGranted).toBe(false);
    // Just heard from the leader of term 2: refused; once it has been quiet for the minimum timeout, granted.
    node.step(100, ae(3, 1, 2, 2, 2));
    node.ready();
    expect(only(answer(node, 249, rv(2, 1, 3, 2, 2, true)), 'RequestVoteReply').voteGranted).toBe(false);
    expect(only(answer(node, 250, rv(2, 1, 3, 2, 2, true)), 'RequestVoteReply').voteGranted).toBe(true);
    expect(node.currentTerm).toBe(2);
  });

  it('a partitioned node does not bump its term, and rejoins without unseating the leader', () => {
    const c = new Cluster(3, { config: { preVote: true } });
    c.advance(1000);
    const [leader] = c.leaders();
    const term = leader!.currentTerm;
    const cut = leader!.id === 3 ? 2 : 3;
    c.isolated.add(cut);
    c.advance(5000);
    expect(c.node(cut).currentTerm).toBe(term);
    const preVotes = c.sent.filter((m) => m.type === 'RequestVote' && m.from === cut);
    expect(preVotes.length).toBeGreaterThan(10);
    expect(preVotes.every((m) => m.type === 'RequestVote' && m.preVote)).toBe(true);
    c.isolated.clear();
    c.advance(1000);
    expect(c.leaders()).toEqual([leader]);
    for (const node of c.nodes) expect(node.currentTerm).toBe(term);
  });

  it('without PreVote the same partition drives the term up and disrupts the leader (the control)', () => {
    const c = new Cluster(3);
    c.advance(1000);
    const [leader] = c.leaders();
    const term = leader!.currentTerm;
    const cut = leader!.id === 3 ? 2 : 3;
    c.isolated.add(cut);
    c.advance(5000);
    expect(c.node(cut).currentTerm).toBeGreaterThan(term + 10);
    c.isolated.clear();
    c.advance(1000);
    expect(c.leaders()).toHaveLength(1);
    expect(c.leaders()[0]!.currentTerm).toBeGreaterThan(term + 10);
  });
});

describe('CheckQuorum', () => {
  it('a leader that hears from no majority within an election timeout steps down in its term', () => {
    const node = mk(1, { config: { checkQuorum: true } });
    const t0 = electNode1(node);
    const term = node.currentTerm;
    node.step(t0 + 50, aer(2, 1, term, true, 1));
    node.tick(t0 + 150);
    expect(node.role).toBe('leader');
    // Nobody has answered since the last check.
    node.tick(t0 + 299);
    expect(node.role).toBe('leader');
    node.tick(t0 + 300);
    expect(node.role).toBe('follower');
    expect(node.currentTerm).toBe(term);
    expect(node.leaderId).toBe(NONE);
  });

  it('without CheckQuorum a leader keeps leading however long it is alone', () => {
    const node = mk(1);
    const t0 = electNode1(node);
    node.tick(t0 + 10_000);
    expect(node.role).toBe('leader');
  });

  it('an isolated leader steps down while the majority elects a new one', () => {
    const c = new Cluster(3, { config: { checkQuorum: true } });
    c.advance(1000);
    const [old] = c.leaders();
    c.isolated.add(old!.id);
    c.advance(300);
    expect(old!.role).not.toBe('leader');
    c.advance(700);
    const leaders = c.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe(old);
  });
});
