import { describe, expect, it } from 'vitest';
import { fenceActive, withFence } from '../sim/engine/fence.ts';

describe('withFence', () => {
  it('makes every clock and entropy source throw inside, and restores them after', () => {
    const random = Math.random;
    const now = Date.now;
    const set = globalThis.setTimeout;
    withFence(() => {
      expect(fenceActive()).toBe(true);
      expect(() => Math.random()).toThrow('determinism fence: Math.random called during a simulated run');
      expect(() => Date.now()).toThrow(/Date\.now/);
      expect(() => performance.now()).toThrow(/performance\.now/);
      expect(() => setTimeout(() => {}, 1)).toThrow(/setTimeout/);
      expect(() => setInterval(() => {}, 1)).toThrow(/setInterval/);
      expect(() => setImmediate(() => {})).toThrow(/setImmediate/);
      expect(() => process.hrtime()).toThrow(/process\.hrtime/);
      expect(() => process.hrtime.bigint()).toThrow(/process\.hrtime\.bigint/);
    });
    expect(fenceActive()).toBe(false);
    expect(Math.random).toBe(random);
    expect(Date.now).toBe(now);
    expect(globalThis.setTimeout).toBe(set);
    expect(typeof Math.random()).toBe('number');
    expect(typeof performance.now()).toBe('number');
    expect(Object.hasOwn(performance, 'now')).toBe(false);
  });

  it('comes down when the function throws', () => {
    const random = Math.random;
    expect(() =>
      withFence(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Math.random).toBe(random);
    expect(fenceActive()).toBe(false);
  });

  it('returns the function result and nests', () => {
    expect(withFence(() => withFence(() => 7) + 1)).toBe(8);
    expect(fenceActive()).toBe(false);
  });
});
