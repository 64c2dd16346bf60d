import { describe, expect, it } from 'vitest';
import { Durability } from '../properties/durability.ts';
import { ElectionSafety } from '../properties/election-safety.ts';
import { createSafetyCheckers } from '../properties/index.ts';
import { LeaderAppendOnly } from '../properties/leader-append-only.ts';
import { LeaderCompleteness } from '../properties/leader-completeness.ts';
import { LogMatching } from '../properties/log-matching.ts';
import { StateMachineSafety } from '../properties/state-machine-safety.ts';
import type { Entry, Message } from '../src/raft/types.ts';
import { FakeProcess, noop, put, stepOf } from './support/fake-process.ts';

const e = (term: number, value?: string): Entry => ({
  term,
  command: value === undefined ? noop : put(1, 1, value),
});
const grant = (from: number, to: number, term: number): Message => ({
  type: 'RequestVoteReply',
  from,
  to,
  term,
  voteGranted: true,
  preVote: false,
});

describe('createSafetyCheckers', () => {
  it('gives the seven safety checkers production runs use, in the order a step reports them, fresh each call', () => {
    const checkers = createSafetyCheckers();
    // Figure 3's five, durability and membership safety. The order decides which property a step that breaks several
    // reports (a leader rewriting its entry breaks log matching too, and is reported as append-only).
    expect(checkers.map((c) => c.property)).toEqual([
      'election-safety',
      'durability',
      'leader-append-only',
      'log-matching',
      'leader-completeness',
      'state-machine-safety',
      'membership-safety',
    ]);
    const again = createSafetyCheckers();
    for (let i = 0; i < checkers.length; i++) expect(again[i]).not.toBe(checkers[i]);
  });
});

describe('election-safety', () => {
  it('allows one leader per term and a new leader in a later term', () => {
    const c = new ElectionSafety();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    expect(c.onNodeStep(stepOf(a, { role: 'leader', currentTerm: 2 }))).toBeNull();
    expect(c.onNodeStep(stepOf(b, { role: 'leader', currentTerm: 3 }))).toBeNull();
    expect([...c.leaderOfTerm]).toEqual([
      [2, 1],
      [3, 2],
    ]);
  });
  it('catches a second leader in the same term, even after the first stepped down', () => {
    const c = new ElectionSafety();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    c.onNodeStep(stepOf(a, { role: 'leader', currentTerm: 2 }));
    c.onNodeStep(stepOf(a, { role: 'follower' }));
    const v = c.onNodeStep(stepOf(b, { role: 'leader', currentTerm: 2 }));
    expect(v?.property).toBe('election-safety');
    expect(v?.nodes).toEqual([1, 2]);
    expect(v?.terms).toEqual([2]);
    expect(v?.message).toContain('two leaders in term 2: S1 and S2');
  });
});

/** S1, leader of term 2, holding `log`. */
function leaderOfTerm2(log: Entry[]): FakeProcess {
  const a = new FakeProcess(1);
  a.role = 'leader';
  a.currentTerm = 2;
  a.log = log;
  return a;
}

describe('leader-append-only', () => {
  it('allows a leader to append and a follower to truncate', () => {
    const c = new LeaderAppendOnly();
    const a = leaderOfTerm2([e(1), e(2)]);
    expect(c.onNodeStep(stepOf(a, { appendFrom: 3, entries: [e(2, 'x')] }))).toBeNull();
    const f = new FakeProcess(2);
    f.currentTerm = 2;
    f.log = [e(1), e(1, 'y')];
    expect(c.onNodeStep(stepOf(f, { appendFrom: 2, entries: [e(2)] }))).toBeNull();
  });
  it('catches a leader overwriting its own entry within its term', () => {
    const c = new LeaderAppendOnly();
    const a = leaderOfTerm2([e(1), e(2), e(2, 'x')]);
    const v = c.onNodeStep(stepOf(a, { appendFrom: 2, entries: [e(2, 'z')] }));
    expect(v?.property).toBe('leader-append-only');
    expect(v?.indices).toEqual([2, 3]);
  });
  it('catches a leader overwriting only its last entry (the write starts at its last index)', () => {
    const c = new LeaderAppendOnly();
    const a = leaderOfTerm2([e(1), e(2), e(2, 'x')]);
    const v = c.onNodeStep(stepOf(a, { appendFrom: 3, entries: [e(2, 'z')] }));
    expect(v?.property).toBe('leader-append-only');
    expect(v?.indices).toEqual([3, 3]);
    // The same write one index later is an append.
    expect(new LeaderAppendOnly().onNodeStep(stepOf(a, { appendFrom: 4, entries: [e(2, 'w')] }))).toBeNull();
  });
  it('catches a leader whose log shrinks without any write', () => {
    const c = new LeaderAppendOnly();
    const a = leaderOfTerm2([e(1), e(2), e(2, 'x')]);
    const v = c.onNodeStep(stepOf(a, { truncateTo: 2 }));
    expect(v?.property).toBe('leader-append-only');
    expect(v?.message).toBe(
      'leader S1 of term 2 rewrote its own log from index 3 (last index 3 before, 2 after)',
    );
  });
});

