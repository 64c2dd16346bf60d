/**
 * The simulator's event queue, ordered by (timeMs, seq), where seq is the insertion counter.
 * Equal times therefore pop in insertion order, which is what makes a run reproducible: no tie is
 * ever broken by anything but the order in which events were scheduled.
 *
 * Two structures share that one order:
 * - A timing wheel for integer times within WHEEL_MS of the wheel's base: one FIFO list per
 *   millisecond. Almost every event lands here (message delays, client timeouts and deadlines are
 *   all a few seconds at most), and a push or pop is O(1): within a millisecond, FIFO order is
 *   insertion order, so no comparison is needed. The lists are threaded through parallel arrays of
 *   slots (a free list recycles them), so a push or pop allocates nothing once the arrays have
 *   grown to the high-water mark.
 * - A binary min-heap for everything else: times far ahead (the fault schedule, pushed at the
 *   start), times behind the base (only tests do that), and non-integer times.
 * `pop` takes the smaller (time, seq) of the two fronts, so the split is invisible from outside.
 */
const WHEEL_BITS = 13;
/** Span of the wheel in ms: a power of two, larger than every delay a default run schedules. */
const WHEEL_MS = 1 << WHEEL_BITS;
const WHEEL_MASK = WHEEL_MS - 1;
const NO_SLOT = -1;

export class EventQueue<T> {
  // Wheel: bucket b holds the events of the one time in [baseMs, baseMs + WHEEL_MS) that is
  // congruent to b modulo WHEEL_MS, as a singly linked list of slots, oldest first.
  private readonly bucketHead = new Int32Array(WHEEL_MS).fill(NO_SLOT);
  private readonly bucketTail = new Int32Array(WHEEL_MS).fill(NO_SLOT);
  /** The event in each slot (undefined once popped, so that it can be collected). */
  private readonly items: (T | undefined)[] = [];
  private readonly slotSeq: number[] = [];
  private readonly slotNext: number[] = [];
  private freeSlot = NO_SLOT;
  private wheelCount = 0;
  /** Every wheel event's time is in [baseMs, baseMs + WHEEL_MS); no wheel event is earlier than baseMs. */
  private baseMs = 0;

  // Heap: parallel arrays ordered by (time, seq).
  private readonly heapTimes: number[] = [];
  private readonly heapSeqs: number[] = [];
  private readonly heapItems: (T | undefined)[] = [];
  private heapCount = 0;

  private nextSeq = 0;
  /** Time of the item most recently returned by `pop`. */
  poppedTimeMs = 0;

  get size(): number {
    return this.wheelCount + this.heapCount;
  }

  /** Total number of pushes so far; also the seq the next push will get. */
  get pushed(): number {
    return this.nextSeq;
  }

  push(timeMs: number, item: T): void {
    const seq = this.nextSeq++;
    if (this.wheelCount === 0) this.rebase(timeMs);
    const offset = timeMs - this.baseMs;
    // `offset >>> 0 === offset` holds exactly for integers in [0, 2^32): integer times only.
    if (offset >>> 0 === offset && offset < WHEEL_MS) {
      this.pushWheel(timeMs & WHEEL_MASK, seq, item);
    } else {
      this.pushHeap(timeMs, seq, item);
    }
  }

  /** Time of the earliest item; Infinity when empty. */
  peekTimeMs(): number {
    const wheelMs = this.wheelFrontMs();
    if (this.heapCount === 0) return wheelMs;
    const heapMs = this.heapTimes[0]!;
    return heapMs < wheelMs ? heapMs : wheelMs;
  }

  /** Removes and returns the earliest item (its time is left in `poppedTimeMs`); undefined when empty. */
  pop(): T | undefined {
    if (this.wheelCount === 0) {
      if (this.heapCount === 0) return undefined;
      this.poppedTimeMs = this.heapTimes[0]!;
      return this.popHeap();
    }
    const wheelMs = this.wheelFrontMs();
    if (this.heapCount > 0) {
      const heapMs = this.heapTimes[0]!;
      if (
        heapMs < wheelMs ||
        (heapMs === wheelMs && this.heapSeqs[0]! < this.slotSeq[this.bucketHead[wheelMs & WHEEL_MASK]!]!)
      ) {
        this.poppedTimeMs = heapMs;
        return this.popHeap();
      }
    }
    this.poppedTimeMs = wheelMs;
    return this.popWheel(wheelMs & WHEEL_MASK);
  }

