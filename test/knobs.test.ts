import { describe, expect, it } from 'vitest';
import { createSafetyCheckers } from '../properties/index.ts';
import { generateSchedule, runSeed } from '../sim/explore/generate.ts';
import { configFor } from '../sim/explore/profile.ts';
import { defaultConfig, type SimConfig } from '../sim/model/config.ts';

// The knobs every flag reaches (sim/cli/flags.ts) must change the run they name, and nothing else.

function withClients(patch: Partial<SimConfig['clientsCfg']>): SimConfig {
  const c = defaultConfig();
  return { ...c, timeMs: 10_000, quietMs: 5000, clientsCfg: { ...c.clientsCfg, ...patch } };
}

describe('workload knobs', () => {
  it('a hot key takes its share of the ops; without the knob the ops are drawn as before', () => {
    const hot = generateSchedule(7, withClients({ hotKeyShare: 0.9 })).ops;
    const onHot = hot.filter((o) => o.op.key === 'k0').length / hot.length;
    expect(onHot).toBeGreaterThan(0.85);
    const plain = generateSchedule(7, withClients({})).ops;
    const zero = generateSchedule(7, withClients({ hotKeyShare: 0 })).ops;
    expect(zero).toStrictEqual(plain);
    expect(plain.filter((o) => o.op.key === 'k0').length / plain.length).toBeLessThan(0.35);
  });

  it('sticky clients send every new op to their own node, so many more requests are redirected', () => {
    const run = (routing: 'leader' | 'sticky') =>
      runSeed(3, withClients({ routing }), { checkers: createSafetyCheckers() });
    const leader = run('leader');
    const sticky = run('sticky');
    expect(leader.violation).toBeNull();
    expect(sticky.violation).toBeNull();
    expect(sticky.clientRequests.redirects).toBeGreaterThan(2 * leader.clientRequests.redirects);
    // Deterministic like every knob: the same seed and config give the same run.
    expect(run('sticky').events).toBe(sticky.events);
  });
});

describe('the swarm draws every knob on its own', () => {
  it('over 400 seeds, each knob leaves its default somewhere, in both swarm profiles', () => {
    for (const mode of ['swarm', 'random'] as const) {
      const seen = new Set<string>();
      for (let seed = 1; seed <= 400; seed++) {
        const c = configFor(seed, mode, {});
        const d = defaultConfig();
        if (c.raft.electionTimeoutMsMin !== d.raft.electionTimeoutMsMin) seen.add('election');
        if (c.raft.heartbeatMs !== d.raft.heartbeatMs) seen.add('heartbeat');
        if (c.raft.maxEntriesPerAppend !== d.raft.maxEntriesPerAppend) seen.add('batch');
        if (c.clientsCfg.routing === 'sticky') seen.add('sticky');
        if (c.clientsCfg.routing === 'random') seen.add('random');
        if (c.raft.leaseDriftPpm !== undefined) seen.add('lease-drift');
        if (c.clientsCfg.hotKeyShare !== undefined) seen.add('hot-key');
        if (c.quietMs !== d.quietMs) seen.add('quiet');
        if (c.clientsCfg.keys !== d.clientsCfg.keys) seen.add('keys');
        if (c.raft.readMode !== 'log') seen.add('reads');
        if (c.membership !== undefined) seen.add('membership');
      }
      expect([...seen].sort(), mode).toStrictEqual(
        [
          'batch',
          'election',
          'heartbeat',
          'hot-key',
          'keys',
          'lease-drift',
          'membership',
          'quiet',
          'random',
          'reads',
          'sticky',
        ].sort(),
      );
    }
  });

  it("the random profile never takes a hand-tuned layer's shape (figure-8's 40 ms timeouts, 200 ms heartbeats of the lease-failover layer)", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const c = configFor(seed, 'random', {});
      expect(c.raft.electionTimeoutMsMin, `seed ${seed}`).not.toBe(40);
      expect(c.raft.heartbeatMs, `seed ${seed}`).toBeLessThan(200);
    }
  });
});
