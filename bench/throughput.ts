// Group 1: simulated events per second on one core for the standard workload, with every safety
// checker on and with none, and the ratio of virtual time to wall time.

import { createSafetyCheckers } from '../properties/index.ts';
import type { Checker } from '../properties/types.ts';
import type { ImplSpec } from '../sim/adapters/impl.ts';
import { runSeed } from '../sim/explore/generate.ts';
import { defaultConfig } from '../sim/model/config.ts';
import { fmtInt, fmtPct, fmtSi, type GroupResult, median, round, timed } from './lib.ts';

export interface ThroughputOptions {
  /** Seeds run per round, in each mode. */
  readonly seeds: readonly number[];
  /** Rounds; the figures are medians over rounds. */
  readonly rounds: number;
  /** Another implementation, loaded (loadImpl) before the group runs. */
  readonly impl?: ImplSpec | null;
}

/** The implementation measured: the reference node unless one is named (`--impl`, `--impl-cmd`). */
let measured: ImplSpec | null = null;

export const DEFAULT_THROUGHPUT: ThroughputOptions = { seeds: [1, 2, 3, 4, 5], rounds: 5 };

/**
 * 'checkers on' is a run as the CLI makes it: the six safety checkers after every step and the
 * linearizability check of the client history at the end. 'safety checkers only' leaves out the
 * latter, to show what each costs; 'checkers off' runs neither.
 */
type Mode = 'checkers on' | 'safety checkers only' | 'checkers off';

interface Round {
  readonly events: number;
  readonly simulatedMs: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}

function runRound(mode: Mode, seeds: readonly number[]): Round {
  const config = defaultConfig();
  const { value, wallMs, cpuMs } = timed(() => {
    let events = 0;
    let simulatedMs = 0;
    for (const seed of seeds) {
      const checkers: Checker[] = mode === 'checkers off' ? [] : createSafetyCheckers();
      const linearizability = mode === 'checkers on';
      const r =
        measured === null
          ? runSeed(seed, config, { checkers, linearizability })
          : runSeed(seed, config, { checkers, linearizability, impl: measured });
      events += r.events;
      simulatedMs += r.simulatedMs;
    }
    return { events, simulatedMs };
  });
  return { ...value, wallMs, cpuMs };
}

export function benchThroughput(opts: ThroughputOptions = DEFAULT_THROUGHPUT): GroupResult {
  measured = opts.impl ?? null;
  const modes: Mode[] = ['checkers on', 'safety checkers only', 'checkers off'];
  // Warm-up: let the JIT settle on a seed that is not measured.
  for (const mode of modes) runRound(mode, [1000]);
  const rounds: Record<Mode, Round[]> = { 'checkers on': [], 'safety checkers only': [], 'checkers off': [] };
  for (let i = 0; i < opts.rounds; i++) {
    // Alternate which mode goes first, so that neither always runs on a warmer or cooler machine.
    const order = i % 2 === 0 ? modes : [...modes].reverse();
    for (const mode of order) rounds[mode].push(runRound(mode, opts.seeds));
  }

  const summary = modes.map((mode) => {
    const rs = rounds[mode];
    const rates = rs.map((r) => r.events / (r.wallMs / 1000));
    const cpuRates = rs.map((r) => r.events / (r.cpuMs / 1000));
    const ratios = rs.map((r) => r.simulatedMs / r.wallMs);
    return {
      mode,
      eventsPerRun: rs[0]!.events / opts.seeds.length,
      eventsPerSec: median(rates),
      eventsPerSecMin: Math.min(...rates),
      eventsPerSecMax: Math.max(...rates),
      eventsPerCpuSec: median(cpuRates),
      virtualToWall: median(ratios),
      usPerEvent: 1e6 / median(rates),
    };
  });
  const on = summary[0]!;
  const safetyOnly = summary[1]!;
  const off = summary[2]!;
  const overhead = 1 - on.eventsPerSec / off.eventsPerSec;
  const safetyOverhead = 1 - safetyOnly.eventsPerSec / off.eventsPerSec;

  return {
    group: 'throughput',
    title:
      measured === null
        ? 'Throughput, one core'
        : `Throughput, one core: ${measured.kind === 'module' ? measured.shown : measured.command}, not the reference node`,
    workload:
      `defaultConfig(): 5 nodes, 5 clients, default network faults (drop 1%, dup 1%, long delays), ` +
      `2 partitions + 1 crash + 1 pause per virtual minute, 60 s of virtual time per seed; seeds ` +
      `${opts.seeds.join(', ')} per round, ${opts.rounds} rounds per mode, medians over rounds; ` +
      `runSeed in this thread, liveness probe on. Checkers on: the six safety checkers after ` +
      `every step and the end-of-run linearizability check (as the CLI runs); safety checkers ` +
      `only: without the latter; off: neither.`,
    tables: [
      {
        columns: [
          'mode',
          'events/run',
          'events/s (median)',
          'min..max',
          'µs/event',
          'events/CPU-s',
          'cores busy',
          'virtual:wall',
        ],
        rows: summary.map((s) => [
          s.mode,
          fmtInt(s.eventsPerRun),
          fmtInt(s.eventsPerSec),
          `${fmtSi(s.eventsPerSecMin)}..${fmtSi(s.eventsPerSecMax)}`,
          s.usPerEvent.toFixed(3),
          fmtInt(s.eventsPerCpuSec),
          (s.eventsPerSec / s.eventsPerCpuSec).toFixed(2),
          `${fmtInt(s.virtualToWall)}x`,
        ]),
      },
    ],
    targets: [
      {
        name: 'events/s, checkers on',
        target: '>= 1,000,000',
        measured: fmtInt(on.eventsPerSec),
        met: on.eventsPerSec >= 1_000_000,
      },
      {
        name: 'checker overhead (1 - on/off)',
        target: '<= 30%',
        measured: `${fmtPct(overhead)} (the safety checkers alone: ${fmtPct(safetyOverhead)})`,
        met: overhead <= 0.3,
      },
      {
        name: 'virtual time : wall time, checkers on',
        target: '>= 1000x',
        measured: `${fmtInt(on.virtualToWall)}x`,
        met: on.virtualToWall >= 1000,
      },
    ],
    notes: [
      'events/CPU-s divides by process CPU time (user + system, GC helper threads included); on a ' +
        'busy machine it is the steadier figure. cores busy = CPU time / wall time: above 1 when ' +
        'V8 collects garbage on a second core.',
    ],
    data: {
      seeds: opts.seeds,
      rounds: opts.rounds,
      summary: summary.map((s) => ({
        ...s,
        eventsPerSec: round(s.eventsPerSec),
        eventsPerSecMin: round(s.eventsPerSecMin),
        eventsPerSecMax: round(s.eventsPerSecMax),
        eventsPerCpuSec: round(s.eventsPerCpuSec),
        virtualToWall: round(s.virtualToWall, 1),
        usPerEvent: round(s.usPerEvent, 4),
      })),
      checkerOverhead: round(overhead, 4),
      safetyCheckerOverhead: round(safetyOverhead, 4),
      perRound: rounds,
    },
  };
}
