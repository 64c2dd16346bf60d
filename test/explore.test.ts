import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSafetyCheckers } from '../properties/index.ts';
import type { SimEvent } from '../sim/engine/events.ts';
import { stream } from '../sim/engine/rng.ts';
import { generateSchedule, runSeed } from '../sim/explore/generate.ts';
import { configFor } from '../sim/explore/profile.ts';
import { ConfigCoverage } from '../sim/explore/search/config-coverage.ts';
import { AbstractStateTracker, CoverageMap } from '../sim/explore/search/coverage.ts';
import { explore } from '../sim/explore/search/explore.ts';
import { mutateOnce } from '../sim/explore/search/mutate.ts';
import { faultsEndMs, type SimConfig, serverCount } from '../sim/model/config.ts';
import { validateSchedule } from '../sim/model/schedule.ts';
import { simInProcess } from './support/cli-in-process.ts';
import { FakeProcess, noop, stepOf } from './support/fake-process.ts';

const box = mkdtempSync(join(tmpdir(), 'raftsim-explore-'));
afterAll(() => rmSync(box, { recursive: true, force: true }));

/** Three fake nodes seen by one tracker; returns a function that steps node `id` and the tracker. */
function cluster(n = 3) {
  const nodes = Array.from({ length: n }, (_, i) => new FakeProcess(i + 1));
  const tracker = new AbstractStateTracker(n);
  const step = (id: number, change: Parameters<typeof stepOf>[1]): number => {
    tracker.onNodeStep(stepOf(nodes[id - 1]!, change), null);
    const states = tracker.coverage().states;
    return states.length;
  };
  return { nodes, tracker, step };
}

