import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../sim/engine/queue.ts';

// The queue keeps near events in a timing wheel (8192 ms wide) and everything else in a heap;
// these tests aim at the seams between the two, which the basic queue tests do not reach.

/** A push time relative to the last popped time, shaped to hit every path of the queue. */
const offsetArb = fc.oneof(
  fc.integer({ min: 0, max: 20 }), // near: the wheel
  fc.integer({ min: 8150, max: 8250 }), // around the wheel's span
  fc.integer({ min: 20_000, max: 60_000 }), // far: the heap, later pulled level with the wheel
  fc.integer({ min: -40, max: -1 }), // behind the last popped time: the heap
  fc.constantFrom(0.5, 3.25), // not an integer: the heap
);

/**
 * Absolute times from a small set, so that events pushed far ahead (heap) and events pushed
 * later for the same instant (wheel) often tie.
 */
const absoluteArb = fc.constantFrom(0, 5, 8191, 8192, 9000, 9005, 16_390, 16_400, 30_000);

type Action = { push: number } | { at: number } | { pop: true };

function checkAgainstStableSort(actions: readonly Action[]): void {
  const q = new EventQueue<number>();
  // Reference: [time, seq] pairs kept sorted by (time, seq).
  const ref: [number, number][] = [];
  let seq = 0;
  for (const a of actions) {
    if ('push' in a || 'at' in a) {
      const timeMs = 'push' in a ? q.poppedTimeMs + a.push : a.at;
      q.push(timeMs, seq);
      ref.push([timeMs, seq]);
      seq++;
      ref.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    } else {
      const expected = ref.shift();
      const got = q.pop();
      expect(got).toBe(expected?.[1]);
      if (expected !== undefined) expect(q.poppedTimeMs).toBe(expected[0]);
    }
    expect(q.size).toBe(ref.length);
    expect(q.peekTimeMs()).toBe(ref[0]?.[0] ?? Number.POSITIVE_INFINITY);
  }
}

describe('EventQueue timing wheel', () => {
  it('orders by (time, insertion) across wheel, heap, far, past and fractional times', () => {
    const action = fc.oneof(
      { weight: 2, arbitrary: offsetArb.map((push): Action => ({ push })) },
      { weight: 2, arbitrary: absoluteArb.map((at): Action => ({ at })) },
      { weight: 3, arbitrary: fc.constant<Action>({ pop: true }) },
    );
    fc.assert(
      fc.property(fc.array(action, { minLength: 20, maxLength: 400, size: 'max' }), checkAgainstStableSort),
      { numRuns: 100 },
    );
  });

  it('keeps insertion order between a far event and near events pushed later for the same time', () => {
    const q = new EventQueue<string>();
    q.push(10_000, 'far, pushed first'); // beyond the wheel: goes to the heap
    q.push(3000, 'step');
    expect(q.pop()).toBe('step');
    // Now 10_000 is within the wheel's span: this one goes to the wheel, but was pushed later.
    q.push(10_000, 'near, pushed second');
    q.push(9999, 'just before');
    expect([q.pop(), q.pop(), q.pop()]).toEqual(['just before', 'far, pushed first', 'near, pushed second']);
    expect(q.pop()).toBeUndefined();
  });

  it('handles many events per millisecond and long quiet gaps', () => {
    const q = new EventQueue<number>();
    let n = 0;
    for (let t = 0; t < 100_000; t += 7919) {
      for (let k = 0; k < 50; k++) q.push(t, n++);
    }
    const out: number[] = [];
    for (let item = q.pop(); item !== undefined; item = q.pop()) out.push(item);
    expect(out).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('recycles its slots: the slot arrays stop growing at the high-water mark', () => {
    const q = new EventQueue<number>();
    for (let round = 0; round < 1000; round++) {
      for (let k = 0; k < 10; k++) q.push(q.poppedTimeMs + 1 + k, k);
      for (let k = 0; k < 10; k++) q.pop();
    }
    const items = (q as unknown as { items: unknown[] }).items;
    expect(items.length).toBeLessThanOrEqual(11);
    expect(q.size).toBe(0);
  });

  it('starts empty again after clear()', () => {
    const q = new EventQueue<number>();
    q.push(5, 1);
    q.push(50_000, 2);
    q.clear();
    expect(q.size).toBe(0);
    expect(q.pop()).toBeUndefined();
    q.push(7, 3);
    expect(q.pop()).toBe(3);
  });
});
