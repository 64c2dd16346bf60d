import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryOp } from '../properties/history.ts';
import type { LinResult } from '../properties/linearizability.ts';
import { checkLinearizability } from '../properties/linearizability.ts';
import { applyKvOp } from '../src/raft/kv.ts';
import type { KvOp, KvResult } from '../src/raft/types.ts';

// ---------------------------------------------------------------------------------------------
// Hand-made histories. Times are [invokeMs, returnMs]; `pending` ops never returned.

class H {
  readonly ops: HistoryOp[] = [];

  private add(client: number, op: KvOp, span: [number, number] | number, result: KvResult | null): HistoryOp {
    const o: HistoryOp =
      typeof span === 'number'
        ? { id: this.ops.length, client, op, invokeMs: span, returnMs: null, result: null, status: 'info' }
        : { id: this.ops.length, client, op, invokeMs: span[0], returnMs: span[1], result, status: 'ok' };
    this.ops.push(o);
    return o;
  }

  get(span: [number, number], value: string | null, key = 'x', client = 1): HistoryOp {
    return this.add(client, { type: 'get', key }, span, { type: 'get', value });
  }
  put(span: [number, number] | number, value: string, key = 'x', client = 2): HistoryOp {
    return this.add(client, { type: 'put', key, value }, span, { type: 'put' });
  }
  append(span: [number, number] | number, value: string, key = 'x', client = 3): HistoryOp {
    return this.add(client, { type: 'append', key, value }, span, { type: 'append' });
  }
  cas(
    span: [number, number] | number,
    expected: string,
    value: string,
    ok: boolean,
    key = 'x',
    client = 4,
  ): HistoryOp {
    return this.add(client, { type: 'cas', key, expected, value }, span, { type: 'cas', ok });
  }
  /** Marks an op as definitely failed: it did not happen. */
  fail(o: HistoryOp): HistoryOp {
    o.status = 'fail';
    o.result = null;
    return o;
  }
}

function verdict(ops: HistoryOp[]): LinResult['verdict'] {
  return checkLinearizability(ops).verdict;
}

function violation(ops: HistoryOp[]) {
  const r = checkLinearizability(ops);
  if (r.verdict !== 'violation') throw new Error(`expected a violation, got ${JSON.stringify(r)}`);
  return r.witness;
}

