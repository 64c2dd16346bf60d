import type { Command, Entry } from '../src/raft/types.ts';

/**
 * Ghost state: what the checkers remember of entries after every log has compacted them away
 * (paper §7 deletes the evidence). Per index a few 32-bit numbers, never the entry itself, so that
 * the checkers' memory grows by a fixed number of bytes per index while the logs stay bounded; the
 * last RECENT entries are kept whole as well, for exact comparisons and for reports.
 */

/** Indexes past this go to a map: a log never grows that long in a run, but a test may name one. */
const DENSE_MAX = 1 << 26;

/** A column of 32-bit integers indexed from 0 (0 where never set), growing by doubling. */
export class IntColumn {
  private data = new Int32Array(1024);
  private sparse: Map<number, number> | null = null;

  get(i: number): number {
    if (i < this.data.length) return this.data[i]!;
    if (i < DENSE_MAX || this.sparse === null) return 0;
    return this.sparse.get(i) ?? 0;
  }

  set(i: number, value: number): void {
    if (i >= DENSE_MAX) {
      if (this.sparse === null) this.sparse = new Map();
      this.sparse.set(i, value | 0);
      return;
    }
    if (i >= this.data.length) {
      let size = this.data.length * 2;
      while (size <= i) size *= 2;
      const grown = new Int32Array(size);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[i] = value;
  }
}

/** FNV-1a over a string, continuing from `h`. */
function fnv(h: number, text: string): number {
  let x = h;
  for (let i = 0; i < text.length; i++) {
    x ^= text.charCodeAt(i);
    x = Math.imul(x, 0x01000193);
  }
  return x;
}

const FNV_OFFSET = 0x811c9dc5 | 0;

/**
 * A 32-bit hash of a command: equal commands hash equal; different ones collide with chance
 * 2^-32 per comparison, which would hide one violation, never invent one.
 */
export function commandHash(c: Command): number {
  switch (c.kind) {
    case 'noop':
      return fnv(FNV_OFFSET, 'n');
    case 'config': {
      const m = c.membership;
      return fnv(FNV_OFFSET, `c${m.voters.join(',')}|${m.outgoing.join(',')}|${m.learners.join(',')}`);
    }
    case 'kv': {
      const op = c.op;
      let h = fnv(FNV_OFFSET, `k${c.clientId}:${c.seq}:${op.type}:`);
      h = fnv(h, op.key);
      if (op.type !== 'get') h = fnv(fnv(h, '\u0000'), op.value);
      if (op.type === 'cas') h = fnv(fnv(h, '\u0001'), op.expected);
      return h;
    }
  }
}

/** How many of the latest indexes keep their whole entry. */
export const RECENT = 4096;

/** The whole entries of the latest RECENT indexes written, by index modulo RECENT. */
export class RecentEntries {
  private readonly index = new Float64Array(RECENT).fill(-1);
  private readonly entry: (Entry | undefined)[] = new Array(RECENT).fill(undefined);

  set(i: number, e: Entry): void {
    const slot = i % RECENT;
    this.index[slot] = i;
    this.entry[slot] = e;
  }

  /** The entry kept for index i, or undefined once a later index took its slot. */
  get(i: number): Entry | undefined {
    const slot = i % RECENT;
    return this.index[slot] === i ? this.entry[slot] : undefined;
  }
}
