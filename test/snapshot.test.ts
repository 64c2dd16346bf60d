import { describe, expect, it } from 'vitest';
import { policyFor } from '../bugs/index.ts';
import { RaftNode } from '../src/raft/node.ts';
import type { Policy } from '../src/raft/policy.ts';
import {
  type AppendEntries,
  type Command,
  DEFAULT_RAFT_CONFIG,
  type Entry,
  type InstallSnapshot,
  type InstallSnapshotReply,
  type Message,
  NONE,
  type Snapshot,
} from '../src/raft/types.ts';

// The reference node's log compaction (paper §7, Figure 13), step by step.

const put = (value: string): Command => ({
  kind: 'kv',
  clientId: 1,
  seq: 1,
  op: { type: 'put', key: 'k', value },
});
const logOf = (...terms: number[]): Entry[] => terms.map((term, k) => ({ term, command: put(`i${k + 1}`) }));
const members = { voters: [1, 2, 3], outgoing: [], learners: [] };

function follower(
  opts: { log?: Entry[]; term?: number; lastApplied?: number; snapshot?: Snapshot; policy?: Policy } = {},
): RaftNode {
  return new RaftNode({
    id: 2,
    peers: [1, 2, 3],
    config: { ...DEFAULT_RAFT_CONFIG, snapshotChunkBytes: 4 },
    rng: () => 0,
    durable: {
      hardState: { currentTerm: opts.term ?? 2, votedFor: NONE },
      snapshot: opts.snapshot ?? null,
      log: opts.log ?? [],
      lastApplied: opts.lastApplied ?? opts.snapshot?.index ?? 0,
    },
    nowMs: 0,
    ...(opts.policy === undefined ? {} : { policy: opts.policy }),
  });
}

/** Chunk `data` of a snapshot through (index, term) from S1 in term 2. */
function chunk(
  index: number,
  term: number,
  data: string,
  offset: number,
  size = data.length,
): InstallSnapshot {
  return {
    type: 'InstallSnapshot',
    from: 1,
    to: 2,
    term: 2,
    lastIncludedIndex: index,
    lastIncludedTerm: term,
    membership: members,
    offset,
    data,
    size,
    done: offset + data.length === size,
    round: 1,
  };
}

const replies = (ms: readonly Message[]): InstallSnapshotReply[] =>
  ms.filter((m): m is InstallSnapshotReply => m.type === 'InstallSnapshotReply');
const termsOf = (node: RaftNode): (number | undefined)[] =>
  Array.from({ length: node.lastIndex - (node.snapshotIndex ?? 0) }, (_, k) =>
    node.termAt((node.snapshotIndex ?? 0) + k + 1),
  );

describe('compaction', () => {
  it('keeps the snapshot, drops the log through it, and hands both out to be made durable', () => {
    const n = follower({ log: logOf(1, 1, 2, 2), lastApplied: 3 });
    n.ready();
    expect(n.compact(0, 3, 'state@3')).toBe(true);
    expect(n.snapshotIndex).toBe(3);
    expect(n.lastIndex).toBe(4);
    expect(n.termAt(3)).toBe(2);
    expect(n.termAt(2)).toBeUndefined();
    expect(n.entryAt(3)).toBeUndefined();
    expect(n.entryAt(4)?.term).toBe(2);
    const r = n.ready();
    expect(r.snapshot).toEqual({
      snapshot: { index: 3, term: 2, membership: members, data: 'state@3' },
      installed: false,
    });
    // Nothing to compact twice, nor past what the state machine applied.
    expect(n.compact(0, 3, 'again')).toBe(false);
    expect(n.compact(0, 4, 'ahead')).toBe(false);
  });

  it('a restarted node starts from its snapshot and log tail, applied at the snapshot', () => {
    const n = follower({
      term: 3,
      snapshot: { index: 5, term: 2, membership: members, data: 'x' },
      log: logOf(2, 3),
    });
    expect(n.lastApplied).toBe(5);
    expect(n.commitIndex).toBe(5);
    expect(n.lastIndex).toBe(7);
    expect(n.termAt(5)).toBe(2);
    expect(n.termAt(6)).toBe(2);
    expect(n.termAt(7)).toBe(3);
  });

  it('an AppendEntries reaching into the snapshot is matched from the snapshot on', () => {
    const n = follower({ snapshot: { index: 3, term: 1, membership: members, data: 'x' }, log: [] });
    const ae: AppendEntries = {
      type: 'AppendEntries',
      from: 1,
      to: 2,
      term: 2,
      prevLogIndex: 1,
      prevLogTerm: 1,
      entries: logOf(1, 1, 2),
      leaderCommit: 4,
      round: 1,
    };
    n.step(1, ae);
    expect(n.lastIndex).toBe(4);
    expect(n.termAt(4)).toBe(2);
    const r = n.ready();
    expect(r.logWrite?.fromIndex).toBe(4);
    expect(r.messages[0]).toMatchObject({ type: 'AppendEntriesReply', success: true, matchIndex: 4 });
  });
});