describe('log-matching', () => {
  it('accepts the same entry at the same index in two logs', () => {
    const c = new LogMatching();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    const entries = [e(1), e(1, 'x'), e(2, 'y')];
    expect(c.onNodeStep(stepOf(a, { appendFrom: 1, entries }))).toBeNull();
    expect(c.onNodeStep(stepOf(b, { appendFrom: 1, entries: entries.slice(0, 2) }))).toBeNull();
    expect(c.onNodeStep(stepOf(b, { appendFrom: 3, entries: [e(2, 'y')] }))).toBeNull();
  });
  it('catches equal (index, term) with different commands', () => {
    const c = new LogMatching();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    c.onNodeStep(stepOf(a, { appendFrom: 1, entries: [e(1), e(1, 'x')] }));
    const v = c.onNodeStep(stepOf(b, { appendFrom: 1, entries: [e(1), e(1, 'other')] }));
    expect(v?.property).toBe('log-matching');
    expect(v?.indices).toEqual([2]);
    expect(v?.nodes).toEqual([1, 2]);
  });
  it('catches equal (index, term) with different predecessors', () => {
    const c = new LogMatching();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    c.onNodeStep(stepOf(a, { appendFrom: 1, entries: [e(1), e(3, 'x')] }));
    const v = c.onNodeStep(stepOf(b, { appendFrom: 1, entries: [e(2), e(3, 'x')] }));
    expect(v?.property).toBe('log-matching');
    expect(v?.indices).toEqual([2]);
  });
  // Further terms at an index are kept apart by (index, term); a key packed from both into one
  // number stops being exact past 2^53, where two pairs would be taken for one.
  for (const k of [1024, 2 ** 22]) {
    it(`does not take (1, ${k} + 2) and (2, 2) for one pair, as a key index * ${k} + term would`, () => {
      const c = new LogMatching();
      const [a, b, d] = [new FakeProcess(1), new FakeProcess(2), new FakeProcess(3)];
      expect(c.onNodeStep(stepOf(a, { appendFrom: 1, entries: [e(1), e(1, 'a')] }))).toBeNull();
      expect(c.onNodeStep(stepOf(b, { appendFrom: 1, entries: [e(k + 2, 'b')] }))).toBeNull();
      expect(c.onNodeStep(stepOf(d, { appendFrom: 1, entries: [e(1), e(2, 'd')] }))).toBeNull();
      // While a real mismatch at (2, 2) is still caught.
      const v = c.onNodeStep(stepOf(new FakeProcess(4), { appendFrom: 1, entries: [e(1), e(2, 'x')] }));
      expect(v?.nodes).toEqual([3, 4]);
    });
  }
  for (const index of [1025, 5000, 2 ** 31, 2 ** 32 - 2]) {
    it(`keeps the terms at index ${index} apart, and catches a mismatch there`, () => {
      const c = new LogMatching();
      const [a, b, d] = [new FakeProcess(1), new FakeProcess(2), new FakeProcess(3)];
      // Three leaders wrote index `index` in terms 2, 3 and 4, each after a term-1 entry.
      for (const [p, term] of [
        [a, 2],
        [b, 3],
        [d, 4],
      ] as const) {
        p.log.length = index - 2;
        expect(
          c.onNodeStep(stepOf(p, { appendFrom: index - 1, entries: [e(1), e(term, `t${term}`)] })),
        ).toBeNull();
      }
      // Followers copying each of them agree with the first holder of each (index, term).
      for (const term of [4, 3, 2]) {
        const f = new FakeProcess(10 + term);
        f.log.length = index - 2;
        expect(
          c.onNodeStep(stepOf(f, { appendFrom: index - 1, entries: [e(1), e(term, `t${term}`)] })),
        ).toBeNull();
      }
      // A different command at (index, 3) is caught, and compared with term 3's first holder.
      const g = new FakeProcess(20);
      g.log.length = index - 2;
      const v = c.onNodeStep(stepOf(g, { appendFrom: index - 1, entries: [e(1), e(3, 'other')] }));
      expect(v?.property).toBe('log-matching');
      expect(v?.indices).toEqual([index]);
      expect(v?.nodes).toEqual([2, 20]);
    });
  }
  it('judges huge terms too (a node that jumps its term), never throws', () => {
    const c = new LogMatching();
    const [a, b, d] = [new FakeProcess(1), new FakeProcess(2), new FakeProcess(3)];
    const huge = 2 ** 40;
    c.onNodeStep(stepOf(a, { appendFrom: 1, entries: [e(1)] }));
    expect(c.onNodeStep(stepOf(b, { appendFrom: 1, entries: [e(huge, 'x')] }))).toBeNull();
    expect(c.onNodeStep(stepOf(d, { appendFrom: 1, entries: [e(huge, 'x')] }))).toBeNull();
    const v = c.onNodeStep(stepOf(a, { appendFrom: 1, entries: [e(huge, 'y')] }));
    expect(v?.property).toBe('log-matching');
    expect(v?.terms).toEqual([huge]);
  });
});

