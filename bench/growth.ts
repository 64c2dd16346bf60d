// Group 2: does the cost of a step grow with the length of the logs? One long run without
// compaction whose log grows fast; the time per step is measured in windows as the log passes
// 1k, 10k and 100k entries, with every safety checker on.

import { performance } from 'node:perf_hooks';
import { createSafetyCheckers } from '../properties/index.ts';
import type { Checker, NodeStep, Violation } from '../properties/types.ts';
import { runSeed } from '../sim/explore/generate.ts';
import { defaultConfig, type SimConfig } from '../sim/model/config.ts';
import { fmtInt, type GroupResult, median, round } from './lib.ts';

export interface GrowthOptions {
  /** Log sizes at which a window opens. */
  readonly sizes: readonly number[];
  /** Log entries appended while a window is open. */
  readonly windowEntries: number;
  /** One run per seed; the figure per size is the median over runs. */
  readonly seeds: readonly number[];
}

export const DEFAULT_GROWTH: GrowthOptions = {
  sizes: [1000, 10_000, 100_000],
  windowEntries: 5000,
  seeds: [1, 2, 3, 4, 5],
};

/**
 * A workload whose log grows by about 5000 entries per virtual second: 50 clients invoking every
 * 10 ms on average (close to what one op takes here, so every scheduled op runs and few wait),
 * a fast network (1–3 ms) and no partitions, crashes or pauses, so that one leader keeps
 * appending. Light message loss and duplication stay on, so that the follower repair paths run
 * too. 24 virtual seconds hold about 120k ops: just enough, since the schedule is built up front.
 */
export function growthConfig(): SimConfig {
  const base = defaultConfig();
  return {
    ...base,
    clients: 50,
    timeMs: 24_000,
    network: {
      ...base.network,
      delayMsMin: 1,
      delayMsMax: 3,
      dropRate: 0.001,
      dupRate: 0.001,
      longDelayRate: 0,
    },
    faults: { ...base.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
    clientsCfg: { ...base.clientsCfg, opIntervalMsMean: 10 },
  };
}

/** Thrown by the probe once every window has closed: the rest of the run is not needed. */
class EnoughMeasured extends Error {}

interface Window {
  readonly fromIndex: number;
  readonly toIndex: number;
  startSteps: number;
  startMs: number;
  endSteps: number;
  endMs: number;
}

/**
 * Rides along as one more checker (it never reports anything): it counts node steps — one per
 * checker call — and notes the clock when the longest log first reaches each window's bounds.
 * It looks at the clock only every 64 steps, so its own cost is a counter and a comparison.
 */
class WindowProbe implements Checker {
  readonly property = 'log-matching' as const;
  steps = 0;
  private longest = 0;
  private next = 0;
  constructor(readonly windows: Window[]) {}

  onNodeStep(step: NodeStep): Violation | null {
    this.steps++;
    const last = step.process.lastIndex;
    if (last > this.longest) this.longest = last;
    if ((this.steps & 63) !== 0) return null;
    for (let i = this.next; i < this.windows.length; i++) {
      const w = this.windows[i]!;
      if (w.startSteps < 0 && this.longest >= w.fromIndex) {
        w.startSteps = this.steps;
        w.startMs = performance.now();
      }
      if (w.startSteps >= 0 && w.endSteps < 0 && this.longest >= w.toIndex) {
        w.endSteps = this.steps;
        w.endMs = performance.now();
        this.next = i + 1;
      }
    }
    if (this.next === this.windows.length) throw new EnoughMeasured();
    return null;
  }
}

interface RunWindows {
  readonly seed: number;
  /** ns per node step in each window, in the order of `sizes`. */
  readonly nsPerStep: number[];
  readonly nsPerStepOverall: number;
}

function measureRun(seed: number, opts: GrowthOptions, withCheckers: boolean): RunWindows {
  const windows: Window[] = opts.sizes.map((size) => ({
    fromIndex: size,
    toIndex: size + opts.windowEntries,
    startSteps: -1,
    startMs: 0,
    endSteps: -1,
    endMs: 0,
  }));
  const probe = new WindowProbe(windows);
  const checkers = withCheckers ? [...createSafetyCheckers(), probe] : [probe];
  const t0 = performance.now();
  try {
    // The fence is lowered so that the probe may read the clock; nothing else in the run does.
    const r = runSeed(seed, growthConfig(), { checkers, fence: false });
    throw new Error(
      `growth run of seed ${seed} ended (${r.stoppedBy}, ${r.violation?.message ?? 'no violation'}) ` +
        `before its log reached ${opts.sizes.at(-1)! + opts.windowEntries} entries`,
    );
  } catch (error) {
    if (!(error instanceof EnoughMeasured)) throw error;
  }
  const totalMs = performance.now() - t0;
  return {
    seed,
    nsPerStep: windows.map((w) => ((w.endMs - w.startMs) * 1e6) / (w.endSteps - w.startSteps)),
    nsPerStepOverall: (totalMs * 1e6) / probe.steps,
  };
}

export function benchGrowth(opts: GrowthOptions = DEFAULT_GROWTH): GroupResult {
  // Warm-up: a short pass so that the first window is not measured on cold code.
  measureRun(999, { ...opts, sizes: [2000], windowEntries: 8000 }, true);
  const on = opts.seeds.map((seed) => measureRun(seed, opts, true));
  const off = opts.seeds.map((seed) => measureRun(seed, opts, false));

  const perSize = (runs: readonly RunWindows[]) =>
    opts.sizes.map((_, i) => median(runs.map((r) => r.nsPerStep[i]!)));
  const onNs = perSize(on);
  const offNs = perSize(off);
  const first = onNs[0]!;
  const last = onNs.at(-1)!;
  const growth = last / first;

  return {
    group: 'growth',
    title: 'Cost growth with log length',
    workload:
      `growthConfig(): 5 nodes, 50 clients invoking every 10 ms, delays 1–3 ms, drop and dup 0.1%, ` +
      `no partitions, crashes or pauses, no compaction; one run per seed (${opts.seeds.join(', ')}); ` +
      `a window opens when the longest log reaches each size and closes ${fmtInt(opts.windowEntries)} ` +
      `entries later; figures are medians over runs. A step here is a node step (one call of the checkers).`,
    tables: [
      {
        columns: ['log size', 'ns/step, checkers on', 'vs first', 'ns/step, checkers off', 'vs first'],
        rows: opts.sizes.map((size, i) => [
          fmtInt(size),
          Math.round(onNs[i]!),
          `${(onNs[i]! / first).toFixed(2)}x`,
          Math.round(offNs[i]!),
          `${(offNs[i]! / offNs[0]!).toFixed(2)}x`,
        ]),
      },
    ],
    targets: [
      {
        name: `ns/step at ${fmtInt(opts.sizes.at(-1)!)} entries vs at ${fmtInt(opts.sizes[0]!)}, checkers on`,
        target: '<= 1.5x',
        measured: `${growth.toFixed(2)}x (${Math.round(last)} vs ${Math.round(first)} ns)`,
        met: growth <= 1.5,
      },
    ],
    notes: [],
    data: {
      sizes: opts.sizes,
      windowEntries: opts.windowEntries,
      seeds: opts.seeds,
      nsPerStepOn: onNs.map((x) => round(x, 1)),
      nsPerStepOff: offNs.map((x) => round(x, 1)),
      growthOn: round(growth, 3),
      runsOn: on,
      runsOff: off,
    },
  };
}
