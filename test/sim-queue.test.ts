import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../sim/queue.ts';

describe('EventQueue', () => {
  it('pops by time, and in insertion order among equal times', () => {
    const q = new EventQueue<string>();
    q.push(5, 'a');
    q.push(1, 'b');
    q.push(5, 'c');
    q.push(3, 'd');
    q.push(1, 'e');
    q.push(5, 'f');
    const out: string[] = [];
    const times: number[] = [];
    for (let item = q.pop(); item !== undefined; item = q.pop()) {
      out.push(item);
      times.push(q.poppedTimeMs);
    }
    expect(out).toEqual(['b', 'e', 'd', 'a', 'c', 'f']);
    expect(times).toEqual([1, 1, 3, 5, 5, 5]);
    expect(q.size).toBe(0);
    expect(q.peekTimeMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('agrees with a stable sort under any interleaving of pushes and pops', () => {
    const action = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 20 }) }), fc.constant({ pop: true }));
    fc.assert(
      fc.property(fc.array(action, { maxLength: 300 }), (actions) => {
        const q = new EventQueue<number>();
        // Reference: a list of [time, seq] kept sorted by a stable sort on time.
        let ref: [number, number][] = [];
        let seq = 0;
        for (const a of actions) {
          if ('push' in a) {
            q.push(a.push, seq);
            ref.push([a.push, seq]);
            seq++;
            ref = ref.slice().sort((x, y) => x[0] - y[0]);
          } else {
            const expected = ref.shift();
            const got = q.pop();
            if (expected === undefined) {
              expect(got).toBeUndefined();
            } else {
              expect(got).toBe(expected[1]);
              expect(q.poppedTimeMs).toBe(expected[0]);
            }
          }
          expect(q.size).toBe(ref.length);
          expect(q.peekTimeMs()).toBe(ref[0]?.[0] ?? Number.POSITIVE_INFINITY);
        }
      }),
    );
  });

  it('drops references to popped items so that they can be collected', () => {
    const q = new EventQueue<object>();
    for (let i = 0; i < 10; i++) q.push(i, { i });
    for (let i = 0; i < 10; i++) q.pop();
    const items = (q as unknown as { items: unknown[] }).items;
    expect(items.every((x) => x === undefined)).toBe(true);
  });
});
