import { describe, expect, it } from 'vitest';
import { createSafetyCheckers } from '../properties/index.ts';
import { checkLinearizability } from '../properties/linearizability.ts';
import { generateSchedule, runSeed } from '../sim/explore/generate.ts';
import { runSchedule } from '../sim/explore/run.ts';
import { defaultConfig, faultsEndMs, type SimConfig } from '../sim/model/config.ts';
import type { Schedule } from '../sim/model/schedule.ts';

// End-to-end: the simulator around the reference RaftNode and KvStore.

function noFaults(timeMs: number): SimConfig {
  const c = defaultConfig();
  return {
    ...c,
    timeMs,
    network: { ...c.network, dropRate: 0, dupRate: 0, longDelayRate: 0 },
    faults: { ...c.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
  };
}

describe('a 5-node cluster', () => {
  it('elects a leader and commits client commands with no faults', () => {
    const result = runSeed(1, noFaults(10_000), { checkers: createSafetyCheckers() });
    expect(result.ok).toBe(true);
    expect(result.stoppedBy).toBe('time');
    expect(result.leadersByTerm.length).toBeGreaterThanOrEqual(1);
    // No faults: the first leader stays.
    expect(result.leadersByTerm).toHaveLength(1);
    expect(result.clientOps.ok).toBeGreaterThan(500);
    expect(result.clientOps.fail).toBe(0);
    // Only ops still open when the run ends are without an answer.
    expect(result.clientOps.info).toBeLessThanOrEqual(5);
    expect(result.maxCommitIndex).toBeGreaterThanOrEqual(result.clientOps.ok);
    expect(result.liveness.status).toBe('ok');
    expect(result.messages.dropped).toBe(0);
    const h = result.history;
    expect(h.map((o) => o.id)).toEqual(h.map((_, i) => i));
    for (const o of h) {
      if (o.status === 'ok') {
        expect(o.returnMs!).toBeGreaterThanOrEqual(o.invokeMs);
        expect(o.result!.type).toBe(o.op.type);
      }
    }
    expect(checkLinearizability(h).verdict).toBe('ok');
  });

  it('stays safe, linearizable and live under default faults (50 seeds, 10 s each)', () => {
    const config = { ...defaultConfig(), timeMs: 10_000 };
    let faults = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const result = runSeed(seed, config, { checkers: createSafetyCheckers() });
      const where = `seed ${seed}: ${result.violation?.property}: ${result.violation?.message}`;
      expect(result.violation, where).toBeNull();
      expect(result.liveness.status, `seed ${seed}`).toBe('ok');
      expect(result.clientOps.ok, `seed ${seed}`).toBeGreaterThan(100);
      expect(checkLinearizability(result.history).verdict, `seed ${seed}`).toBe('ok');
      const f = result.faults;
      faults += f.partitions + f.crashes + f.pauses + f.links;
    }
    // The faults really happened.
    expect(faults).toBeGreaterThan(20);
  });

  it('answers a retried request once: a crash of the leader makes clients retry, and the history stays linearizable', () => {
    const config = noFaults(6000);
    const base = generateSchedule(3, config);
    const first = runSchedule(base);
    const leader = first.leadersByTerm[0]!.leader;
    const schedule: Schedule = {
      ...base,
      faults: [
        ...base.faults,
        { atMs: 2000, type: 'crash', node: leader },
        { atMs: 2500, type: 'restart', node: leader },
      ],
    };
    const result = runSchedule(schedule, { checkers: createSafetyCheckers() });
    expect(result.ok).toBe(true);
    expect(result.faults).toMatchObject({ crashes: 1, restarts: 1 });
    expect(result.leadersByTerm.length).toBeGreaterThanOrEqual(2);
    expect(result.clientRequests.timeouts + result.clientRequests.redirects).toBeGreaterThan(0);
    expect(checkLinearizability(result.history).verdict).toBe('ok');
  });

  it('reports a liveness violation when a majority never comes back', () => {
    const config = { ...noFaults(8000), quietMs: 4000 };
    const schedule: Schedule = {
      ...generateSchedule(1, config),
      faults: [
        { atMs: 1000, type: 'crash', node: 1 },
        { atMs: 1000, type: 'crash', node: 2 },
        { atMs: 1000, type: 'crash', node: 3 },
      ],
    };
    const result = runSchedule(schedule);
    expect(result.ok).toBe(false);
    expect(result.liveness).toEqual({ status: 'violated' });
    const v = result.violation!;
    expect(v.property).toBe('liveness');
    const endMs = faultsEndMs(config);
    expect(v.timeMs).toBe(endMs + config.livenessBoundMs);
    expect(v.message).toContain(`at ${endMs} ms`);
    expect(v.message).toContain(`${config.livenessBoundMs} ms`);
    expect(v.message).toContain('no leader was elected after the faults ended');
    expect(v.recentEvents.length).toBeGreaterThan(0);
  });

  it('skips the liveness check, saying why, when the bound does not fit in the run', () => {
    const config = { ...noFaults(4000), quietMs: 1000 };
    const result = runSeed(1, config);
    expect(result.ok).toBe(true);
    expect(result.liveness.status).toBe('skipped');
    expect(result.liveness.status === 'skipped' && result.liveness.reason).toMatch(/quietMs/);
  });

  it('catches a known bug switched on by name', () => {
    const result = runSeed(
      1,
      { ...defaultConfig(), timeMs: 10_000 },
      {
        bugs: ['apply-uncommitted'],
        checkers: createSafetyCheckers(),
      },
    );
    expect(result.ok).toBe(false);
    expect(result.violation!.property).toBe('state-machine-safety');
    expect(result.violation!.logs.length).toBeGreaterThan(0);
  });

  it('models clock drift without losing safety or liveness', () => {
    const config = { ...defaultConfig(), timeMs: 10_000, clockDriftPpmMax: 50_000 };
    for (let seed = 1; seed <= 5; seed++) {
      const result = runSeed(seed, config, { checkers: createSafetyCheckers() });
      expect(result.violation, `seed ${seed}`).toBeNull();
      expect(result.liveness.status).toBe('ok');
    }
  });
});