describe('leader-completeness', () => {
  it('accepts a later leader that holds the committed entries', () => {
    const c = new LeaderCompleteness();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    a.log = [e(1), e(1, 'x')];
    a.currentTerm = 1;
    c.onNodeStep(stepOf(a, { commitIndex: 2 }));
    b.log = [e(1), e(1, 'x'), e(2)];
    expect(c.onNodeStep(stepOf(b, { role: 'leader', currentTerm: 2 }))).toBeNull();
  });
  it('catches a leader elected without a committed entry', () => {
    const c = new LeaderCompleteness();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    a.log = [e(1), e(1, 'x')];
    a.currentTerm = 1;
    c.onNodeStep(stepOf(a, { commitIndex: 2 }));
    b.log = [e(1)];
    const v = c.onNodeStep(stepOf(b, { role: 'leader', currentTerm: 2 }));
    expect(v?.property).toBe('leader-completeness');
    expect(v?.indices).toEqual([2]);
    expect(v?.message).toContain('leader S2 of term 2 lacks index 2');
  });
  it('catches a commit in an older term missing from a current leader of a later term', () => {
    const c = new LeaderCompleteness();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    b.log = [e(1)];
    c.onNodeStep(stepOf(b, { role: 'leader', currentTerm: 3 }));
    a.log = [e(1), e(2, 'x')];
    a.currentTerm = 2;
    a.role = 'leader';
    const v = c.onNodeStep(stepOf(a, { commitIndex: 2 }));
    expect(v?.property).toBe('leader-completeness');
    expect(v?.nodes).toEqual([2, 1]);
  });
});

