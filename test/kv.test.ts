import { describe, expect, it } from 'vitest';
import { applyKvOp, KvStore } from '../src/raft/kv.ts';
import type { Command, KvOp } from '../src/raft/types.ts';

const kv = (clientId: number, seq: number, op: KvOp): Command => ({ kind: 'kv', clientId, seq, op });
const get = (key: string): KvOp => ({ type: 'get', key });
const put = (key: string, value: string): KvOp => ({ type: 'put', key, value });
const append = (key: string, value: string): KvOp => ({ type: 'append', key, value });
const cas = (key: string, expected: string, value: string): KvOp => ({ type: 'cas', key, expected, value });

describe('applyKvOp: the key-value model', () => {
  it.each([
    { before: null, op: get('k'), after: null, result: { type: 'get', value: null } },
    { before: 'a', op: get('k'), after: 'a', result: { type: 'get', value: 'a' } },
    { before: null, op: put('k', 'x'), after: 'x', result: { type: 'put' } },
    { before: 'a', op: put('k', 'x'), after: 'x', result: { type: 'put' } },
    { before: null, op: append('k', 'x'), after: 'x', result: { type: 'append' } },
    { before: 'a', op: append('k', 'x'), after: 'ax', result: { type: 'append' } },
    { before: 'a', op: cas('k', 'a', 'b'), after: 'b', result: { type: 'cas', ok: true } },
    { before: 'a', op: cas('k', 'z', 'b'), after: 'a', result: { type: 'cas', ok: false } },
    { before: null, op: cas('k', '', 'b'), after: 'b', result: { type: 'cas', ok: true } },
    { before: null, op: cas('k', 'a', 'b'), after: null, result: { type: 'cas', ok: false } },
    { before: '', op: cas('k', '', 'b'), after: 'b', result: { type: 'cas', ok: true } },
  ] as const)('$op.type on $before', ({ before, op, after, result }) => {
    const step = applyKvOp(before, op);
    expect(step.value).toBe(after);
    expect(step.result).toEqual(result);
  });
});

describe('KvStore', () => {
  it('applies operations across keys and ignores no-ops', () => {
    const s = new KvStore();
    expect(s.apply({ kind: 'noop' })).toBeNull();
    expect(s.apply(kv(1, 1, put('a', '1')))).toEqual({ type: 'put' });
    expect(s.apply(kv(1, 2, append('a', '2')))).toEqual({ type: 'append' });
    expect(s.apply(kv(2, 1, append('b', 'x')))).toEqual({ type: 'append' });
    expect(s.apply(kv(2, 2, cas('b', 'x', 'y')))).toEqual({ type: 'cas', ok: true });
    expect(s.apply(kv(2, 3, get('a')))).toEqual({ type: 'get', value: '12' });
    expect(s.get('a')).toBe('12');
    expect(s.get('b')).toBe('y');
    expect(s.get('missing')).toBeNull();
    expect([...s.snapshot()]).toEqual([
      ['a', '12'],
      ['b', 'y'],
    ]);
  });

  it('applies a retried request once and answers it with the remembered result', () => {
    const s = new KvStore();
    const first = s.apply(kv(7, 1, append('k', 'x')));
    // The retry is in the log too (the client re-sent it to a new leader): not applied again.
    expect(s.apply(kv(7, 1, append('k', 'x')))).toBe(first);
    expect(s.get('k')).toBe('x');
    // The same holds for a cas whose second execution would have given a different answer.
    expect(s.apply(kv(7, 2, cas('k', 'x', 'y')))).toEqual({ type: 'cas', ok: true });
    expect(s.apply(kv(7, 2, cas('k', 'x', 'y')))).toEqual({ type: 'cas', ok: true });
    expect(s.get('k')).toBe('y');
    expect(s.lastSeq(7)).toBe(2);
  });

  it("does not re-execute a request older than the client's latest", () => {
    const s = new KvStore();
    s.apply(kv(3, 1, append('k', 'a')));
    s.apply(kv(3, 2, append('k', 'b')));
    expect(s.apply(kv(3, 1, append('k', 'a')))).toBeNull();
    expect(s.get('k')).toBe('ab');
  });

  it('keeps clients apart', () => {
    const s = new KvStore();
    s.apply(kv(1, 1, append('k', 'a')));
    s.apply(kv(2, 1, append('k', 'b')));
    expect(s.get('k')).toBe('ab');
  });

  it('clones independently, sessions included', () => {
    const s = new KvStore();
    s.apply(kv(1, 1, put('k', 'a')));
    const c = s.clone();
    s.apply(kv(1, 2, put('k', 'b')));
    expect(c.get('k')).toBe('a');
    expect(c.lastSeq(1)).toBe(1);
    expect(c.apply(kv(1, 1, put('k', 'zzz')))).toEqual({ type: 'put' });
    expect(c.get('k')).toBe('a');
  });
});
