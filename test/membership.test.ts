import { describe, expect, it } from 'vitest';
import { BUGS } from '../bugs/index.ts';
import { createSafetyCheckers } from '../properties/index.ts';
import { MembershipSafety } from '../properties/membership-safety.ts';
import { referenceNode } from '../sim/adapters/reference.ts';
import { generateSchedule, runSeed } from '../sim/explore/generate.ts';
import { configFor } from '../sim/explore/profile.ts';
import { runSchedule } from '../sim/explore/run.ts';
import { defaultConfig } from '../sim/model/config.ts';
import type { Schedule } from '../sim/model/schedule.ts';
import { readTraceFile } from '../sim/model/trace-file.ts';
import { applyChange, bootstrapMembership, changeDone, unsafeSuccessor } from '../src/raft/membership.ts';
import { RaftNode } from '../src/raft/node.ts';
import {
  type AppendEntries,
  type Command,
  DEFAULT_RAFT_CONFIG,
  type Entry,
  type Membership,
  type Message,
  NONE,
  type NodeId,
} from '../src/raft/types.ts';

const m = (voters: NodeId[], outgoing: NodeId[] = [], learners: NodeId[] = []): Membership => ({
  voters,
  outgoing,
  learners,
});

describe('membership values (src/raft/membership.ts)', () => {
  // [previous, next, safe]: the quorum-overlap rule behind every configuration step.
  const steps: [string, Membership, Membership, boolean][] = [
    ['same voters, a learner added', m([1, 2, 3]), m([1, 2, 3], [], [4]), true],
    ['one voter added', m([1, 2, 3]), m([1, 2, 3, 4]), true],
    ['one voter removed', m([1, 2, 3, 4]), m([1, 2, 3]), true],
    ['one voter replaced (two changes at once)', m([1, 2, 3]), m([1, 2, 4]), false],
    ['two voters added to three', m([1, 2, 3]), m([1, 2, 3, 4, 5]), false],
    // {S1,S4,S5} is a majority of the five, {S2,S3} one of the three: removing two at once is unsafe too.
    ['two voters removed from five', m([1, 2, 3, 4, 5]), m([1, 2, 3]), false],
    ['two voters added to seven', m([1, 2, 3, 4, 5, 6, 7]), m([1, 2, 3, 4, 5, 6, 7, 8, 9]), false],
    ['a majority swapped at once', m([1, 2, 3]), m([3, 4, 5]), false],
    ['into the joint configuration', m([1, 2, 3]), m([3, 4, 5], [1, 2, 3]), true],
    ['into a joint configuration with the wrong old half', m([1, 2, 3]), m([3, 4, 5], [1, 2]), false],
    ['out of the joint configuration to its new half', m([3, 4, 5], [1, 2, 3]), m([3, 4, 5]), true],
    ['out of the joint configuration to its old half', m([3, 4, 5], [1, 2, 3]), m([1, 2, 3]), false],
    ['one joint configuration after another', m([3, 4, 5], [1, 2, 3]), m([4, 5, 6], [3, 4, 5]), false],
  ];
  for (const [name, prev, next, safe] of steps) {
    it(`${name}: ${safe ? 'safe' : 'unsafe'}`, () => {
      expect(unsafeSuccessor(prev, next) === null).toBe(safe);
    });
  }

  it('turns changes into configurations, and refuses what makes no sense', () => {
    const c = bootstrapMembership([3, 1, 2]);
    expect(c).toEqual(m([1, 2, 3]));
    expect(applyChange(c, { type: 'add-learner', node: 4 })).toEqual(m([1, 2, 3], [], [4]));
    expect(applyChange(m([1, 2, 3], [], [4]), { type: 'promote', node: 4 })).toEqual(m([1, 2, 3, 4]));
    expect(applyChange(c, { type: 'remove', node: 2 })).toEqual(m([1, 3]));
    expect(applyChange(c, { type: 'joint', voters: [5, 3, 4] })).toEqual(m([3, 4, 5], [1, 2, 3]));
    expect(applyChange(c, { type: 'joint', voters: [5, 3, 4] }, true)).toEqual(m([3, 4, 5]));
    expect(applyChange(c, { type: 'promote', node: 4 })).toBe('S4 is not a learner');
    expect(applyChange(c, { type: 'add-learner', node: 2 })).toBe('S2 is already a member');
    expect(applyChange(m([1]), { type: 'remove', node: 1 })).toBe('the last voter cannot be removed');
    expect(applyChange(c, { type: 'joint', voters: [1, 2, 3] })).toBe('the voters would not change');
    expect(typeof applyChange(m([3, 4], [1, 2]), { type: 'add-learner', node: 5 })).toBe('string');
  });

  it('knows when asking again means the change is done', () => {
    expect(changeDone(m([1, 2, 3], [], [4]), { type: 'add-learner', node: 4 })).toBe(true);
    expect(changeDone(m([1, 2, 3]), { type: 'remove', node: 4 })).toBe(true);
    expect(changeDone(m([1, 2, 3]), { type: 'remove', node: 3 })).toBe(false);
    expect(changeDone(m([3, 4, 5], [1, 2, 3]), { type: 'joint', voters: [3, 4, 5] })).toBe(false);
    expect(changeDone(m([3, 4, 5]), { type: 'joint', voters: [5, 4, 3] })).toBe(true);
  });
});