describe('state-machine-safety', () => {
  it('accepts nodes that commit and apply the same entries in order', () => {
    const c = new StateMachineSafety();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    for (const p of [a, b]) {
      p.log = [e(1), e(1, 'x')];
      expect(c.onNodeStep(stepOf(p, { commitIndex: 2, apply: 2 }))).toBeNull();
    }
  });
  it('catches two nodes applying different commands at one index', () => {
    const c = new StateMachineSafety();
    const [a, b] = [new FakeProcess(1), new FakeProcess(2)];
    a.log = [e(1), e(2, 'x')];
    c.onNodeStep(stepOf(a, { commitIndex: 2, apply: 2 }));
    b.log = [e(1), e(3, 'y')];
    const v = c.onNodeStep(stepOf(b, { commitIndex: 2, apply: 2 }));
    expect(v?.property).toBe('state-machine-safety');
    expect(v?.indices).toEqual([2]);
    expect(v?.message).toContain('committed as [t2 c1#1 put k x] by S1');
  });
  it('catches a node applying the same index twice', () => {
    const c = new StateMachineSafety();
    const a = new FakeProcess(1);
    a.log = [e(1), e(1, 'x')];
    expect(c.onNodeStep(stepOf(a, { commitIndex: 2, apply: 2 }))).toBeNull();
    // The node hands index 2 out for applying again.
    a.lastApplied = 1;
    const v = c.onNodeStep(stepOf(a, { apply: 2 }));
    expect(v?.property).toBe('state-machine-safety');
    expect(v?.message).toBe('S1 applied index 2 right after index 2');
  });
  it('reports a node applying an index no node was seen to commit, never throws', () => {
    const c = new StateMachineSafety();
    const a = new FakeProcess(1);
    a.log = [e(1), e(1, 'x')];
    // A restart restores a commit index the checker never saw rise.
    expect(c.onNodeStep(stepOf(a, { commitIndex: 2 }, true))).toBeNull();
    const v = c.onNodeStep(stepOf(a, { apply: 2 }));
    expect(v?.property).toBe('state-machine-safety');
    expect(v?.message).toContain('S1 applied index 1 [t1 noop], which no node was seen to commit');
  });
  it('reports a commit index past a hole in the log, never throws', () => {
    const c = new StateMachineSafety();
    const a = new FakeProcess(1);
    a.log = [e(1), e(1, 'x')];
    a.entryAt = (i) => (i === 2 ? undefined : a.log[i - 1]);
    const v = c.onNodeStep(stepOf(a, { commitIndex: 2 }));
    expect(v?.message).toContain('S1 committed index 2, which is missing from its log');
  });
  it('catches applying beyond the commit index', () => {
    const c = new StateMachineSafety();
    const a = new FakeProcess(1);
    a.log = [e(1), e(1, 'x')];
    const v = c.onNodeStep(stepOf(a, { commitIndex: 1, apply: 2 }));
    expect(v?.message).toContain('beyond its commit index 1');
  });
  it('catches a node removing an entry it had committed', () => {
    const c = new StateMachineSafety();
    const a = new FakeProcess(1);
    a.log = [e(1), e(1, 'x')];
    c.onNodeStep(stepOf(a, { commitIndex: 2 }));
    const v = c.onNodeStep(stepOf(a, { appendFrom: 2, entries: [e(2, 'y')] }));
    expect(v?.message).toContain('S1 had committed index 2');
  });
  const snap = (index: number, term: number) => ({
    index,
    term,
    membership: { voters: [1, 2, 3], outgoing: [], learners: [] },
    data: '',
  });
  it('judges snapshots against the committed log: past commit, wrong term, going back', () => {
    const c = new StateMachineSafety();
    const a = new FakeProcess(1);
    a.log = [e(1), e(1, 'x'), e(2, 'y')];
    expect(c.onNodeStep(stepOf(a, { commitIndex: 2, apply: 2 }))).toBeNull();
    // Taken through the commit index: fine; past it (snapshot-beyond-commit): not.
    expect(c.onNodeStep(stepOf(a, { snapshot: { snapshot: snap(2, 1), installed: false } }))).toBeNull();
    const beyond = c.onNodeStep(stepOf(a, { snapshot: { snapshot: snap(3, 2), installed: false } }));
    expect(beyond?.message).toBe('S1 took a snapshot through index 3, past its commit index 2');
    // The last included term forgotten (snapshot-forgets-term).
    const b = new FakeProcess(2);
    const term0 = c.onNodeStep(stepOf(b, { snapshot: { snapshot: snap(2, 0), installed: true } }));
    expect(term0?.message).toBe(
      "S2's snapshot through index 2 says its last entry has term 0; index 2 was committed as [t1 c1#1 put k x] by S1",
    );
    // Installing counts as applying; installing an older one over it takes the state back.
    const d = new FakeProcess(3);
    d.log = [...a.log];
    expect(c.onNodeStep(stepOf(d, { snapshot: { snapshot: snap(2, 1), installed: true } }))).toBeNull();
    const older = c.onNodeStep(stepOf(d, { snapshot: { snapshot: snap(1, 1), installed: true } }));
    expect(older?.message).toBe(
      'S3 installed a snapshot through index 1 over a state machine that had applied 2: its state went back',
    );
    // And what nobody committed cannot be in a snapshot.
    const f = new FakeProcess(4);
    const early = c.onNodeStep(stepOf(f, { snapshot: { snapshot: snap(3, 2), installed: true } }));
    expect(early?.message).toContain('which no node was seen to commit');
  });
  it('checks again what a restarted node applies again from its snapshot (here: none)', () => {
    const c = new StateMachineSafety();
    const a = new FakeProcess(1);
    a.log = [e(1), e(1, 'x')];
    c.onNodeStep(stepOf(a, { commitIndex: 2, apply: 2 }));
    // The state machine did not survive the crash: the new incarnation applies from index 1 again.
    const again = new FakeProcess(1);
    again.log = a.log;
    expect(c.onNodeStep(stepOf(again, {}, true))).toBeNull();
    expect(c.onNodeStep(stepOf(again, { commitIndex: 2, apply: 2 }))).toBeNull();
    const wrong = new FakeProcess(1);
    wrong.log = [e(1), e(1, 'y')];
    expect(c.onNodeStep(stepOf(wrong, {}, true))).toBeNull();
    const v = c.onNodeStep(stepOf(wrong, { commitIndex: 2, apply: 2 }));
    expect(v?.message).toBe('index 2 committed as [t1 c1#1 put k x] by S1 and as [t1 c1#1 put k y] by S1');
  });
});