describe('the abstract state of a run', () => {
  it('a leader of an old term that still leads (a stale leader) is a state of its own', () => {
    const { tracker, step } = cluster();
    step(1, { role: 'leader', currentTerm: 1 });
    step(2, { currentTerm: 1 });
    step(3, { currentTerm: 1 });
    const before = tracker.coverage().states.length;
    // S2 and S3 move to term 2 while S1 still leads term 1.
    step(2, { role: 'candidate', currentTerm: 2 });
    step(3, { currentTerm: 2 });
    const withStale = new Set(tracker.coverage().states.slice(before));
    // The same shape without the stale leader: S1 a follower.
    const other = cluster();
    other.step(1, { currentTerm: 1 });
    other.step(2, { currentTerm: 1 });
    other.step(3, { currentTerm: 1 });
    other.step(2, { role: 'candidate', currentTerm: 2 });
    other.step(3, { currentTerm: 2 });
    const without = other.tracker.coverage().states.slice(-1)[0]!;
    expect(withStale.has(without)).toBe(false);
  });

  it('nodes are interchangeable: S1 leading and S3 leading reach the same states', () => {
    const a = cluster();
    a.step(1, { role: 'leader', currentTerm: 1 });
    a.step(2, { currentTerm: 1 });
    const b = cluster();
    b.step(3, { role: 'leader', currentTerm: 1 });
    b.step(2, { currentTerm: 1 });
    expect(a.tracker.coverage().states).toStrictEqual(b.tracker.coverage().states);
  });

  it('a crash, a joint configuration and a commit lag each change the state', () => {
    const base = cluster();
    base.step(1, { role: 'leader', currentTerm: 1 });
    const s0 = base.tracker.coverage().states.at(-1);
    base.tracker.onFault({ atMs: 5, type: 'crash', node: 2 }, 5);
    base.step(1, {});
    const s1 = base.tracker.coverage().states.at(-1);
    expect(s1).not.toBe(s0);
    base.step(1, {
      appendFrom: 1,
      entries: [
        {
          term: 1,
          command: { kind: 'config', membership: { voters: [1, 3], outgoing: [1, 2, 3], learners: [] } },
        },
      ],
    });
    const s2 = base.tracker.coverage().states.at(-1);
    expect(s2).not.toBe(s1);
    base.step(1, { commitIndex: 1 });
    base.step(3, { appendFrom: 1, entries: [{ term: 1, command: { kind: 'noop' } }] });
    const s3 = base.tracker.coverage().states.at(-1);
    expect(new Set([s0, s1, s2, s3]).size).toBe(4);
  });

  it("a new leader's phase: earlier terms' entries waiting, committed by counting (Figure 8), only its no-op waiting, committed", () => {
    const states = (commitAtElection: number, commitIndex: number): number => {
      const { nodes, tracker, step } = cluster();
      // Every node holds entries 1..3 of term 1; S1 wins term 2 and appends its no-op at 4.
      for (const node of nodes) {
        const entries = [1, 2, 3].map(() => ({ term: 1, command: noop }));
        step(node.id, {
          currentTerm: 1,
          appendFrom: 1,
          entries,
          commitIndex: node.id === 1 ? commitAtElection : 0,
        });
      }
      step(1, { role: 'leader', currentTerm: 2, appendFrom: 4, entries: [{ term: 2, command: noop }] });
      step(1, { commitIndex });
      return tracker.coverage().states.at(-1)!;
    };
    const waiting = states(0, 0);
    // Entries 1..3 committed by counting, before the no-op: the phase in which Figure 8 bites.
    const countedOld = states(0, 3);
    // Elected with 1..3 committed: only the no-op waits (every node's commit index as in countedOld).
    const onlyNoop = states(3, 3);
    const committed = states(3, 4);
    expect(new Set([waiting, countedOld, onlyNoop, committed]).size).toBe(4);
  });

  it('a read cleared, and a client read or write arriving, are states apart', () => {
    const at = (cleared: boolean, event: SimEvent | null = null): number => {
      const { nodes, tracker, step } = cluster();
      const entries = [1, 2, 3].map(() => ({ term: 1, command: noop }));
      step(2, { role: 'leader', currentTerm: 1, appendFrom: 1, entries, commitIndex: 3 });
      step(1, {
        role: 'leader',
        currentTerm: 2,
        appendFrom: 1,
        entries: [...entries, { term: 2, command: noop }],
      });
      // S1 (term 2) at commit 2: behind the 3 that S2 committed in term 1, its no-op (4) uncommitted.
      const s = stepOf(nodes[0]!, { commitIndex: 2 });
      const readsReady = cleared ? [{ requestId: 1, index: 2 }] : [];
      tracker.onNodeStep({ ...s, ready: { ...s.ready, readsReady } }, event);
      return tracker.coverage().states.at(-1)!;
    };
    expect(at(true)).not.toBe(at(false));
    const get: SimEvent = {
      kind: 'request',
      client: 1,
      seq: 1,
      attempt: 1,
      node: 1,
      op: { type: 'get', key: 'k' },
    };
    const put: SimEvent = { ...get, op: { type: 'put', key: 'k', value: 'v' } };
    expect(new Set([at(false), at(false, get), at(false, put)]).size).toBe(3);
  });

  it('features: each part of a state and each pair of parts, counted once per run; rarer runs score higher', () => {
    const a = cluster();
    a.step(1, { role: 'leader', currentTerm: 1 });
    const first = a.tracker.coverage().features.length;
    expect(first).toBeGreaterThan(0);
    // The same state again adds no features; a new one adds some.
    a.step(1, {});
    expect(a.tracker.coverage().features.length).toBe(first);
    a.tracker.onFault({ atMs: 5, type: 'crash', node: 2 }, 5);
    a.step(1, {});
    expect(a.tracker.coverage().features.length).toBeGreaterThan(first);

    const map = new CoverageMap();
    const common = { states: [1, 2], transitions: [], features: [10, 11] };
    const rare = { states: [1, 3], transitions: [], features: [10, 12] };
    map.add(common);
    map.add(common);
    map.add(rare);
    // Feature 12 and state 3 only one run reached; 10 three runs, 11 two.
    expect(map.rarity(rare).features).toBeCloseTo(1 / 3 + 1);
    expect(map.rarity(common).features).toBeCloseTo(1 / 3 + 1 / 2);
    expect(map.rarity(rare).states).toBeGreaterThan(map.rarity(common).states);
    expect(map.newFeatures({ states: [], transitions: [], features: [12, 13, 14] })).toBe(2);
  });

  it('counts distinct states and transitions, and what a later run adds to them', () => {
    const map = new CoverageMap();
    expect(map.add({ states: [1, 2, 3], transitions: [10, 11], features: [] })).toStrictEqual({
      newStates: 3,
      newTransitions: 2,
    });
    expect(map.add({ states: [2, 3, 4], transitions: [11, 12, 13], features: [] })).toStrictEqual({
      newStates: 1,
      newTransitions: 2,
    });
    expect(map.states.size).toBe(4);
  });

  it('watching a run does not change it: the same trace with and without the observer', () => {
    const config = { ...configFor(11, 'swarm', {}), timeMs: 8000, quietMs: 3000 };
    const hash = (observe: boolean): string | null => {
      const tracker = new AbstractStateTracker(serverCount(config));
      return runSeed(11, config, {
        checkers: createSafetyCheckers(),
        onTrace: () => {},
        ...(observe ? { observer: tracker } : {}),
      }).traceHash;
    };
    expect(hash(true)).toBe(hash(false));
    const tracker = new AbstractStateTracker(serverCount(config));
    runSeed(11, config, { checkers: createSafetyCheckers(), observer: tracker });
    expect(tracker.coverage().states.length).toBeGreaterThan(10);
    expect(tracker.coverage().transitions.length).toBeGreaterThan(tracker.coverage().states.length);
  });
});

