// Group: the cost of membership churn. The standard workload with and without the membership layer
// (two spares, a dozen membership operations a virtual minute), every safety checker on: events/s
// and µs per event side by side, and the membership checker's share.

import { createSafetyCheckers } from '../properties/index.ts';
import { MembershipSafety } from '../properties/membership-safety.ts';
import type { Checker } from '../properties/types.ts';
import { runSeed } from '../sim/explore/generate.ts';
import { defaultConfig, type SimConfig } from '../sim/model/config.ts';
import { fmtInt, fmtPct, type GroupResult, median, timed } from './lib.ts';

export interface MembershipBenchOptions {
  readonly seeds: readonly number[];
  readonly rounds: number;
  readonly changesPerMin: number;
}

export const DEFAULT_MEMBERSHIP: MembershipBenchOptions = {
  seeds: [1, 2, 3, 4, 5],
  rounds: 5,
  changesPerMin: 12,
};

type Mode = 'no churn' | 'churn' | 'churn, no membership checker';

function configOf(mode: Mode, changesPerMin: number): SimConfig {
  const base = defaultConfig();
  return mode === 'no churn' ? base : { ...base, membership: { spares: 2, changesPerMin } };
}

interface Round {
  readonly events: number;
  readonly wallMs: number;
  readonly configurations: number;
}

function runRound(mode: Mode, opts: MembershipBenchOptions): Round {
  const config = configOf(mode, opts.changesPerMin);
  const { value, wallMs } = timed(() => {
    let events = 0;
    let configurations = 0;
    for (const seed of opts.seeds) {
      const all = createSafetyCheckers();
      const checkers: Checker[] =
        mode === 'churn, no membership checker' ? all.filter((c) => !(c instanceof MembershipSafety)) : all;
      const r = runSeed(seed, config, { checkers, linearizability: false });
      if (!r.ok) throw new Error(`bench run of seed ${seed} (${mode}) failed: ${r.violation?.message}`);
      events += r.events;
      configurations += r.configurations.length;
    }
    return { events, configurations };
  });
  return { ...value, wallMs };
}

export function benchMembership(opts: MembershipBenchOptions = DEFAULT_MEMBERSHIP): GroupResult {
  const modes: Mode[] = ['no churn', 'churn', 'churn, no membership checker'];
  for (const mode of modes) runRound(mode, { ...opts, seeds: [1000] });
  const rounds: Record<Mode, Round[]> = { 'no churn': [], churn: [], 'churn, no membership checker': [] };
  for (let i = 0; i < opts.rounds; i++) {
    const order = i % 2 === 0 ? modes : [...modes].reverse();
    for (const mode of order) rounds[mode].push(runRound(mode, opts));
  }
  const summary = modes.map((mode) => {
    const rs = rounds[mode];
    const rate = median(rs.map((r) => r.events / (r.wallMs / 1000)));
    return {
      mode,
      eventsPerRun: rs[0]!.events / opts.seeds.length,
      configurationsPerRun: rs[0]!.configurations / opts.seeds.length,
      eventsPerSec: rate,
      usPerEvent: 1e6 / rate,
    };
  });
  const without = summary[0]!;
  const churn = summary[1]!;
  const noChecker = summary[2]!;
  const slowdown = 1 - churn.eventsPerSec / without.eventsPerSec;
  const checkerShare = 1 - churn.eventsPerSec / noChecker.eventsPerSec;
  return {
    group: 'membership',
    title: 'Membership churn',
    workload:
      `defaultConfig() (5 nodes, 5 clients, default faults, 60 s virtual), with and without ` +
      `membership: { spares: 2, changesPerMin: ${opts.changesPerMin} }; seeds ${opts.seeds.join(', ')} per round, ` +
      `${opts.rounds} rounds, medians; the safety checkers on (membership safety among them), no end-of-run lincheck.`,
    tables: [
      {
        columns: ['mode', 'events/run', 'configurations committed/run', 'events/s (median)', 'µs/event'],
        rows: summary.map((s) => [
          s.mode,
          fmtInt(s.eventsPerRun),
          s.configurationsPerRun.toFixed(1),
          fmtInt(s.eventsPerSec),
          s.usPerEvent.toFixed(3),
        ]),
      },
    ],
    targets: [
      {
        name: 'throughput with churn against without (1 - churn/no churn)',
        target: '<= 10%',
        measured: fmtPct(slowdown),
        met: slowdown <= 0.1,
      },
    ],
    notes: [`the membership checker's share of the churn run: ${fmtPct(checkerShare)}`],
    data: { summary },
  };
}