// ---- The reference node, driven by hand. ----

const noop: Command = { kind: 'noop' };
const config = (membership: Membership): Command => ({ kind: 'config', membership });
function node(id: NodeId, peers: NodeId[], log: Entry[] = [], term = 0): RaftNode {
  return new RaftNode({
    id,
    peers,
    config: DEFAULT_RAFT_CONFIG,
    rng: () => 0,
    durable: { hardState: { currentTerm: term, votedFor: NONE }, log, lastApplied: 0 },
    nowMs: 0,
  });
}
function requestVote(from: NodeId, to: NodeId, term: number, extra: { transfer?: true } = {}): Message {
  return { type: 'RequestVote', from, to, term, lastLogIndex: 9, lastLogTerm: 9, preVote: false, ...extra };
}
function heartbeat(
  from: NodeId,
  to: NodeId,
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
): AppendEntries {
  return {
    type: 'AppendEntries',
    from,
    to,
    term,
    prevLogIndex,
    prevLogTerm,
    entries: [],
    leaderCommit: 0,
    round: 1,
  };
}

describe('the reference node under membership change', () => {
  it('uses a configuration as soon as it is in the log, and goes back when it is truncated', () => {
    // S4 starts outside {S1,S2,S3}: it never campaigns.
    const spare = node(4, [1, 2, 3]);
    spare.tick(10_000);
    expect(spare.role).toBe('follower');
    expect(spare.currentTerm).toBe(0);
    // Its log receives a configuration that makes it a voter: from then on it campaigns.
    spare.step(10_001, {
      ...heartbeat(1, 4, 1, 0, 0),
      entries: [
        { term: 1, command: noop },
        { term: 1, command: config(m([1, 2, 3, 4])) },
      ],
    });
    spare.tick(20_000);
    expect(spare.role).toBe('candidate');
  });

  it('ignores a vote request from a server outside its configuration while it hears a leader (paper §6)', () => {
    const follower = node(2, [1, 2, 3], [{ term: 1, command: noop }], 1);
    follower.step(100, heartbeat(1, 2, 1, 1, 1));
    follower.ready();
    // S9 was removed (or never added): its request of a later term changes nothing.
    follower.step(110, requestVote(9, 2, 5));
    expect(follower.currentTerm).toBe(1);
    expect(follower.ready().messages).toEqual([]);
    // A member's request of a later term is heard (CheckQuorum is off), and so is a transfer's.
    follower.step(120, requestVote(3, 2, 5));
    expect(follower.currentTerm).toBe(5);
    follower.step(130, heartbeat(3, 2, 5, 1, 1));
    follower.step(140, requestVote(9, 2, 6, { transfer: true }));
    expect(follower.currentTerm).toBe(6);
  });

  it('hears a removed server once no leader has been heard within the minimum election timeout', () => {
    const follower = node(2, [1, 2, 3], [{ term: 1, command: noop }], 1);
    follower.step(100, heartbeat(1, 2, 1, 1, 1));
    follower.step(100 + DEFAULT_RAFT_CONFIG.electionTimeoutMsMin, requestVote(9, 2, 5));
    expect(follower.currentTerm).toBe(5);
  });
});