describe('checkLinearizability: hand-made histories', () => {
  it('accepts reads concurrent with a put seeing either value', () => {
    const h = new H();
    h.put([0, 10], 'a');
    h.get([2, 5], 'a');
    h.get([3, 12], '');
    expect(verdict(h.ops)).toBe('ok');
  });

  it('rejects a read that sees the old value after it saw the new one', () => {
    const h = new H();
    h.put([0, 10], 'a');
    h.get([1, 2], 'a');
    const stale = h.get([3, 4], '');
    const w = violation(h.ops);
    expect(w.key).toBe('x');
    expect(w.op).toBe(stale);
    expect(w.message).toContain(`op #${stale.id}`);
  });

  it('rejects a stale read, naming the read and the prefix in linearization order', () => {
    const h = new H();
    const put = h.put([0, 1], 'a');
    const app = h.append([2, 3], 'b');
    const stale = h.get([4, 5], 'a');
    const w = violation(h.ops);
    expect(w.op).toBe(stale);
    expect(w.prefix).toEqual([put, app]);
    expect(w.valueAfterPrefix).toBe('ab');
  });

  it('reads a missing key as the empty string, whether reported as null or ""', () => {
    const h = new H();
    h.get([0, 1], null);
    h.get([2, 3], '');
    h.put([4, 5], '');
    h.get([6, 7], null);
    expect(verdict(h.ops)).toBe('ok');
  });

  it('lets a pending write take effect long after its invocation', () => {
    const h = new H();
    h.put(0, 'a');
    h.get([10, 11], '');
    h.get([20, 21], 'a');
    h.get([30, 31], 'a');
    expect(verdict(h.ops)).toBe('ok');
  });

  it('lets a pending write never take effect', () => {
    const h = new H();
    h.put(0, 'a');
    h.append(1, 'b');
    h.get([10, 11], '');
    h.get([20, 21], '');
    expect(verdict(h.ops)).toBe('ok');
  });

  it('does not let a pending write take effect before its invocation, or be undone', () => {
    const early = new H();
    early.get([0, 1], 'a');
    early.put(5, 'a');
    expect(verdict(early.ops)).toBe('violation');

    const undone = new H();
    undone.put(0, 'a');
    undone.get([10, 11], 'a');
    undone.get([20, 21], '');
    expect(verdict(undone.ops)).toBe('violation');
  });

  it('ignores failed ops: they did not happen', () => {
    const ignored = new H();
    ignored.fail(ignored.put([0, 1], 'a'));
    ignored.get([2, 3], '');
    expect(verdict(ignored.ops)).toBe('ok');

    const seen = new H();
    seen.fail(seen.put([0, 1], 'a'));
    seen.get([2, 3], 'a');
    expect(verdict(seen.ops)).toBe('violation');
  });

  it('checks cas: success iff the value is the expected one, absent counting as ""', () => {
    const ok = new H();
    ok.cas([0, 1], '', 'a', true);
    ok.cas([2, 3], 'a', 'b', true);
    ok.cas([4, 5], 'a', 'c', false);
    ok.get([6, 7], 'b');
    expect(verdict(ok.ops)).toBe('ok');

    const wrongSuccess = new H();
    wrongSuccess.put([0, 1], 'a');
    wrongSuccess.cas([2, 3], 'b', 'c', true);
    expect(verdict(wrongSuccess.ops)).toBe('violation');

    const wrongFailure = new H();
    wrongFailure.put([0, 1], 'a');
    wrongFailure.cas([2, 3], 'a', 'c', false);
    expect(verdict(wrongFailure.ops)).toBe('violation');
  });

  it('lets a pending cas succeed or not, as the value at its point decides', () => {
    const took = new H();
    took.put([0, 1], 'a');
    took.cas(2, 'a', 'b', false);
    took.get([10, 11], 'b');
    expect(verdict(took.ops)).toBe('ok');

    const cannot = new H();
    cannot.put([0, 1], 'z');
    cannot.cas(2, 'a', 'b', false);
    cannot.get([10, 11], 'b');
    expect(verdict(cannot.ops)).toBe('violation');
  });

  it('concatenates appends in linearization order, with no separator', () => {
    const sequential = new H();
    sequential.append([0, 1], 'x');
    sequential.append([2, 3], 'y');
    sequential.get([4, 5], 'xy');
    expect(verdict(sequential.ops)).toBe('ok');

    const reversed = new H();
    reversed.append([0, 1], 'x');
    reversed.append([2, 3], 'y');
    reversed.get([4, 5], 'yx');
    expect(verdict(reversed.ops)).toBe('violation');

    const concurrent = new H();
    concurrent.append([0, 10], 'x');
    concurrent.append([0, 10], 'y');
    concurrent.get([11, 12], 'yx');
    expect(verdict(concurrent.ops)).toBe('ok');
  });

  it('treats a return and an invocation at the same instant as concurrent', () => {
    const h = new H();
    h.put([0, 5], 'a');
    h.get([5, 6], '');
    expect(verdict(h.ops)).toBe('ok');
    h.get([7, 8], '');
    expect(verdict(h.ops)).toBe('violation');
  });

  it('checks keys independently and names the key that fails', () => {
    const h = new H();
    h.put([0, 1], 'a', 'k1');
    h.get([2, 3], 'a', 'k2');
    h.get([2, 3], 'a', 'k1');
    const w = violation(h.ops);
    expect(w.key).toBe('k2');
  });

  it('accepts a History object as well as an array, and an empty history', () => {
    const h = new H();
    h.put([0, 1], 'a');
    h.get([2, 3], 'a');
    expect(checkLinearizability({ version: 1, ops: h.ops }).verdict).toBe('ok');
    expect(checkLinearizability([])).toEqual({ verdict: 'ok', steps: 0 });
  });

  it('rejects malformed ops with an assertion (a bug in the recorder)', () => {
    const h = new H();
    const o = h.get([5, 3], 'a');
    expect(() => checkLinearizability(h.ops)).toThrow(/returns \(3\) before its invocation/);
    o.returnMs = 6;
    h.ops.push({ ...o });
    expect(() => checkLinearizability(h.ops)).toThrow(/id 0 is used twice/);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated histories.

type Plan = {
  client: number;
  kind: 'get' | 'put' | 'append' | 'cas';
  key: number;
  thinkMs: number;
  toPointMs: number;
  toReturnMs: number;
  fate: 'ok' | 'info-applied' | 'info-lost' | 'fail';
  casHit: boolean;
};

const planArb: fc.Arbitrary<Plan> = fc.record({
  client: fc.integer({ min: 0, max: 5 }),
  kind: fc.constantFrom('get', 'get', 'put', 'append', 'append', 'cas'),
  key: fc.integer({ min: 0, max: 2 }),
  thinkMs: fc.integer({ min: 0, max: 6 }),
  toPointMs: fc.integer({ min: 0, max: 8 }),
  toReturnMs: fc.integer({ min: 0, max: 8 }),
  fate: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'info-applied', 'info-lost', 'fail'),
  casHit: fc.boolean(),
});

/**
 * A linearizable history: each op gets a linearization point inside [invoke, return], and its
 * result is what one sequential store answers when the ops are applied in the order of those
 * points. Clients run one op at a time.
 */
function buildHistory(plans: readonly Plan[]): HistoryOp[] {
  const clientFreeMs = new Map<number, number>();
  const pointMs: number[] = [];
  const ops: HistoryOp[] = plans.map((p, id) => {
    const invokeMs = (clientFreeMs.get(p.client) ?? 0) + p.thinkMs;
    const point = invokeMs + p.toPointMs;
    const returnMs = point + p.toReturnMs;
    clientFreeMs.set(p.client, returnMs + 1);
    pointMs.push(point);
    const key = `k${p.key}`;
    const value = `${id};`;
    const op: KvOp =
      p.kind === 'get'
        ? { type: 'get', key }
        : p.kind === 'cas'
          ? { type: 'cas', key, expected: '', value }
          : { type: p.kind, key, value };
    const status = p.fate === 'ok' ? 'ok' : p.fate === 'fail' ? 'fail' : 'info';
    return {
      id,
      client: p.client,
      op,
      invokeMs,
      returnMs: status === 'info' ? null : returnMs,
      result: null,
      status,
    };
  });
  const order = ops.map((_, i) => i).sort((a, b) => pointMs[a]! - pointMs[b]! || a - b);
  const store = new Map<string, string>();
  for (const i of order) {
    const o = ops[i]!;
    const plan = plans[i]!;
    if (plan.fate === 'fail' || plan.fate === 'info-lost') continue;
    const current = store.get(o.op.key) ?? '';
    if (o.op.type === 'cas') o.op = { ...o.op, expected: plan.casHit ? current : `${current}?` };
    const step = applyKvOp(current, o.op);
    store.set(o.op.key, step.value ?? '');
    const result: KvResult = step.result;
    if (o.status === 'ok') o.result = result;
  }
  return ops;
}

describe('checkLinearizability: generated histories', () => {
  it('accepts every history built from a sequential execution', () => {
    fc.assert(
      fc.property(fc.array(planArb, { minLength: 1, maxLength: 60 }), (plans) => {
        const r = checkLinearizability(buildHistory(plans));
        expect(r.verdict).toBe('ok');
      }),
      { numRuns: 400 },
    );
  });

  it('rejects such a history once one read returns a value never written, naming that read', () => {
    fc.assert(
      fc.property(fc.array(planArb, { minLength: 1, maxLength: 60 }), fc.nat(), (plans, pick) => {
        const ops = buildHistory(plans);
        const reads = ops.filter((o) => o.status === 'ok' && o.op.type === 'get');
        fc.pre(reads.length > 0);
        const corrupted = reads[pick % reads.length]!;
        corrupted.result = { type: 'get', value: 'never written' };
        const r = checkLinearizability(ops);
        expect(r.verdict).toBe('violation');
        if (r.verdict !== 'violation') return;
        expect(r.witness.op).toBe(corrupted);
        expect(r.witness.key).toBe(corrupted.op.key);
        expect(r.witness.prefix).not.toContain(corrupted);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same result, steps included, on the same input', () => {
    fc.assert(
      fc.property(fc.array(planArb, { minLength: 1, maxLength: 40 }), (plans) => {
        const ops = buildHistory(plans);
        const reads = ops.filter((o) => o.status === 'ok' && o.op.type === 'get');
        if (reads[0] !== undefined) reads[0].result = { type: 'get', value: 'zz' };
        expect(checkLinearizability(ops)).toEqual(checkLinearizability(ops));
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Small random histories, checked against a brute-force search that tries every order.

/** Every order of the ops that real time allows; pending ops may be left out. Exponential: tiny inputs only. */
function bruteForceLinearizable(ops: readonly HistoryOp[]): boolean {
  const live = ops.filter((o) => o.status !== 'fail');
  const placed = new Array<boolean>(live.length).fill(false);
  const mustPrecede = (x: HistoryOp, y: HistoryOp): boolean =>
    x.status === 'ok' && x.returnMs !== null && x.returnMs < y.invokeMs;
  const search = (store: ReadonlyMap<string, string>): boolean => {
    if (live.every((o, i) => placed[i] || o.status !== 'ok')) return true;
    for (const [i, o] of live.entries()) {
      if (placed[i]) continue;
      if (live.some((x, j) => !placed[j] && j !== i && mustPrecede(x, o))) continue;
      const next = applyOp(store, o);
      if (next === null) continue;
      placed[i] = true;
      if (search(next)) return true;
      placed[i] = false;
    }
    return false;
  };
  return search(new Map());
}

function applyOp(store: ReadonlyMap<string, string>, o: HistoryOp): Map<string, string> | null {
  const current = store.get(o.op.key) ?? '';
  const known = o.status === 'ok' ? o.result : null;
  const next = new Map(store);
  switch (o.op.type) {
    case 'get':
      if (known?.type === 'get' && (known.value ?? '') !== current) return null;
      return next;
    case 'put':
      next.set(o.op.key, o.op.value);
      return next;
    case 'append':
      next.set(o.op.key, current + o.op.value);
      return next;
    case 'cas': {
      const hit = current === o.op.expected;
      if (known?.type === 'cas' && known.ok !== hit) return null;
      if (hit) next.set(o.op.key, o.op.value);
      return next;
    }
  }
}

const tinyValue = fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'aa', 'bb');
const tinyOpArb: fc.Arbitrary<Omit<HistoryOp, 'id'>> = fc
  .record({
    client: fc.integer({ min: 0, max: 3 }),
    key: fc.constantFrom('x', 'x', 'x', 'y'),
    kind: fc.constantFrom('get', 'get', 'put', 'append', 'append', 'cas'),
    arg: fc.constantFrom('a', 'b', ''),
    expected: tinyValue,
    read: tinyValue,
    casOk: fc.boolean(),
    invokeMs: fc.integer({ min: 0, max: 12 }),
    durationMs: fc.integer({ min: 0, max: 6 }),
    status: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'info', 'fail'),
  })
  .map((r) => {
    const op: KvOp =
      r.kind === 'get'
        ? { type: 'get', key: r.key }
        : r.kind === 'cas'
          ? { type: 'cas', key: r.key, expected: r.expected, value: r.arg }
          : { type: r.kind, key: r.key, value: r.arg };
    const result: KvResult =
      op.type === 'get'
        ? { type: 'get', value: r.read === '' && r.casOk ? null : r.read }
        : op.type === 'cas'
          ? { type: 'cas', ok: r.casOk }
          : { type: op.type };
    const status = r.status as HistoryOp['status'];
    return {
      client: r.client,
      op,
      invokeMs: r.invokeMs,
      returnMs: status === 'ok' ? r.invokeMs + r.durationMs : null,
      result: status === 'ok' ? result : null,
      status,
    };
  });
const tinyHistoryArb = fc
  .array(tinyOpArb, { minLength: 1, maxLength: 7 })
  .map((ops) => ops.map((o, id): HistoryOp => ({ ...o, id })));

describe('checkLinearizability agrees with a brute-force search', () => {
  it('on small random histories (both verdicts occur)', () => {
    const seen = { ok: 0, violation: 0 };
    fc.assert(
      fc.property(tinyHistoryArb, (ops) => {
        const expected = bruteForceLinearizable(ops) ? 'ok' : 'violation';
        const r = checkLinearizability(ops);
        expect(r.verdict).toBe(expected);
        seen[expected]++;
      }),
      { numRuns: 3000 },
    );
    expect(seen.ok).toBeGreaterThan(300);
    expect(seen.violation).toBeGreaterThan(300);
  });

  it('gives a witness whose prefix is a valid order ending where the op cannot follow', () => {
    fc.assert(
      fc.property(tinyHistoryArb, (ops) => {
        const r = checkLinearizability(ops);
        if (r.verdict !== 'violation') return;
        const w = r.witness;
        const keyOps = ops.filter((o) => o.op.key === w.key);
        expect(keyOps).toContain(w.op);
        expect(w.op.status).toBe('ok');
        let store: Map<string, string> | null = new Map();
        for (const o of w.prefix) {
          expect(o.op.key).toBe(w.key);
          expect(o.status).not.toBe('fail');
          store = applyOp(store, o);
          expect(store).not.toBeNull();
          if (store === null) return;
        }
        expect(store.get(w.key) ?? '').toBe(w.valueAfterPrefix);
        expect(w.prefix).not.toContain(w.op);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('checkLinearizability: search budget', () => {
  it('answers unknown, never a wrong verdict, when the budget runs out', () => {
    fc.assert(
      fc.property(tinyHistoryArb, fc.integer({ min: 0, max: 40 }), (ops, budgetSteps) => {
        const full = checkLinearizability(ops);
        const bounded = checkLinearizability(ops, { budgetSteps });
        expect(bounded.steps).toBeLessThanOrEqual(budgetSteps);
        if (bounded.verdict !== 'unknown') expect(bounded.verdict).toBe(full.verdict);
        // The search is deterministic: one that needed more steps cannot have finished within fewer.
        if (full.verdict === 'ok' && full.steps > budgetSteps) expect(bounded.verdict).toBe('unknown');
      }),
      { numRuns: 1000 },
    );
  });

  it('gives up on a hard history with a tiny budget, and names an undecided key', () => {
    // Eight clients appending concurrently to one key, read back once at the end: many orders to try.
    const h = new H();
    for (let c = 0; c < 8; c++) h.append([0, 100], `${c};`, 'hot', 10 + c);
    h.get([101, 102], '7;6;5;4;3;2;1;0;', 'hot');
    const r = checkLinearizability(h.ops, { budgetSteps: 10 });
    expect(r.verdict).toBe('unknown');
    if (r.verdict === 'unknown') expect(r.reason).toContain('"hot"');
    expect(checkLinearizability(h.ops).verdict).toBe('ok');
  });

  it('interleaves keys, so that a violation on an easy key is found while a hard key is undecided', () => {
    const h = new H();
    // Hard and linearizable: twelve concurrent appends and a read of a late order.
    for (let c = 0; c < 12; c++) h.append([0, 100], `${c};`, 'hard', 10 + c);
    h.get([101, 102], '11;10;9;8;7;6;5;4;3;2;1;0;', 'hard');
    h.get([101, 102], '0;1;2;3;4;5;6;7;8;9;11;10;', 'hard');
    // Easy and broken.
    h.put([0, 1], 'a', 'easy');
    h.get([2, 3], 'b', 'easy');
    const r = checkLinearizability(h.ops, { budgetSteps: 100_000, sliceSteps: 50 });
    expect(r.verdict).toBe('violation');
    if (r.verdict === 'violation') expect(r.witness.key).toBe('easy');
  });
});
