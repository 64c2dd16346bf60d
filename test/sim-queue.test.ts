import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../sim/engine/queue.ts';

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

  it('drops references to popped items so that they can be collected, on the wheel and in the heap', () => {
    const q = new EventQueue<object>();
    // Times near now go to the wheel; times far ahead (a minute and more) to the heap.
    for (let i = 0; i < 10; i++) q.push(i, { i });
    for (let i = 0; i < 10; i++) q.push(60_000 + 1000 * i, { i });
    const inside = q as unknown as { items: unknown[]; heapItems: unknown[] };
    const held = (list: unknown[]) => list.filter((x) => x !== undefined).length;
    // Both sides are in use, so that the check below looks at each.
    expect(held(inside.items)).toBeGreaterThan(0);
    expect(held(inside.heapItems)).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) expect(q.pop()).toBeDefined();
    expect(held(inside.items)).toBe(0);
    expect(held(inside.heapItems)).toBe(0);
  });

  it('clear drops every reference it held, on the wheel and in the heap', () => {
    const q = new EventQueue<object>();
    for (let i = 0; i < 10; i++) q.push(i, { i });
    for (let i = 0; i < 10; i++) q.push(60_000 + 1000 * i, { i });
    q.clear();
    const inside = q as unknown as { items: unknown[]; heapItems: unknown[] };
    expect(inside.items.filter((x) => x !== undefined)).toEqual([]);
    expect(inside.heapItems.filter((x) => x !== undefined)).toEqual([]);
    expect(q.size).toBe(0);
  });
});
