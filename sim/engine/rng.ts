import seedrandom from 'seedrandom';
import type { Random } from '../../src/raft/types.ts';

export type { Random } from '../../src/raft/types.ts';

/**
 * One independent, reproducible generator per concern. The seed string names the run seed and
 * the concern (`stream(42, 'link', 1, 3)`), so that a change in how one concern draws — a fault
 * removed while shrinking, one op fewer — never shifts the numbers another concern sees.
 *
 * Alea is used because it is several times faster than seedrandom's default ARC4 and, like it,
 * is pure double arithmetic: the same seed gives the same numbers on every machine.
 */
export function stream(seed: number, label: string, ...parts: readonly (number | string)[]): Random {
  let name = `raftsim/${seed}/${label}`;
  for (const part of parts) name += `/${part}`;
  return seedrandom.alea(name);
}

/** A uniform integer in [lo, hi], both inclusive. Always consumes exactly one draw. */
export function intBetween(rng: Random, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/**
 * True with probability p. Always consumes exactly one draw, even for p = 0 or 1, so that
 * simplifying a rate while shrinking keeps the rest of the stream aligned.
 */
export function chance(rng: Random, p: number): boolean {
  return rng() < p;
}

/** Picks one element uniformly. Consumes one draw. */
export function pick<T>(rng: Random, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

/**
 * An exponentially distributed integer gap with the given mean, for Poisson-like arrivals.
 * Capped at 20 means so that one unlucky draw cannot swallow a whole run. Math.log is V8's
 * own portable implementation, so the result is the same on every platform.
 */
export function expMs(rng: Random, meanMs: number): number {
  const u = rng();
  const gapMs = Math.floor(-Math.log(1 - u) * meanMs);
  return Math.min(gapMs, Math.floor(20 * meanMs));
}

/** Fisher–Yates shuffle of a copy; consumes length - 1 draws. */
export function shuffled<T>(rng: Random, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
