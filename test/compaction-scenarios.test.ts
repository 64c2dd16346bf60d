import { describe, expect, it } from 'vitest';
import { createSafetyCheckers } from '../properties/index.ts';
import { runSchedule } from '../sim/explore/run.ts';
import type { Schedule } from '../sim/model/schedule.ts';
import { readTraceFile } from '../sim/model/trace-file.ts';

// The log compaction scenarios (scenarios/snapshot-*.json, built from scenarios/compaction.ts), in
// the spirit of 6.5840's Lab 3D: what each is for actually happens, every property holds, and a
// run is the same run twice.

interface Rec {
  step: number;
  t: number;
  ev: string;
  node?: number;
  msg?: { type: string };
  snapshot?: [number, number, string];
  commit?: [number, number];
  net?: unknown[][];
}

function scenario(name: string): Schedule {
  return readTraceFile(new URL(`../scenarios/${name}.json`, import.meta.url).pathname).schedule;
}

function run(schedule: Schedule, bugs: string[] = []): { ok: boolean; recs: Rec[]; hash: string | null } {
  const lines: string[] = [];
  const r = runSchedule(schedule, { bugs, checkers: createSafetyCheckers(), onTrace: (l) => lines.push(l) });
  return { ok: r.ok, recs: lines.map((l) => JSON.parse(l) as Rec), hash: r.traceHash ?? null };
}

/** Each node's commit index at the end, from the trace's commit changes. */
function finalCommits(recs: readonly Rec[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of recs) if (r.node !== undefined && r.commit !== undefined) out.set(r.node, r.commit[1]);
  return out;
}

describe('log compaction scenarios', () => {
  it('snapshot-catch-up: the cut-off follower gets the snapshot in chunks, then catches up', () => {
    const { ok, recs } = run(scenario('snapshot-catch-up'));
    expect(ok).toBe(true);
    const installs = recs.filter((r) => r.node === 3 && r.snapshot?.[2] === 'installed');
    expect(installs.length).toBeGreaterThan(0);
    // Chunked: more than one InstallSnapshot reached S3 for the snapshot it installed.
    const chunks = recs.filter((r) => r.node === 3 && r.msg?.type === 'InstallSnapshot');
    expect(chunks.length).toBeGreaterThan(1);
    const commits = finalCommits(recs);
    expect(commits.get(3)).toBe(Math.max(...commits.values()));
    // Every node compacted: no log kept what the partition left behind.
    for (const node of [1, 2, 3])
      expect(recs.some((r) => r.node === node && r.snapshot !== undefined)).toBe(true);
  });

  it('snapshot-catch-up-unreliable: loss, duplication, long delays and crashes, every property holds', () => {
    const { ok, recs } = run(scenario('snapshot-catch-up-unreliable'));
    expect(ok).toBe(true);
    expect(recs.some((r) => r.snapshot?.[2] === 'installed')).toBe(true);
    // Some InstallSnapshot was lost or sent twice on the way (a net entry of one copy dropped, or two).
    const snapshotSends = recs.flatMap((r) => (r.net ?? []).filter((n) => n[1] === 'InstallSnapshot'));
    expect(snapshotSends.some((n) => n.length !== 3)).toBe(true);
  });

  it('snapshot-all-restart: every node restarts from its snapshot, and the cluster commits on from there', () => {
    const schedule = scenario('snapshot-all-restart');
    const { ok, recs } = run(schedule);
    expect(ok).toBe(true);
    const firstCrashMs = Math.min(...schedule.faults.filter((f) => f.type === 'crash').map((f) => f.atMs));
    const before = Math.max(
      0,
      ...recs.filter((r) => r.t < firstCrashMs && r.commit !== undefined).map((r) => r.commit![1]),
    );
    expect(before).toBeGreaterThan(10);
    expect(Math.max(...finalCommits(recs).values())).toBeGreaterThan(before);
  });

  it('is deterministic: each scenario gives the same trace twice', () => {
    for (const name of ['snapshot-catch-up', 'snapshot-catch-up-unreliable', 'snapshot-all-restart']) {
      const a = run(scenario(name));
      const b = run(scenario(name));
      expect(a.hash).not.toBeNull();
      expect(a.hash, name).toBe(b.hash);
    }
  });

  it('with snapshot-forgets-term the catch-up reports state-machine-safety at the first snapshot', () => {
    const r = runSchedule(scenario('snapshot-catch-up'), {
      bugs: ['snapshot-forgets-term'],
      checkers: createSafetyCheckers(),
    });
    expect(r.violation?.property).toBe('state-machine-safety');
    expect(r.violation?.message).toMatch(/snapshot through index \d+ says its last entry has term 0/);
  });
});
