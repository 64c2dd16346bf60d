// Sharding a sweep across machines: shard i of n runs one contiguous block of the seed range.
// Blocks rather than a stride (i, i+n, ...) so that each shard is an ordinary `--seeds a..b`
// sweep whose seeds a reader can name, and because swarm seeds cost the same on average wherever
// they lie, so equal blocks balance as well as a stride does. Shards are 0-based, as Kubernetes
// numbers an Indexed Job's pods (JOB_COMPLETION_INDEX).

export interface Shard {
  /** 0 to count - 1. */
  readonly index: number;
  readonly count: number;
}

export interface SeedRange {
  readonly lo: number;
  readonly hi: number;
}

/**
 * The seeds shard `index` of `count` runs: block sizes differ by at most one, the blocks are in
 * shard order, and together they are exactly lo..hi with no seed twice. A shard beyond the number
 * of seeds gets an empty block (hi < lo).
 */
export function shardRange(range: SeedRange, shard: Shard): SeedRange {
  if (!Number.isInteger(shard.count) || shard.count < 1) throw new RangeError(`shard count ${shard.count}`);
  if (!Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count)
    throw new RangeError(`shard index ${shard.index} of ${shard.count}`);
  const total = range.hi - range.lo + 1;
  // Integer arithmetic on safe integers: total <= 2^32 and count <= MAX_SHARDS, so the products fit.
  const start = Math.floor((shard.index * total) / shard.count);
  const end = Math.floor(((shard.index + 1) * total) / shard.count);
  return { lo: range.lo + start, hi: range.lo + end - 1 };
}

/** Shards one sweep may be cut into: far more machines than anyone schedules for one range. */
export const MAX_SHARDS = 100_000;

/** Sorted, disjoint inclusive ranges covering exactly the given seeds (any order, no duplicates needed). */
export function rangesOf(seeds: readonly number[]): [number, number][] {
  const sorted = [...seeds].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1] + 1) last[1] = Math.max(last[1], s);
    else out.push([s, s]);
  }
  return out;
}

/** Seeds in a list of inclusive ranges. */
export function countSeeds(ranges: readonly (readonly [number, number])[]): number {
  let n = 0;
  for (const [lo, hi] of ranges) n += hi - lo + 1;
  return n;
}

/** The parts of `want` that `have` does not cover (both sorted and disjoint). */
export function missingRanges(
  want: readonly (readonly [number, number])[],
  have: readonly (readonly [number, number])[],
): [number, number][] {
  const out: [number, number][] = [];
  for (const [lo, hi] of want) {
    let from = lo;
    for (const [a, b] of have) {
      if (b < from || a > hi) continue;
      if (a > from) out.push([from, a - 1]);
      from = Math.max(from, b + 1);
      if (from > hi) break;
    }
    if (from <= hi) out.push([from, hi]);
  }
  return out;
}
