import { describe, expect, it } from 'vitest';
import { configFor } from '../sim/explore/profile.ts';
import { runSeedJob } from '../sim/explore/seed-job.ts';
import { defaultConfig, livenessSkipReason, type SimConfig, voteRoundSuccess } from '../sim/model/config.ts';

const withNetwork = (n: Partial<SimConfig['network']>, nodes = 5): SimConfig => {
  const c = defaultConfig();
  return { ...c, nodes, network: { ...c.network, ...n } };
};

describe('liveness is judged only where a correct Raft can meet the bound', () => {
  it('judges the default config', () => {
    expect(livenessSkipReason(defaultConfig())).toBeNull();
  });
  it('does not judge a network slower than the timing requirement (round trip vs election timeout)', () => {
    expect(livenessSkipReason(withNetwork({ delayMsMax: 74 }))).toBeNull();
    expect(livenessSkipReason(withNetwork({ delayMsMax: 75 }))).toMatch(
      /^liveness not judged: a round trip takes up to 150 ms .* shortest election timeout of 150 ms/,
    );
  });
  it('does not judge a network that loses too much for a vote round to reach a majority', () => {
    expect(voteRoundSuccess(withNetwork({ dropRate: 0 }))).toBe(1);
    expect(voteRoundSuccess(withNetwork({ dropRate: 1 }))).toBe(0);
    expect(voteRoundSuccess(withNetwork({ dropRate: 0 }, 1))).toBe(1);
    // 5 nodes: two of four round trips, each arriving with probability 0.25.
    expect(voteRoundSuccess(withNetwork({ dropRate: 0.5 }))).toBeCloseTo(
      1 - 0.75 ** 4 - 4 * 0.25 * 0.75 ** 3,
      9,
    );
    expect(livenessSkipReason(withNetwork({ dropRate: 1 }))).toMatch(/^liveness not judged: with drop 1 /);
    expect(livenessSkipReason(withNetwork({ dropRate: 0.3 }))).toBeNull();
  });
  it('swarm seed 132230 (100 ms delays, 13.8% loss, 150-300 ms timeouts) is not judged and passes clean', () => {
    const config = configFor(132230, 'swarm', {});
    expect(livenessSkipReason(config)).toMatch(/round trip takes up to 200 ms/);
    const outcome = runSeedJob(132230, { mode: 'swarm', overrides: {}, bugs: [] });
    expect(outcome).toMatchObject({ ok: true, kind: 'ok' });
  });
  it('--drop 1 on a correct node exits clean: liveness is not judged', () => {
    const outcome = runSeedJob(1, { mode: 'fixed', overrides: { dropRate: 1, timeMs: 10_000 }, bugs: [] });
    expect(outcome).toMatchObject({ ok: true, kind: 'ok' });
  });
  it('still catches a liveness bug where it is judged', () => {
    const outcome = runSeedJob(2, { mode: 'swarm', overrides: {}, bugs: ['fixed-election-timeout'] });
    expect(outcome.property).toBe('liveness');
  });
});
