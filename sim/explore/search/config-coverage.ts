// Coverage of the config space, for exploration's fresh seeds. A config is described by the
// coarse value of each knob the swarm draws (its read path, how often nodes crash, whether
// membership changes, ...). Exploration counts how often each knob value, and each pair of knob
// values, was run, and of a few fresh seeds runs the one whose config's values and pairs were run
// least, as pairwise testing covers every pair of parameter values.
//
// The profile draws some values rarely (a read path other than the log, membership churn,
// compaction) and rarer still together with others (a read path in a crash storm); a bug that
// lives in such a region is where random search spends few runs. Nothing here knows of bugs: a
// region is favoured only for having been run less.

import type { SimConfig } from '../../model/config.ts';

/** A coarse level of a rate: none, low, middling, high. */
function level(x: number, low: number, high: number): string {
  return x <= 0 ? '0' : x < low ? 'low' : x < high ? 'mid' : 'high';
}

/** The knob values that place `c` in the config space, one label per knob. */
export function knobValues(c: SimConfig): string[] {
  const r = c.raft;
  const f = c.faults;
  const n = c.network;
  const k = c.clientsCfg;
  return [
    `nodes=${c.nodes}`,
    `clients=${c.clients <= 2 ? 'few' : 'many'}`,
    `read=${r.readMode}`,
    `prevote=${r.preVote}`,
    `check-quorum=${r.checkQuorum}`,
    `batch=${r.maxEntriesPerAppend <= 2 ? 'small' : 'large'}`,
    `election=${r.electionTimeoutMsMin < 100 ? 'short' : 'long'}`,
    `crashes=${level(f.crashesPerMin, 5, 40)}`,
    `down=${f.downMsMax <= 100 ? 'short' : 'long'}`,
    `partitions=${level(f.partitionsPerMin, 5, 30)}`,
    `pauses=${level(f.pausesPerMin, 5, 20)}`,
    `drop=${level(n.dropRate, 0.05, 0.1)}`,
    `dup=${level(n.dupRate, 0.05, 0.2)}`,
    `membership=${c.membership !== undefined && c.membership.changesPerMin > 0}`,
    `compaction=${c.compaction !== undefined}`,
    `routing=${k.routing ?? 'leader'}`,
    `ops=${k.opIntervalMsMean <= 50 ? 'busy' : 'calm'}`,
  ];
}

/** Each knob value, and each pair of them. */
function keysOf(values: readonly string[]): string[] {
  const keys: string[] = [];
  for (let i = 0; i < values.length; i++) {
    keys.push(values[i]!);
    for (let j = i + 1; j < values.length; j++) keys.push(`${values[i]!} ${values[j]!}`);
  }
  return keys;
}

/** How many runs had each knob value and each pair of knob values. */
export class ConfigCoverage {
  private readonly runs = new Map<string, number>();

  /** A run with config `c` was run. */
  add(c: SimConfig): void {
    for (const key of keysOf(knobValues(c))) this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
  }

  /** How little `c`'s region was run: over its knob values and their pairs, the sum of 1 / (1 + runs). */
  rarity(c: SimConfig): number {
    let s = 0;
    for (const key of keysOf(knobValues(c))) s += 1 / (1 + (this.runs.get(key) ?? 0));
    return s;
  }

  /** Which of `configs` was run least (the first of equals): the index of the highest rarity. */
  leastRun(configs: readonly SimConfig[]): number {
    let best = 0;
    let bestRarity = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < configs.length; i++) {
      const r = this.rarity(configs[i]!);
      if (r > bestRarity) {
        best = i;
        bestRarity = r;
      }
    }
    return best;
  }
}
