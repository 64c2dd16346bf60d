import { describe, expect, it } from 'vitest';
import { LeaderCompleteness } from '../properties/leader-completeness.ts';
import { LogMatching } from '../properties/log-matching.ts';
import type { Checker, NodeStep, Violation } from '../properties/types.ts';
import { runSeed } from '../sim/explore/generate.ts';
import { defaultConfig } from '../sim/model/config.ts';
import type { Entry } from '../src/raft/types.ts';
import { FakeProcess, noop, put, stepOf } from './support/fake-process.ts';

// The checkers keep their history variables in dense arrays with a map for the rare cases, and
// the runner calls checkers from one call site each; these tests pin down the rare paths.

const e = (term: number, value?: string): Entry => ({
  term,
  command: value === undefined ? noop : put(1, 1, value),
});

describe('log-matching beyond the first term seen at an index', () => {
  it('remembers a second term at an index and checks later copies against it', () => {
    const c = new LogMatching();
    const [a, b, d] = [new FakeProcess(1), new FakeProcess(2), new FakeProcess(3)];
    // Index 2 is first seen with term 1 (S1); a later leader writes term 2 there (S2).
    expect(c.onNodeStep(stepOf(a, { appendFrom: 1, entries: [e(1), e(1, 'x')] }))).toBeNull();
    expect(c.onNodeStep(stepOf(b, { appendFrom: 1, entries: [e(1), e(2, 'y')] }))).toBeNull();
    // The same (2, term 2) entry again is fine...
    expect(c.onNodeStep(stepOf(d, { appendFrom: 1, entries: [e(1), e(2, 'y')] }))).toBeNull();
    // ... a different command under (2, term 2) is not, and S2 is named as the first holder.
    const v = c.onNodeStep(stepOf(d, { appendFrom: 2, entries: [e(2, 'z')] }));
    expect(v?.property).toBe('log-matching');
    expect(v?.indices).toEqual([2]);
    expect(v?.nodes).toEqual([2, 3]);
    expect(v?.message).toContain('S2 held [t2 c1#1 put k y]');
  });

  it('checks the predecessor term of a second term at an index', () => {
    const c = new LogMatching();
    const [a, b, d] = [new FakeProcess(1), new FakeProcess(2), new FakeProcess(3)];
    c.onNodeStep(stepOf(a, { appendFrom: 1, entries: [e(1), e(1, 'x')] }));
    c.onNodeStep(stepOf(b, { appendFrom: 1, entries: [e(1), e(3, 'y')] }));
    const v = c.onNodeStep(stepOf(d, { appendFrom: 1, entries: [e(2), e(3, 'y')] }));
    expect(v?.indices).toEqual([2]);
    expect(v?.message).toContain('after term 2');
  });

  it('keeps checking the first term after other terms were seen at the same index', () => {
    const c = new LogMatching();
    const [a, b, d] = [new FakeProcess(1), new FakeProcess(2), new FakeProcess(3)];
    c.onNodeStep(stepOf(a, { appendFrom: 1, entries: [e(1, 'x')] }));
    c.onNodeStep(stepOf(b, { appendFrom: 1, entries: [e(2, 'y')] }));
    const v = c.onNodeStep(stepOf(d, { appendFrom: 1, entries: [e(1, 'other')] }));
    expect(v?.nodes).toEqual([1, 3]);
  });
});

describe('leader-completeness over node incarnations', () => {
  it('checks the latest incarnation of a node, not the one it first saw', () => {
    const c = new LeaderCompleteness();
    const old = new FakeProcess(1);
    const leader = new FakeProcess(2);
    // S1's first incarnation leads term 1; it is replaced by a follower incarnation (a restart).
    expect(c.onNodeStep(stepOf(old, { role: 'leader', currentTerm: 1 }))).toBeNull();
    const reborn = new FakeProcess(1);
    reborn.currentTerm = 1;
    expect(c.onNodeStep(stepOf(reborn, {}, true))).toBeNull();
    // S2 leads term 2 with an empty log; then S3 commits index 1 in term 1... which S2 lacks.
    expect(c.onNodeStep(stepOf(leader, { role: 'leader', currentTerm: 2 }))).toBeNull();
    const committer = new FakeProcess(3);
    committer.currentTerm = 1;
    c.onNodeStep(stepOf(committer, { appendFrom: 1, entries: [e(1, 'x')] }));
    const v = c.onNodeStep(stepOf(committer, { commitIndex: 1 }));
    // Only S2 is reported: S1's old leader incarnation is no longer the one checked.
    expect(v?.property).toBe('leader-completeness');
    expect(v?.nodes).toEqual([2, 3]);
  });
});

/** A checker that records the order it was called in and can be told to report a violation. */
class Probe implements Checker {
  readonly property = 'durability' as const;
  calls = 0;
  constructor(
    private readonly log: number[],
    private readonly id: number,
    private readonly failAtCall = 0,
  ) {}
  onNodeStep(_step: NodeStep): Violation | null {
    this.calls++;
    this.log.push(this.id);
    if (this.calls !== this.failAtCall) return null;
    return { property: this.property, message: `probe ${this.id}`, nodes: [1], terms: [], indices: [] };
  }
}

describe('runner calls to checkers', () => {
  const config = { ...defaultConfig(), timeMs: 2000, quietMs: 1000 };

  it('calls every checker, beyond the first six too, in order, at every node step', () => {
    const order: number[] = [];
    const probes = Array.from({ length: 9 }, (_, i) => new Probe(order, i));
    runSeed(3, config, { checkers: probes });
    const calls = probes[0]!.calls;
    expect(calls).toBeGreaterThan(100);
    for (const p of probes) expect(p.calls).toBe(calls);
    expect(order.slice(0, 18)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('stops at the first violation, skipping the checkers after the one that found it', () => {
    for (const failing of [0, 5, 7]) {
      const order: number[] = [];
      const probes = Array.from({ length: 9 }, (_, i) => new Probe(order, i, i === failing ? 10 : 0));
      const result = runSeed(3, config, { checkers: probes });
      expect(result.violation?.message).toBe(`probe ${failing}`);
      expect(probes[failing]!.calls).toBe(10);
      expect(probes[failing + 1]?.calls ?? 9).toBe(9);
      expect(order.at(-1)).toBe(failing);
    }
  });
});
