import { describe, expect, it } from 'vitest';
import { NodeStorage, type StateMachines } from '../sim/engine/storage.ts';
import { KvStore } from '../src/raft/kv.ts';
import type { Entry, Ready, Snapshot } from '../src/raft/types.ts';

const kv: StateMachines<KvStore> = { create: () => new KvStore(), restore: (d) => KvStore.decode(d) };
const members = { voters: [1, 2, 3], outgoing: [], learners: [] };
const snapshotReady = (
  snapshot: Snapshot,
  installed: boolean,
  logWrite: Ready['logWrite'] = null,
): Ready => ({
  hardState: null,
  logWrite,
  messages: [],
  firstApplyIndex: 0,
  toApply: [],
  snapshot: { snapshot, installed },
});

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
    const s = new NodeStorage(kv);
    s.persist(write(1, [put(1, 'a'), put(2, 'b'), put(3, 'c')], 1));
    s.persist(write(2, [put(4, 'x', 2)], 2));
    expect(s.log.map((e) => e.term)).toEqual([1, 2]);
    expect(s.hardState).toEqual({ currentTerm: 2, votedFor: 2 });
    expect(s.termAt(0)).toBe(0);
    expect(s.termAt(2)).toBe(2);
    expect(s.termAt(3)).toBeUndefined();
  });

  it('refuses a write that would leave a gap', () => {
    const s = new NodeStorage(kv);
    expect(() => s.persist(write(3, [put(1, 'a')]))).toThrow(/does not fit/);
  });

  it('applies in index order to the durable state machine', () => {
    const s = new NodeStorage(kv);
    s.persist(write(1, [put(1, 'a'), put(2, 'b')]));
    expect(s.apply(1, s.log[0]!)).toEqual({ type: 'put' });
    expect(() => s.apply(3, s.log[1]!)).toThrow(/applying index 3 after 1/);
    s.apply(2, s.log[1]!);
    expect(s.lastApplied).toBe(2);
    expect(s.stateMachine.get('k')).toBe('b');
  });

  it('hands a restarting node a copy of the log, so later writes do not reach it', () => {
    const s = new NodeStorage(kv);
    s.persist(write(1, [put(1, 'a')], 3));
    const durable = s.durableState();
    s.persist(write(2, [put(2, 'b')]));
    expect(durable.log).toHaveLength(1);
    expect(durable.hardState.currentTerm).toBe(3);
    expect(s.log).toHaveLength(2);
  });

  it('a compaction drops the log through its index and keeps what follows', () => {
    const s = new NodeStorage(kv);
    s.persist(write(1, [put(1, 'a'), put(2, 'b'), put(3, 'c', 2)], 2));
    const bytesBefore = s.logBytes;
    s.persist(snapshotReady({ index: 2, term: 1, membership: members, data: 'x' }, false));
    expect(s.snapshotIndex).toBe(2);
    expect(s.lastIndex).toBe(3);
    expect(s.termAt(2)).toBe(1);
    expect(s.termAt(1)).toBeUndefined();
    expect(s.termAt(3)).toBe(2);
    expect(s.logBytes).toBeLessThan(bytesBefore);
    expect(s.snapshotBytes).toBe(1);
    expect(s.latestConfig()).toEqual(members);
  });

  it('an installed snapshot that does not match the log replaces it and resets the state machine', () => {
    const s = new NodeStorage(kv);
    s.persist(write(1, [put(1, 'a'), put(2, 'b')], 1));
    s.apply(1, s.log[0]!);
    const leader = new KvStore();
    leader.apply({ kind: 'kv', clientId: 7, seq: 1, op: { type: 'put', key: 'k', value: 'z' } });
    s.persist(snapshotReady({ index: 5, term: 3, membership: members, data: leader.encode() }, true));
    expect(s.lastIndex).toBe(5);
    expect(s.log).toHaveLength(0);
    expect(s.logBytes).toBe(0);
    expect(s.lastApplied).toBe(5);
    expect(s.stateMachine.get('k')).toBe('z');
    // The client table came with it: the retried request is not applied again.
    expect(s.stateMachine.lastSeq(7)).toBe(1);
  });

  it('a restart rebuilds the state machine from the snapshot, not from what was applied since', () => {
    const s = new NodeStorage(kv);
    s.persist(write(1, [put(1, 'a'), put(2, 'b'), put(3, 'c')], 1));
    for (let i = 1; i <= 3; i++) s.apply(i, s.log[i - 1]!);
    const image = new KvStore();
    image.apply(s.log[0]!.command);
    s.persist(snapshotReady({ index: 1, term: 1, membership: members, data: image.encode() }, false));
    s.recover();
    expect(s.lastApplied).toBe(1);
    expect(s.stateMachine.get('k')).toBe('a');
    const durable = s.durableState();
    expect(durable.lastApplied).toBe(1);
    expect(durable.snapshot?.index).toBe(1);
    expect(durable.log.map((e) => e.command)).toEqual([put(2, 'b').command, put(3, 'c').command]);
  });

  it('a write that cannot land leaves the disk as it was, snapshot included', () => {
    const s = new NodeStorage(kv);
    s.persist(write(1, [put(1, 'a'), put(2, 'b')], 1));
    const bad = snapshotReady({ index: 1, term: 1, membership: members, data: 'x' }, false, {
      fromIndex: 9,
      entries: [put(3, 'c')],
    });
    expect(() => s.persist(bad)).toThrow(/does not fit/);
    expect(s.snapshot).toBeNull();
    expect(s.lastIndex).toBe(2);
  });
});