  clear(): void {
    this.items.length = 0;
    this.slotSeq.length = 0;
    this.slotNext.length = 0;
    this.freeSlot = NO_SLOT;
    this.bucketHead.fill(NO_SLOT);
    this.bucketTail.fill(NO_SLOT);
    this.wheelCount = 0;
    for (let i = 0; i < this.heapCount; i++) this.heapItems[i] = undefined;
    this.heapCount = 0;
  }

  // ------------------------------------------------------------------------------------------
  // Wheel

  /**
   * With the wheel empty, its base may move anywhere: to the last popped time when the new item is
   * not behind it (the simulator's case: it schedules from "now" onwards), else to the item itself.
   */
  private rebase(timeMs: number): void {
    const now = this.poppedTimeMs;
    if (timeMs >= now && Number.isSafeInteger(now)) this.baseMs = now;
    else if (Number.isSafeInteger(timeMs)) this.baseMs = timeMs;
  }

  /** Time of the earliest wheel event (Infinity when none); moves the base up to it. */
  private wheelFrontMs(): number {
    if (this.wheelCount === 0) return Number.POSITIVE_INFINITY;
    let t = this.baseMs;
    let b = t & WHEEL_MASK;
    const head = this.bucketHead;
    // Terminates: some bucket is non-empty, and all of them lie within one turn of the base.
    while (head[b] === NO_SLOT) {
      t++;
      b = (b + 1) & WHEEL_MASK;
    }
    // Nothing is earlier than t now, and the span [t, t + WHEEL_MS) still covers every event.
    this.baseMs = t;
    return t;
  }

  private pushWheel(bucket: number, seq: number, item: T): void {
    let slot = this.freeSlot;
    if (slot === NO_SLOT) {
      slot = this.items.length;
      this.items.push(item);
      this.slotSeq.push(seq);
      this.slotNext.push(NO_SLOT);
    } else {
      this.freeSlot = this.slotNext[slot]!;
      this.items[slot] = item;
      this.slotSeq[slot] = seq;
      this.slotNext[slot] = NO_SLOT;
    }
    const tail = this.bucketTail[bucket]!;
    if (tail === NO_SLOT) this.bucketHead[bucket] = slot;
    else this.slotNext[tail] = slot;
    this.bucketTail[bucket] = slot;
    this.wheelCount++;
  }

  private popWheel(bucket: number): T | undefined {
    const slot = this.bucketHead[bucket]!;
    const next = this.slotNext[slot]!;
    this.bucketHead[bucket] = next;
    if (next === NO_SLOT) this.bucketTail[bucket] = NO_SLOT;
    const item = this.items[slot];
    this.items[slot] = undefined; // let the event be collected
    this.slotNext[slot] = this.freeSlot;
    this.freeSlot = slot;
    this.wheelCount--;
    return item;
  }

  // ------------------------------------------------------------------------------------------
  // Heap

  private pushHeap(timeMs: number, seq: number, item: T): void {
    const times = this.heapTimes;
    const seqs = this.heapSeqs;
    const items = this.heapItems;
    let i = this.heapCount++;
    // Sift up: move parents down until the slot for the new entry is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < timeMs || (pt === timeMs && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      items[i] = items[parent];
      i = parent;
    }
    times[i] = timeMs;
    seqs[i] = seq;
    items[i] = item;
  }

  private popHeap(): T | undefined {
    const times = this.heapTimes;
    const seqs = this.heapSeqs;
    const items = this.heapItems;
    const top = items[0];
    const last = --this.heapCount;
    const t = times[last]!;
    const s = seqs[last]!;
    const item = items[last];
    items[last] = undefined; // let the event be collected
    if (last > 0) {
      // Sift the former last entry down from the root.
      let i = 0;
      const half = last >> 1;
      while (i < half) {
        let child = 2 * i + 1;
        let ct = times[child]!;
        let cs = seqs[child]!;
        const right = child + 1;
        if (right < last) {
          const rt = times[right]!;
          const rs = seqs[right]!;
          if (rt < ct || (rt === ct && rs < cs)) {
            child = right;
            ct = rt;
            cs = rs;
          }
        }
        if (t < ct || (t === ct && s < cs)) break;
        times[i] = ct;
        seqs[i] = cs;
        items[i] = items[child];
        i = child;
      }
      times[i] = t;
      seqs[i] = s;
      items[i] = item;
    }
    return top;
  }
}