describe('mutations', () => {
  it('keep a schedule valid, its faults before the quiet period, and every node up at its start', () => {
    const rng = stream(1, 'test-mutate');
    for (let seed = 1; seed <= 40; seed++) {
      const s = generateSchedule(seed, configFor(seed, 'random', {}));
      const donor = generateSchedule(seed + 1000, configFor(seed + 1000, 'random', {}));
      let m = s;
      for (let k = 0; k < 5; k++) m = mutateOnce(rng, m, donor).schedule;
      expect(validateSchedule(m), `seed ${seed}`).toBeNull();
      const endMs = faultsEndMs(m.config);
      const down = new Set<number>();
      for (const f of m.faults) {
        if (f.atMs > endMs) throw new Error(`seed ${seed}: a fault after the faults end`);
        if (f.type === 'crash') down.add(f.node);
        if (f.type === 'restart') down.delete(f.node);
        if (f.type === 'pause') expect(f.atMs + f.durationMs).toBeLessThanOrEqual(endMs);
      }
      expect([...down], `seed ${seed}`).toStrictEqual([]);
      expect(m.faults.some((f) => f.atMs === endMs && f.type === 'heal')).toBe(true);
    }
  });
});

describe('config coverage (fresh seeds of exploration)', () => {
  const base = configFor(1, 'random', {});
  const { membership: _m, compaction: _c, ...plain } = base;
  const churn: SimConfig = { ...plain, membership: { spares: 1, changesPerMin: 6 } };

  it("a config's rarity falls as it is run; one with a knob value never run is the least run", () => {
    const cov = new ConfigCoverage();
    const fresh = cov.rarity(plain);
    cov.add(plain);
    cov.add(plain);
    expect(cov.rarity(plain)).toBeLessThan(fresh);
    // Membership churn is one knob value never run, and its pairs with every other value.
    expect(cov.rarity(churn)).toBeGreaterThan(cov.rarity(plain));
    expect(cov.leastRun([plain, plain, churn, plain])).toBe(2);
    // Once churn has been run more than the plain config, the plain one is least run.
    for (let i = 0; i < 3; i++) cov.add(churn);
    expect(cov.leastRun([churn, plain])).toBe(1);
    // Equals: the first.
    expect(cov.leastRun([plain, plain])).toBe(0);
  });

  it('the least run of eight draws reaches the regions the profile draws rarely more often than it does', () => {
    const cov = new ConfigCoverage();
    let picked = 0;
    let drawn = 0;
    const picks = 100;
    for (let p = 0; p < picks; p++) {
      const configs = Array.from({ length: 8 }, (_, k) => configFor(1 + 8 * p + k, 'random', {}));
      drawn += configs.filter((c) => c.membership !== undefined).length;
      const c = configs[cov.leastRun(configs)]!;
      cov.add(c);
      if (c.membership !== undefined) picked++;
    }
    // The profile draws membership churn on a minority of seeds; the least-run picks take it far more often.
    const drawnShare = drawn / (8 * picks);
    expect(drawnShare).toBeLessThan(0.3);
    expect(picked / picks).toBeGreaterThan(2 * drawnShare);
  });
});