describe('durability', () => {
  it('accepts one vote per term and rising terms', () => {
    const c = new Durability();
    const a = new FakeProcess(1);
    expect(c.onNodeStep(stepOf(a, { currentTerm: 2, messages: [grant(1, 2, 2)] }))).toBeNull();
    expect(c.onNodeStep(stepOf(a, { messages: [grant(1, 2, 2)] }))).toBeNull();
    expect(c.onNodeStep(stepOf(a, { currentTerm: 3, messages: [grant(1, 3, 3)] }))).toBeNull();
  });
  it('catches a term forgotten across a restart', () => {
    const c = new Durability();
    const a = new FakeProcess(1);
    c.onNodeStep(stepOf(a, { currentTerm: 4 }));
    const v = c.onNodeStep(stepOf(new FakeProcess(1), {}, true));
    expect(v?.property).toBe('durability');
    expect(v?.message).toBe('S1 restarted in term 0 after reaching term 4');
  });
  it('catches two votes in one term', () => {
    const c = new Durability();
    const a = new FakeProcess(1);
    c.onNodeStep(stepOf(a, { currentTerm: 2, messages: [grant(1, 2, 2)] }));
    const v = c.onNodeStep(stepOf(a, { messages: [grant(1, 3, 2)] }));
    expect(v?.message).toBe('S1 voted for S2 and then S3 in term 2');
  });
  const ack = (from: number, term: number, matchIndex: number, requestTerm = term): Message => ({
    type: 'AppendEntriesReply',
    from,
    to: 1,
    term,
    success: true,
    matchIndex,
    conflictTerm: 0,
    conflictIndex: 0,
    round: 0,
    requestTerm,
  });
  it('catches a follower losing entries it acknowledged in its term, not in a later one', () => {
    const c = new Durability();
    const a = new FakeProcess(2);
    a.log = [e(1), e(1, 'x'), e(1, 'y')];
    expect(c.onNodeStep(stepOf(a, { currentTerm: 1, messages: [ack(2, 1, 3)] }))).toBeNull();
    // Same term, shorter log: what it promised is gone.
    a.log = [e(1)];
    const v = c.onNodeStep(stepOf(a, {}));
    expect(v?.property).toBe('durability');
    expect(v?.message).toBe('S2 acknowledged index 3 in term 1 and then lost it (its log now ends at 1)');
    // A later term's leader may replace it.
    const b = new FakeProcess(3);
    b.log = [e(1), e(1, 'x'), e(1, 'y')];
    c.onNodeStep(stepOf(b, { currentTerm: 1, messages: [ack(3, 1, 3)] }));
    b.log = [e(1)];
    expect(c.onNodeStep(stepOf(b, { currentTerm: 2 }))).toBeNull();
    // A reply of a later term to an older request promises nothing about that term.
    const d = new FakeProcess(4);
    d.log = [e(1), e(1, 'x')];
    c.onNodeStep(stepOf(d, { currentTerm: 2, messages: [ack(4, 2, 2, 1)] }));
    d.log = [];
    expect(c.onNodeStep(stepOf(d, {}))).toBeNull();
  });
});