describe('InstallSnapshot (Figure 13)', () => {
  it('assembles chunks in order, answering each with the offset it wants next', () => {
    const n = follower({ log: logOf(1) });
    n.step(1, chunk(6, 2, 'abcd', 0, 10));
    expect(replies(n.ready().messages)[0]).toMatchObject({ offset: 4, installed: false });
    // Out of order (too far), then a duplicate of the first: both answered with where it stands.
    n.step(2, chunk(6, 2, 'ij', 8, 10));
    expect(replies(n.ready().messages)[0]).toMatchObject({ offset: 4, installed: false });
    n.step(3, chunk(6, 2, 'abcd', 0, 10));
    expect(replies(n.ready().messages)[0]).toMatchObject({ offset: 4, installed: false });
    n.step(4, chunk(6, 2, 'efgh', 4, 10));
    n.ready();
    n.step(5, chunk(6, 2, 'ij', 8, 10));
    const r = n.ready();
    expect(replies(r.messages)[0]).toMatchObject({ lastIncludedIndex: 6, installed: true });
    expect(r.snapshot?.installed).toBe(true);
    expect(r.snapshot?.snapshot.data).toBe('abcdefghij');
  });

  it('a snapshot whose last entry the log holds keeps the entries after it (rule 6)', () => {
    const n = follower({ log: logOf(1, 1, 2, 2, 2) });
    n.step(1, chunk(3, 2, 'snap', 0));
    const r = n.ready();
    expect(n.snapshotIndex).toBe(3);
    expect(termsOf(n)).toEqual([2, 2]);
    expect(n.commitIndex).toBe(3);
    expect(n.lastApplied).toBe(3);
    expect(r.logWrite).toBeNull();
  });

  it('with snapshot-discards-tail the entries after it are thrown away', () => {
    const n = follower({ log: logOf(1, 1, 2, 2, 2), policy: policyFor(['snapshot-discards-tail']) });
    n.step(1, chunk(3, 2, 'snap', 0));
    const r = n.ready();
    expect(n.lastIndex).toBe(3);
    expect(r.logWrite).toEqual({ fromIndex: 4, entries: [] });
  });

  it('a snapshot that does not match the log replaces all of it (rules 7, 8)', () => {
    const n = follower({ log: logOf(1, 1, 1, 1) });
    n.step(1, chunk(3, 2, 'snap', 0));
    const r = n.ready();
    expect(n.snapshotIndex).toBe(3);
    expect(n.lastIndex).toBe(3);
    expect(r.logWrite).toEqual({ fromIndex: 4, entries: [] });
    expect(r.snapshot?.installed).toBe(true);
  });

  it('a snapshot older than what the follower committed is acknowledged, not installed', () => {
    const leaderCommit: AppendEntries = {
      type: 'AppendEntries',
      from: 1,
      to: 2,
      term: 2,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: logOf(1, 1, 2, 2),
      leaderCommit: 4,
      round: 1,
    };
    const n = follower();
    n.step(1, leaderCommit);
    n.ready();
    n.step(2, chunk(2, 1, 'old', 0));
    const r = n.ready();
    expect(r.snapshot ?? null).toBeNull();
    expect(n.lastApplied).toBe(4);
    expect(replies(r.messages)[0]).toMatchObject({ lastIncludedIndex: 2, installed: true });
    // With install-older-snapshot, the same snapshot takes the state machine back.
    const buggy = follower({ policy: policyFor(['install-older-snapshot']) });
    buggy.step(1, leaderCommit);
    buggy.ready();
    buggy.step(2, chunk(2, 1, 'old', 0));
    expect(buggy.ready().snapshot?.installed).toBe(true);
    expect(buggy.lastApplied).toBe(2);
  });
});