describe('explore', () => {
  it('is deterministic: the same seed and run budget give the same corpus, coverage and failures', () => {
    const run = () =>
      explore({
        seed: 7,
        settings: { mode: 'random', overrides: { timeMs: 10_000 }, bugs: [] },
        // Past the warm-up of fresh seeds, so that mutants are compared too.
        maxRuns: 36,
      });
    const a = run();
    const b = run();
    expect(a.states).toBeGreaterThan(0);
    expect(b.states).toBe(a.states);
    expect(b.transitions).toBe(a.transitions);
    expect(b.corpusEntries.map((e) => e.origin)).toStrictEqual(a.corpusEntries.map((e) => e.origin));
    expect(b.failureList.map((f) => f.run)).toStrictEqual(a.failureList.map((f) => f.run));
    // Another seed explores differently.
    const c = explore({
      seed: 8,
      settings: { mode: 'random', overrides: { timeMs: 10_000 }, bugs: [] },
      maxRuns: 36,
    });
    expect(c.corpusEntries.map((e) => e.origin)).not.toStrictEqual(a.corpusEntries.map((e) => e.origin));
  });

  it('runs fresh seeds first, then mutates its corpus', () => {
    const r = explore({
      seed: 3,
      settings: { mode: 'random', overrides: { timeMs: 10_000 }, bugs: [] },
      maxRuns: 40,
    });
    // The warm-up (25 runs) is fresh seeds only; every run after it may be a mutant.
    const firstMutant = r.corpusEntries.find((e) => e.origin.startsWith('run '));
    expect(firstMutant).toBeDefined();
    expect(firstMutant!.run).toBeGreaterThan(25);
    expect(r.corpusEntries.filter((e) => e.run <= 25).every((e) => e.origin.startsWith('seed '))).toBe(true);
  });

  it('finds a catalogue bug within a bounded number of runs, shrinks it and saves a trace that replays', async () => {
    const dir = join(box, 'found');
    const r = await simInProcess(
      [
        'explore',
        '--runs',
        '40',
        '--seed',
        '3',
        '--bug',
        'vote-no-log-check',
        '--stop-on-failure',
        '--results',
        'found',
        '--quiet',
      ],
      box,
    );
    expect(r.thrown).toBeNull();
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('leader-completeness');
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const replay = await simInProcess(
      ['--replay', join('found', files[0]!), '--bug', 'vote-no-log-check', '--quiet'],
      box,
    );
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    // Without the bug the same budget finds nothing.
    const clean = await simInProcess(
      ['explore', '--runs', '5', '--seed', '3', '--results', 'clean', '--quiet'],
      box,
    );
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('no violation found');
  });

  it('refuses a missing budget and bad flags with one line and exit 2', async () => {
    for (const [args, says] of [
      [['explore'], 'budget'],
      [['explore', '--runs', '0'], '--runs'],
      [['explore', '--for', '10'], '--for'],
      [['explore', '--runs', '5', '--batch', '0'], '--batch'],
      [['explore', '--runs', '5', '--bug', 'nope'], 'nope'],
    ] as const) {
      const r = await simInProcess(args, box);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(says);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