// ---- Scenarios and sweeps. ----

function scenario(path: string) {
  return readTraceFile(new URL(`../${path}`, import.meta.url).pathname).schedule;
}

describe('membership scenarios', () => {
  it('Figure 11: C_old → C_old,new → C_new, the leader not in C_new steps down, the new configuration elects', () => {
    const r = runSchedule(scenario('scenarios/membership-joint.json'), { checkers: createSafetyCheckers() });
    expect(r.violation).toBeNull();
    expect(r.membership.map((op) => op.status)).toEqual(['ok', 'ok', 'ok']);
    const configs = r.configurations.map((c) => c.membership);
    expect(configs.slice(-2)).toEqual([m([3, 4, 5], [1, 2, 3]), m([3, 4, 5])]);
    // S1 led term 1 only; S4 leads term 2, and the client's write commits under C_new.
    expect(r.leadersByTerm).toEqual([
      { term: 1, leader: 1 },
      { term: 2, leader: 4 },
    ]);
    expect(r.clientOps.ok).toBe(1);
  });

  it('joint-skip: the same timeline without C_old,new is a membership-safety violation', () => {
    const r = runSchedule(scenario('scenarios/membership-joint.json'), {
      bugs: ['joint-skip'],
      checkers: createSafetyCheckers(),
    });
    expect(r.violation?.property).toBe('membership-safety');
    expect(r.violation?.message).toContain('servers at once');
  });

  it('the single-server bug: two leaders in one term with the bug, every property without it', () => {
    const schedule = scenario('scenarios/membership-single-server-bug.json');
    const clean = runSchedule(schedule, { checkers: createSafetyCheckers() });
    expect(clean.violation).toBeNull();
    const caught = runSchedule(schedule, {
      bugs: ['change-before-term-commit'],
      checkers: createSafetyCheckers(),
    });
    expect(caught.violation?.property).toBe('membership-safety');
    expect(caught.violation?.message).toContain('before any entry of its term committed');
    // Without the membership check the run goes on to what the premise leads to.
    const withoutCheck = createSafetyCheckers().filter((c) => !(c instanceof MembershipSafety));
    const twoLeaders = runSchedule(schedule, { bugs: ['change-before-term-commit'], checkers: withoutCheck });
    expect(twoLeaders.violation?.property).toBe('election-safety');
    expect(twoLeaders.violation?.message).toBe('two leaders in term 3: S2 and S1');
  });

  it('runs with membership churn replay byte for byte', () => {
    const c = configFor(3, 'fixed', { membershipPerMin: 30, timeMs: 20_000 });
    const a = runSeed(3, c, { onTrace: () => {}, checkers: createSafetyCheckers() });
    const b = runSeed(3, c, { onTrace: () => {}, checkers: createSafetyCheckers() });
    expect(a.traceHash).not.toBeNull();
    expect(a.traceHash).toBe(b.traceHash);
    expect(a.membership.length).toBeGreaterThan(0);
    expect(a.membership.filter((op) => op.status === 'ok').length).toBeGreaterThan(0);
    // Churn happened: more configurations than the bootstrap one took effect.
    expect(a.configurations.length).toBeGreaterThan(1);
    expect(JSON.stringify(generateSchedule(3, c))).toBe(JSON.stringify(generateSchedule(3, c)));
  });

  it('every membership bug of the catalogue says it needs membership changes', () => {
    const names = [
      'change-before-term-commit',
      'joint-skip',
      'config-on-commit',
      'joint-union-majority',
      'learner-counted',
    ];
    for (const name of names) {
      const bug = BUGS.find((b) => b.name === name);
      expect(bug?.requires?.membership, name).toBe(true);
      expect(bug?.property, name).toBe('membership-safety');
    }
  });
});

