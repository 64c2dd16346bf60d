import { describe, expect, it } from 'vitest';
import { chance, expMs, intBetween, shuffled, stream } from '../sim/engine/rng.ts';

const draw = (rng: () => number, n: number) => Array.from({ length: n }, () => rng());

describe('rng streams', () => {
  it('are reproducible: the same seed and label give the same numbers', () => {
    expect(draw(stream(42, 'link', 1, 2), 20)).toEqual(draw(stream(42, 'link', 1, 2), 20));
  });

  it('differ by seed, by label and by label part', () => {
    const base = draw(stream(42, 'link', 1, 2), 8);
    expect(draw(stream(43, 'link', 1, 2), 8)).not.toEqual(base);
    expect(draw(stream(42, 'timeout', 1, 2), 8)).not.toEqual(base);
    expect(draw(stream(42, 'link', 2, 1), 8)).not.toEqual(base);
    expect(draw(stream(42, 'link', 12), 8)).not.toEqual(draw(stream(42, 'link', 1, 2), 8));
  });

  it('are independent: drawing from one does not shift another', () => {
    const a = stream(7, 'client', 1);
    const b = stream(7, 'client', 2);
    draw(a, 1000);
    expect(draw(b, 10)).toEqual(draw(stream(7, 'client', 2), 10));
  });

  it('give numbers in [0, 1) spread over the range', () => {
    const xs = draw(stream(1, 'x'), 10_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('helpers', () => {
  it('intBetween covers both ends and nothing outside', () => {
    const rng = stream(3, 'int');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(intBetween(rng, 3, 7));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('chance consumes exactly one draw whatever p is', () => {
    const a = stream(5, 'c');
    const b = stream(5, 'c');
    expect(chance(a, 0)).toBe(false);
    expect(chance(a, 1)).toBe(true);
    b();
    b();
    expect(a()).toBe(b());
  });

  it('expMs has roughly the asked mean and is an integer', () => {
    const rng = stream(9, 'exp');
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = expMs(rng, 100);
      expect(Number.isInteger(x)).toBe(true);
      sum += x;
    }
    // floor() takes about half a ms off the mean of 100.
    expect(sum / 20_000).toBeGreaterThan(95);
    expect(sum / 20_000).toBeLessThan(104);
  });

  it('shuffled permutes a copy', () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = shuffled(stream(1, 's'), items);
    expect(out).not.toBe(items);
    expect([...out].sort()).toEqual(items);
    expect(out).not.toEqual(items);
  });
});
