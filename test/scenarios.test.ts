import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUGS, findBug } from '../bugs/index.ts';
import {
  buildScenarios,
  DELAY_MS,
  figure8Schedule,
  STALE,
  STALE_HEAL_MS,
  STALE_PARTITION_MS,
  staleLeaderSchedule,
} from '../scenarios/build.ts';
import { replayExpectation, runForOutcome } from '../sim/explore/replay.ts';
import { readTraceFile } from '../sim/model/trace-file.ts';
import { parseTraceLines } from '../sim/view/views.ts';

const root = resolve(import.meta.dirname, '..');
const jsonIn = (dir: string): string[] =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${dir}/${f}`);
const SCENARIOS = jsonIn('scenarios');
const BUG_TRACES = jsonIn('scenarios/bugs');

describe('every saved trace replays as it says', () => {
  it('has scenarios and bug traces to replay', () => {
    expect(SCENARIOS).toEqual(
      expect.arrayContaining(['scenarios/figure8.json', 'scenarios/stale-leader.json']),
    );
    expect(BUG_TRACES.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of [...SCENARIOS, ...BUG_TRACES]) {
    const trace = readTraceFile(join(root, file));
    for (const e of trace.expectations) {
      it(`${file} [${e.bugs.join(', ')}]`, () => {
        const report = replayExpectation(trace, file, e);
        expect(report.difference).toBeNull();
        expect(report.matched).toBe(true);
      });
    }
  }
});

describe('scenario files', () => {
  it('each tells its story in a comment', () => {
    for (const file of SCENARIOS) {
      const comment = readTraceFile(join(root, file)).comment ?? '';
      expect(comment.length, file).toBeGreaterThan(80);
    }
  });

  it('are what scenarios/build.ts builds', () => {
    const built = buildScenarios('any');
    expect([...built.keys()].filter((p) => !p.includes('/bugs/')).sort()).toEqual(SCENARIOS);
    for (const [path, trace] of built) {
      const saved = JSON.parse(readFileSync(join(root, path), 'utf8'));
      expect(saved.schedule, path).toEqual(trace.schedule);
      expect(saved.expectations, path).toEqual(trace.expectations);
      expect(saved.comment, path).toEqual(trace.comment);
    }
  });
});

describe('bug traces', () => {
  it('one per catalogue bug, named after it, small', () => {
    const names = BUG_TRACES.map((f) => basename(f, '.json'));
    expect(names).toEqual(BUGS.map((b) => b.name).sort());
    for (const file of BUG_TRACES) {
      const trace = readTraceFile(join(root, file));
      expect(trace.expectations, file).toHaveLength(1);
      const e = trace.expectations[0]!;
      expect(e.bugs).toEqual([basename(file, '.json')]);
      // The property the trace shows is the one the catalogue says the bug breaks first.
      expect(e.outcome, file).toMatchObject({ status: 'violation', property: findBug(e.bugs[0]!)!.property });
      // The shrinker's target for safety bugs: at most 15 faults and operations.
      expect(trace.schedule.faults.length + trace.schedule.ops.length, file).toBeLessThanOrEqual(15);
      // The correct node holds on the same schedule: the trace shows the bug, not the harness.
      expect(runForOutcome(trace.schedule, { bugs: [], recentEvents: 0 }).outcome, file).toEqual({
        status: 'ok',
      });
    }
  });
});

/** When the partition that leaves `node` alone in its group starts. */
function cutOffMs(schedule: ReturnType<typeof figure8Schedule>, node: number): number {
  const f = schedule.faults.find(
    (x) => x.type === 'partition' && x.groups.some((g) => g.length === 1 && g[0] === node),
  );
  expect(f, `no partition cuts S${node} off`).toBeDefined();
  return f!.atMs;
}

/** Runs a schedule with tracing and returns its steps. */
function steps(schedule: ReturnType<typeof figure8Schedule>, bugs: string[]) {
  const lines: string[] = [];
  const run = runForOutcome(schedule, { bugs, onTrace: (l) => lines.push(l) });
  return { run, records: parseTraceLines(lines) };
}

describe('Figure 8', () => {
  it('with the bug: S1 commits its term-1 entry by counting, then S5 is elected without it', () => {
    const { run, records } = steps(figure8Schedule(), ['figure8']);
    // S1, leader of term 3, moves commitIndex to 2: the index 2 entry of term 1 (Figure 8 (c)).
    const commit = records.find((r) => r.node === 1 && r.commit !== undefined && r.commit[1] === 2);
    expect(commit).toBeDefined();
    // ... while it leads term 3, before the partition that cuts it off from the others.
    const s1Term = records.filter((r) => r.node === 1 && r.term !== undefined && r.t <= commit!.t).at(-1);
    expect(s1Term?.term?.[1]).toBe(3);
    expect(
      records.some((r) => r.node === 1 && r.role?.[1] === 'leader' && r.t >= s1Term!.t && r.t <= commit!.t),
    ).toBe(true);
    expect(commit!.t).toBeLessThan(cutOffMs(figure8Schedule(), 1));
    const s1 = run.result!.violation!.logs.find((l) => l.node === 1)!;
    expect(s1.terms.slice(0, 3)).toEqual([1, 1, 3]);
    // S5 wins term 4 with S3 and S4, and that election breaks leader completeness.
    const last = records.at(-1)!;
    expect(last).toMatchObject({ node: 5, role: ['candidate', 'leader'], violation: 'leader-completeness' });
    expect(run.outcome).toMatchObject({ status: 'violation', property: 'leader-completeness' });
    expect(run.result!.violation!.message).toContain('committed by S1 in term 3');
  });

  it('without the bug: index 2 is never committed by S1 and S5 overwrites it', () => {
    const { run, records } = steps(figure8Schedule(), []);
    expect(run.outcome).toEqual({ status: 'ok' });
    // Until it returns at the heal, S1 commits index 1 (its term-1 no-op) and nothing further.
    const healMs = figure8Schedule().faults.find((f) => f.type === 'heal')!.atMs;
    const s1Commits = records.filter((r) => r.node === 1 && r.commit !== undefined && r.t < healMs);
    expect(s1Commits.map((r) => r.commit![1])).toEqual([1]);
    // S5 leads term 4 and replaces index 2 on S3 (which had S1's term-1 entry).
    expect(records.some((r) => r.node === 5 && r.term?.[1] === 4 && r.role === undefined)).toBe(true);
    expect(records.some((r) => r.node === 5 && r.role?.[1] === 'leader' && r.t === 1000 + 2 * DELAY_MS)).toBe(
      true,
    );
    const overwrite = records.find((r) => r.node === 3 && r.t > 1000 && r.logWrite?.[0] === 2);
    expect(overwrite).toBeDefined();
    expect(run.result!.leadersByTerm).toEqual([
      { term: 1, leader: 1 },
      { term: 2, leader: 5 },
      { term: 3, leader: 1 },
      { term: 4, leader: 5 },
    ]);
  });
});

describe('stale leader', () => {
  const { run, records } = steps(staleLeaderSchedule(), []);
  const { B, E } = STALE;
  const partitioned = (t: number) => t >= STALE_PARTITION_MS && t < STALE_HEAL_MS;

  it('every property holds', () => {
    expect(run.outcome).toEqual({ status: 'ok' });
  });

  it('B keeps accepting writes in the minority, and none of them succeeds', () => {
    const accepted = records.filter(
      (r) => r.ev === 'request' && r.node === B && typeof r.accepted === 'number',
    );
    expect(accepted.length).toBeGreaterThanOrEqual(2);
    expect(accepted.every((r) => partitioned(r.t))).toBe(true);
    const okFromB = records.filter((r) => r.ev === 'reply' && r.node === B && r.result === 'ok');
    expect(okFromB).toEqual([]);
    const history = run.result!.history;
    const client1 = history.filter((op) => op.client === 1);
    expect(client1.length).toBe(2);
    expect(client1.every((op) => op.status !== 'ok')).toBe(true);
  });

  it('E, elected by the majority in a higher term, commits the other writes', () => {
    expect(run.result!.leadersByTerm).toEqual([
      { term: 1, leader: B },
      { term: 2, leader: E },
    ]);
    const client2 = run.result!.history.filter((op) => op.client === 2);
    expect(client2.length).toBe(3);
    expect(client2.every((op) => op.status === 'ok')).toBe(true);
  });

  it('after the heal B steps down on the higher term and its uncommitted entries are overwritten', () => {
    const stepDown = records.find((r) => r.node === B && r.role?.[0] === 'leader');
    expect(stepDown).toMatchObject({ role: ['leader', 'follower'], term: [1, 2] });
    expect(stepDown!.t).toBeGreaterThanOrEqual(STALE_HEAL_MS);
    // B's own writes sat at index 2 and 3; E's log replaces them from index 2.
    const overwrite = records.find((r) => r.node === B && r.t > STALE_HEAL_MS && r.logWrite !== undefined);
    expect(overwrite?.logWrite?.[0]).toBe(2);
  });
});