describe('liveness of membership operations', () => {
  // A quiet cluster with one spare, and one operation asked for before the faults end.
  const schedule = (batch: number): Schedule => {
    const base = defaultConfig();
    return {
      version: 1,
      seed: 5,
      config: {
        ...base,
        nodes: 3,
        clients: 1,
        timeMs: 8000,
        quietMs: 5000,
        raft: { ...base.raft, maxEntriesPerAppend: batch },
        faults: { ...base.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
        membership: { spares: 1, changesPerMin: 0 },
      },
      faults: [{ atMs: 1000, type: 'membership', change: { type: 'add-learner', node: 4 } }],
      ops: [],
    };
  };
  // The reference node, except that it answers every membership request 'busy'.
  const neverChanges = (args: Parameters<ReturnType<typeof referenceNode>>[0]) => {
    const node = referenceNode()(args) as RaftNode;
    node.changeMembership = () => ({ status: 'busy' });
    return node;
  };

  it('a change still pending at the liveness deadline is a liveness failure', () => {
    const done = runSchedule(schedule(64), { checkers: createSafetyCheckers() });
    expect(done.violation).toBeNull();
    expect(done.membership.map((op) => op.status)).toEqual(['ok']);
    const stuck = runSchedule(schedule(64), { createNode: neverChanges, checkers: createSafetyCheckers() });
    expect(stuck.violation?.property).toBe('liveness');
    expect(stuck.violation?.message).toMatch(
      /^membership operation "membership add-learner S4", asked at 1000 ms/,
    );
  });

  it('is not judged where small batches make catching up unbounded, and the summary says so', () => {
    const stuck = runSchedule(schedule(2), { createNode: neverChanges, checkers: createSafetyCheckers() });
    expect(stuck.violation).toBeNull();
    expect(stuck.membership.map((op) => op.status)).toEqual(['pending']);
  });
});

// ---- The checks no catalogue bug reaches, on hand-made steps. ----

describe('membership-safety checks without a catalogue bug', () => {
  interface Fake {
    role: 'leader' | 'follower';
    currentTerm: number;
    commitIndex: number;
    log: Entry[];
  }
  const stepOf = (
    node: NodeId,
    f: Fake,
    before: Partial<{ role: 'leader' | 'follower'; term: number }>,
    write: Entry[],
    fromIndex: number,
  ) => ({
    node,
    process: {
      id: node,
      role: f.role,
      currentTerm: f.currentTerm,
      votedFor: NONE,
      leaderId: NONE,
      commitIndex: f.commitIndex,
      lastApplied: 0,
      lastIndex: f.log.length,
      termAt: (i: number) => (i === 0 ? 0 : f.log[i - 1]?.term),
      entryAt: (i: number) => f.log[i - 1],
      tick: () => {},
      step: () => {},
      propose: () => ({ ok: false as const, leaderHint: NONE }),
      ready: () => ({ hardState: null, logWrite: null, messages: [], firstApplyIndex: 0, toApply: [] }),
      nextWakeMs: () => Number.POSITIVE_INFINITY,
    },
    restarted: false,
    roleBefore: before.role ?? f.role,
    termBefore: before.term ?? f.currentTerm,
    commitIndexBefore: f.commitIndex,
    lastIndexBefore: fromIndex - 1,
    lastAppliedBefore: 0,
    ready: {
      hardState: null,
      logWrite: write.length === 0 ? null : { fromIndex, entries: write },
      messages: [],
      firstApplyIndex: 0,
      toApply: [],
    },
  });
  const fresh = () => {
    const c = new MembershipSafety();
    c.onStart([1, 2, 3]);
    return c;
  };

  it('a server that is not a voter of its configuration wins an election', () => {
    const c = fresh();
    const log: Entry[] = [
      { term: 1, command: noop },
      { term: 1, command: config(m([1, 2, 3], [], [4])) },
    ];
    // S4 learns the log as a learner, then (under some bug) becomes leader of term 2.
    expect(
      c.onNodeStep(stepOf(4, { role: 'follower', currentTerm: 1, commitIndex: 2, log }, {}, log, 1)),
    ).toBeNull();
    const v = c.onNodeStep(
      stepOf(
        4,
        { role: 'leader', currentTerm: 2, commitIndex: 2, log },
        { role: 'follower', term: 1 },
        [],
        3,
      ),
    );
    expect(v?.message).toContain('S4 won the election of term 2 while not a voter');
  });

  it('a spare with no configuration entry wins an election', () => {
    const c = fresh();
    const log: Entry[] = [{ term: 1, command: noop }];
    expect(
      c.onNodeStep(
        stepOf(
          2,
          { role: 'leader', currentTerm: 2, commitIndex: 1, log },
          { role: 'follower', term: 1 },
          [],
          2,
        ),
      ),
    ).toBeNull();
    const v = c.onNodeStep(
      stepOf(
        5,
        { role: 'leader', currentTerm: 2, commitIndex: 1, log },
        { role: 'follower', term: 1 },
        [],
        2,
      ),
    );
    expect(v?.message).toContain(
      'S5 won the election of term 2 while not a voter of its configuration {S1,S2,S3} (the bootstrap one)',
    );
  });

  it('a leader stays leader after its removal committed', () => {
    const c = fresh();
    const log: Entry[] = [
      { term: 1, command: noop },
      { term: 1, command: config(m([2, 3])) },
    ];
    const v = c.onNodeStep(stepOf(1, { role: 'leader', currentTerm: 1, commitIndex: 2, log }, {}, log, 1));
    expect(v?.message).toContain('S1 still leads term 1 after its removal committed');
    // The same log with the removal not yet committed: S1 may still manage it.
    const d = fresh();
    expect(
      d.onNodeStep(stepOf(1, { role: 'leader', currentTerm: 1, commitIndex: 1, log }, {}, log, 1)),
    ).toBeNull();
  });

  it('a leader holds two uncommitted configuration entries', () => {
    const c = fresh();
    const log: Entry[] = [
      { term: 1, command: noop },
      { term: 1, command: config(m([1, 2, 3], [], [4])) },
      { term: 1, command: config(m([1, 2, 3, 4])) },
    ];
    const v = c.onNodeStep(stepOf(1, { role: 'leader', currentTerm: 1, commitIndex: 1, log }, {}, log, 1));
    expect(v?.message).toContain('holds two uncommitted configuration entries, at 2 and 3');
  });
});

describe('leader stability and leadership transfer', () => {
  // PreVote on, a loss-free network and no faults: leader stability is judged. The admin hands
  // leadership to each voter in turn; every hand-over unseats a healthy leader, on purpose.
  const schedule = (): Schedule => {
    const base = defaultConfig();
    return {
      version: 1,
      seed: 3,
      config: {
        ...base,
        nodes: 3,
        clients: 1,
        timeMs: 6000,
        quietMs: 0,
        raft: { ...base.raft, preVote: true },
        network: { ...base.network, dropRate: 0, dupRate: 0, longDelayRate: 0 },
        faults: { ...base.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
        membership: { spares: 0, changesPerMin: 0 },
      },
      faults: [1, 2, 3].map((node, k) => ({
        atMs: 2000 + 1000 * k,
        type: 'membership' as const,
        change: { type: 'transfer' as const, node },
      })),
      ops: [],
    };
  };

  it('a transfer is not an attack on the leader: stability is judged and holds', () => {
    const r = runSchedule(schedule(), { checkers: createSafetyCheckers() });
    expect(r.leaderStability).toEqual({ status: 'judged' });
    expect(r.violation).toBeNull();
    // Two of the three went to another node (one asked the leader for itself), each a new term.
    expect(r.membership.map((op) => op.status)).toEqual(['ok', 'ok', 'ok']);
    expect(r.leadersByTerm.length).toBeGreaterThanOrEqual(3);
  });
});
