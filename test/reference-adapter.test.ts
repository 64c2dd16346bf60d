import { describe, expect, it } from 'vitest';
import { referenceNode, referenceNodeWithBugs } from '../sim/adapters/reference.ts';
import { type NodeArgs, simulate } from '../sim/engine/runner.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { runSchedule } from '../sim/explore/run.ts';
import { defaultConfig } from '../sim/model/config.ts';
import { correctPolicy } from '../src/raft/policy.ts';
import type { RaftProcess } from '../src/raft/process.ts';

// The engine takes any NodeFactory; the reference node, its policy and the bugs are bound into
// one here (sim/adapters/reference.ts), and runSchedule({ bugs }) is the convenience over both.

// Seed 6: its faults include a restart, so a node is built again mid-run.
const schedule = generateSchedule(6, { ...defaultConfig(), timeMs: 10_000 });

const args = (id: number): NodeArgs => ({
  id,
  peers: [1, 2, 3],
  config: schedule.config.raft,
  rng: () => 0.5,
  durable: { hardState: { currentTerm: 0, votedFor: 0 }, log: [], lastApplied: 0 },
  nowMs: 0,
});

describe('the reference node as a NodeFactory', () => {
  it('runs the same as runSchedule without bugs: the engine reached directly gives the same trace', () => {
    const wrapped = runSchedule(schedule, { onTrace: () => {} });
    const direct = simulate(schedule, { createNode: referenceNode(), onTrace: () => {} });
    expect(direct.traceHash).not.toBeNull();
    expect(direct.traceHash).toBe(wrapped.traceHash);
    expect(wrapped.bugFires).toBeNull();
  });

  it('binds the policy it is given: a bug changes the run', () => {
    const bugs = ['fixed-election-timeout'];
    const correct = simulate(schedule, { createNode: referenceNode(correctPolicy), onTrace: () => {} });
    const buggy = runSchedule(schedule, { bugs, onTrace: () => {} });
    expect(buggy.traceHash).not.toBe(correct.traceHash);
    expect(buggy.bugFires!['fixed-election-timeout']).toBeGreaterThan(0);
  });

  it('counts nothing while a node is built (it reads every flag of its policy once)', () => {
    // forget-vote alone: a flag, and the only difference, so the node's safety check reads it.
    const node = referenceNodeWithBugs(['forget-vote']);
    expect(node.fires()).toEqual({ 'forget-vote': 0 });
    node.createNode(args(1));
    expect(node.fires()).toEqual({ 'forget-vote': 0 });
    expect(referenceNodeWithBugs([]).fires()).toBeNull();
  });

  it('runSchedule runs a factory of another implementation as given, with no bug counts', () => {
    const built: number[] = [];
    const result = runSchedule(schedule, {
      createNode: (a): RaftProcess => {
        built.push(a.id);
        return referenceNode()(a);
      },
    });
    const n = schedule.config.nodes;
    expect(built.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(result.faults.restarts).toBeGreaterThan(0);
    expect(built.length).toBe(n + result.faults.restarts);
    expect(result.bugFires).toBeNull();
  });
});

// Compile time only (npm run typecheck; never called): bugs are the reference node's, so they do
// not go together with a factory of one's own.
void (() =>
  // @ts-expect-error bugs and createNode are exclusive
  runSchedule(schedule, { bugs: ['figure8'], createNode: referenceNode() }));
