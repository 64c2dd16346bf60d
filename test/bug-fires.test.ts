import { describe, expect, it } from 'vitest';
import { neverFired } from '../bugs/fires.ts';
import { policyFor } from '../bugs/index.ts';
import { referenceNode } from '../sim/adapters/reference.ts';
import { runSeed } from '../sim/explore/generate.ts';
import { configFor } from '../sim/explore/profile.ts';

const run = (seed: number, mode: 'fixed' | 'swarm', bugs: string[], counted = true) => {
  const config = configFor(seed, mode, {});
  return runSeed(seed, config, {
    ...(counted ? { bugs } : { createNode: referenceNode(policyFor(bugs)) }),
    onTrace: () => {},
    linearizability: false,
  });
};

describe('bug fire counts', () => {
  it('figure8 on fixed seed 7 never fires, and the summary line says so', () => {
    const r = run(7, 'fixed', ['figure8']);
    expect(r.bugFires).toEqual({ figure8: 0 });
    expect(neverFired(r.bugFires)).toEqual(['figure8 was on but never fired in this run']);
  });
  it('figure8 on swarm seed 230 fires (and the run fails)', () => {
    const r = run(230, 'swarm', ['figure8']);
    expect(r.bugFires!.figure8).toBeGreaterThan(0);
    expect(neverFired(r.bugFires)).toEqual([]);
  });
  it('counts flag decisions (forget-vote) and random ones (fixed-election-timeout)', () => {
    expect(run(2, 'fixed', ['forget-vote']).bugFires!['forget-vote']).toBeGreaterThan(0);
    expect(run(2, 'fixed', ['fixed-election-timeout']).bugFires!['fixed-election-timeout']).toBeGreaterThan(
      0,
    );
  });
  it('is null without bugs', () => {
    expect(run(2, 'fixed', []).bugFires).toBeNull();
  });
  it('changes nothing in the run: the same trace as the bare buggy policy', () => {
    for (const bugs of [['figure8'], ['fixed-election-timeout'], ['forget-vote', 'vote-no-log-check']]) {
      const counted = run(230, 'swarm', bugs);
      const bare = run(230, 'swarm', bugs, false);
      expect(counted.traceHash, bugs.join()).toBe(bare.traceHash);
      expect(bare.bugFires).toBeNull();
    }
  });
});

describe('bug fire counts in a sweep', () => {
  it('each seed outcome carries its counts', async () => {
    const { runSweep } = await import('../sim/explore/sweep.ts');
    const settings = { mode: 'swarm' as const, overrides: {}, bugs: ['figure8'] };
    const r = await runSweep({ lo: 230, hi: 231, workers: 0, settings, stopOnFailure: false });
    expect(r.outcomes.map((o) => (o.bugFires?.figure8 ?? 0) > 0)).toEqual([true, false]);
  });
});
