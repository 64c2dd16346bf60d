import { describe, expect, it } from 'vitest';
import { NodeStorage } from '../sim/engine/storage.ts';
import { KvStore } from '../src/raft/kv.ts';
import type { Entry, Ready } from '../src/raft/types.ts';

const put = (seq: number, value: string, term = 1): Entry => ({
  term,
  command: { kind: 'kv', clientId: 1, seq, op: { type: 'put', key: 'k', value } },
});
const write = (fromIndex: number, entries: Entry[], term?: number): Ready => ({
  hardState: term === undefined ? null : { currentTerm: term, votedFor: 2 },
  logWrite: { fromIndex, entries },
  messages: [],
  firstApplyIndex: 0,
  toApply: [],
});

describe('NodeStorage', () => {
  it('truncates at fromIndex and appends, keeping the hard state', () => {
    const s = new NodeStorage(new KvStore());
    s.persist(write(1, [put(1, 'a'), put(2, 'b'), put(3, 'c')], 1));
    s.persist(write(2, [put(4, 'x', 2)], 2));
    expect(s.log.map((e) => e.term)).toEqual([1, 2]);
    expect(s.hardState).toEqual({ currentTerm: 2, votedFor: 2 });
    expect(s.termAt(0)).toBe(0);
    expect(s.termAt(2)).toBe(2);
    expect(s.termAt(3)).toBeUndefined();
  });

  it('refuses a write that would leave a gap', () => {
    const s = new NodeStorage(new KvStore());
    expect(() => s.persist(write(3, [put(1, 'a')]))).toThrow(/gap/);
  });

  it('applies in index order to the durable state machine', () => {
    const s = new NodeStorage(new KvStore());
    s.persist(write(1, [put(1, 'a'), put(2, 'b')]));
    expect(s.apply(1, s.log[0]!)).toEqual({ type: 'put' });
    expect(() => s.apply(3, s.log[1]!)).toThrow(/applying index 3 after 1/);
    s.apply(2, s.log[1]!);
    expect(s.lastApplied).toBe(2);
    expect(s.stateMachine.get('k')).toBe('b');
  });

  it('hands a restarting node a copy of the log, so later writes do not reach it', () => {
    const s = new NodeStorage(new KvStore());
    s.persist(write(1, [put(1, 'a')], 3));
    const durable = s.durableState();
    s.persist(write(2, [put(2, 'b')]));
    expect(durable.log).toHaveLength(1);
    expect(durable.hardState.currentTerm).toBe(3);
    expect(s.log).toHaveLength(2);
  });
});