describe('the leader', () => {
  /** S1 elected in term 1 of three, with `entries` committed and compacted through `through`. */
  function leaderWithSnapshot(entries: number, through: number): { leader: RaftNode; sent: Message[] } {
    const leader = new RaftNode({
      id: 1,
      peers: [1, 2, 3],
      config: { ...DEFAULT_RAFT_CONFIG, snapshotChunkBytes: 3 },
      rng: () => 0,
      durable: { hardState: { currentTerm: 0, votedFor: NONE }, log: [], lastApplied: 0 },
      nowMs: 0,
    });
    leader.campaign(0);
    leader.step(1, { type: 'RequestVoteReply', from: 3, to: 1, term: 1, voteGranted: true, preVote: false });
    for (let k = 1; k < entries; k++) leader.propose(2, put(`v${k}`));
    leader.step(3, {
      type: 'AppendEntriesReply',
      from: 3,
      to: 1,
      term: 1,
      success: true,
      matchIndex: entries,
      conflictTerm: 0,
      conflictIndex: 0,
      round: 1,
      requestTerm: 1,
    });
    expect(leader.commitIndex).toBe(entries);
    leader.ready();
    expect(leader.compact(4, through, 'abcdefg')).toBe(true);
    leader.ready();
    return { leader, sent: [] };
  }

  it('sends a follower behind the snapshot the snapshot in chunks, then the entries after it', () => {
    const { leader } = leaderWithSnapshot(6, 5);
    // S2 never answered: a rejection tells the leader it has nothing.
    leader.step(5, {
      type: 'AppendEntriesReply',
      from: 2,
      to: 1,
      term: 1,
      success: false,
      matchIndex: 0,
      conflictTerm: 0,
      conflictIndex: 1,
      round: 1,
      requestTerm: 1,
    });
    const first = leader.ready().messages.filter((m) => m.type === 'InstallSnapshot');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      lastIncludedIndex: 5,
      lastIncludedTerm: 1,
      offset: 0,
      data: 'abc',
      size: 7,
      done: false,
    });
    const reply = (offset: number, installed: boolean): InstallSnapshotReply => ({
      type: 'InstallSnapshotReply',
      from: 2,
      to: 1,
      term: 1,
      lastIncludedIndex: 5,
      offset,
      installed,
      round: 1,
      requestTerm: 1,
    });
    leader.step(6, reply(3, false));
    expect(leader.ready().messages[0]).toMatchObject({ type: 'InstallSnapshot', offset: 3, data: 'def' });
    // A duplicate of that reply asks for what was just sent: nothing more (the heartbeat resends).
    leader.step(6, reply(3, false));
    expect(leader.ready().messages).toHaveLength(0);
    leader.step(7, reply(7, true));
    const after = leader.ready().messages;
    expect(after[0]).toMatchObject({ type: 'AppendEntries', prevLogIndex: 5, prevLogTerm: 1 });
    expect((after[0] as AppendEntries).entries).toHaveLength(1);
  });
});

describe('compaction at the leader', () => {
  it('does not restart a snapshot transfer to a follower that answers; a silent one holds nothing back', () => {
    const leader = new RaftNode({
      id: 1,
      peers: [1, 2, 3],
      config: { ...DEFAULT_RAFT_CONFIG, snapshotChunkBytes: 3 },
      rng: () => 0,
      durable: { hardState: { currentTerm: 0, votedFor: NONE }, log: [], lastApplied: 0 },
      nowMs: 0,
    });
    leader.campaign(0);
    leader.step(1, { type: 'RequestVoteReply', from: 3, to: 1, term: 1, voteGranted: true, preVote: false });
    for (let k = 1; k < 8; k++) leader.propose(2, put(`v${k}`));
    leader.step(3, {
      type: 'AppendEntriesReply',
      from: 3,
      to: 1,
      term: 1,
      success: true,
      matchIndex: 8,
      conflictTerm: 0,
      conflictIndex: 0,
      round: 1,
      requestTerm: 1,
    });
    leader.ready();
    // S2 has said nothing: compaction goes ahead.
    expect(leader.compact(4, 4, 'abcdefg')).toBe(true);
    leader.ready();
    // S2 turns up with nothing: it is sent the snapshot, chunk by chunk.
    leader.step(5, {
      type: 'AppendEntriesReply',
      from: 2,
      to: 1,
      term: 1,
      success: false,
      matchIndex: 0,
      conflictTerm: 0,
      conflictIndex: 1,
      round: 1,
      requestTerm: 1,
    });
    expect(leader.ready().messages[0]).toMatchObject({
      type: 'InstallSnapshot',
      lastIncludedIndex: 4,
      offset: 0,
    });
    // While it answers, the snapshot stays: a new one would restart the transfer.
    expect(leader.compact(6, 6, 'ABCDEFG')).toBe(false);
    // Silent for a minimum election timeout: compaction goes on without it.
    expect(leader.compact(5 + DEFAULT_RAFT_CONFIG.electionTimeoutMsMin, 6, 'ABCDEFG')).toBe(true);
  });
});

describe('snapshot bugs at the node', () => {
  it('snapshot-forgets-term records term 0 at the snapshot', () => {
    const n = follower({ log: logOf(1, 1, 2), lastApplied: 3, policy: policyFor(['snapshot-forgets-term']) });
    n.compact(0, 3, 's');
    expect(n.termAt(3)).toBe(0);
    expect(n.ready().snapshot?.snapshot.term).toBe(0);
  });

  it('snapshot-beyond-commit compacts through the last index', () => {
    const n = follower({
      log: logOf(1, 1, 2, 2),
      lastApplied: 2,
      policy: policyFor(['snapshot-beyond-commit']),
    });
    n.compact(0, 2, 's');
    expect(n.snapshotIndex).toBe(4);
    expect(n.ready().snapshot?.snapshot.index).toBe(4);
  });
});
