/**
 * The simulator's event queue: a binary min-heap ordered by (timeMs, seq), where seq is the
 * insertion counter. Equal times therefore pop in insertion order, which is what makes a run
 * reproducible: no tie is ever broken by anything but the order in which events were scheduled.
 *
 * Parallel arrays instead of entry objects: a push or pop allocates nothing (the arrays grow
 * once to the high-water mark and stay there).
 */
export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: (T | undefined)[] = [];
  private count = 0;
  private nextSeq = 0;
  /** Time of the item most recently returned by `pop`. */
  poppedTimeMs = 0;

  get size(): number {
    return this.count;
  }

  /** Total number of pushes so far; also the seq the next push will get. */
  get pushed(): number {
    return this.nextSeq;
  }

  push(timeMs: number, item: T): void {
    const seq = this.nextSeq++;
    let i = this.count++;
    // Sift up: move parents down until the slot for the new entry is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.times[parent]!;
      if (pt < timeMs || (pt === timeMs && this.seqs[parent]! < seq)) break;
      this.times[i] = pt;
      this.seqs[i] = this.seqs[parent]!;
      this.items[i] = this.items[parent];
      i = parent;
    }
    this.times[i] = timeMs;
    this.seqs[i] = seq;
    this.items[i] = item;
  }

  /** Time of the earliest item; Infinity when empty. */
  peekTimeMs(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** Removes and returns the earliest item (its time is left in `poppedTimeMs`); undefined when empty. */
  pop(): T | undefined {
    if (this.count === 0) return undefined;
    const top = this.items[0];
    this.poppedTimeMs = this.times[0]!;
    const last = --this.count;
    const t = this.times[last]!;
    const s = this.seqs[last]!;
    const item = this.items[last];
    this.items[last] = undefined; // let the event be collected
    if (last > 0) {
      // Sift the former last entry down from the root.
      let i = 0;
      const half = last >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        let ct = this.times[child]!;
        let cs = this.seqs[child]!;
        const right = child + 1;
        if (right < last) {
          const rt = this.times[right]!;
          const rs = this.seqs[right]!;
          if (rt < ct || (rt === ct && rs < cs)) {
            child = right;
            ct = rt;
            cs = rs;
          }
        }
        if (t < ct || (t === ct && s < cs)) break;
        this.times[i] = ct;
        this.seqs[i] = cs;
        this.items[i] = this.items[child];
        i = child;
      }
      this.times[i] = t;
      this.seqs[i] = s;
      this.items[i] = item;
    }
    return top;
  }

  clear(): void {
    for (let i = 0; i < this.count; i++) this.items[i] = undefined;
    this.count = 0;
  }
}
