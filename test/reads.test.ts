import { describe, expect, it } from 'vitest';
import { policyFor } from '../bugs/index.ts';
import { checkLinearizability } from '../properties/linearizability.ts';
import {
  driftPpmOf,
  failoverReadSchedule,
  findReadsSeed,
  leaseNoCheckQuorumSchedule,
  READS,
  READS_ELECTION_MS_MIN,
  READS_PARTITION_MS,
  READS_SEEDS,
  READS_VARIANTS,
  type ReadsVariant,
  readsFileOf,
  readsSchedule,
  STALE_ROUND_ACK_SEED,
  staleRoundAckSchedule,
} from '../scenarios/stale-leader-reads.ts';
import { intBetween, stream } from '../sim/engine/rng.ts';
import { runForOutcome } from '../sim/explore/replay.ts';
import { runSchedule } from '../sim/explore/run.ts';
import type { Schedule } from '../sim/model/schedule.ts';
import { parseTraceLines, renderText } from '../sim/view/views.ts';
import { RaftNode } from '../src/raft/node.ts';
import { correctPolicy, type Policy } from '../src/raft/policy.ts';
import {
  type AppendEntries,
  DEFAULT_LEASE_DRIFT_PPM,
  DEFAULT_RAFT_CONFIG,
  type Message,
  type RaftConfig,
  type Ready,
} from '../src/raft/types.ts';

// ---------------------------------------------------------------------------------------------
// The node's read API, driven by hand.

function leader3(config: Partial<RaftConfig>, policy: Policy = correctPolicy): RaftNode {
  const node = new RaftNode({
    id: 1,
    peers: [1, 2, 3],
    config: { ...DEFAULT_RAFT_CONFIG, ...config },
    policy,
    rng: () => 0,
    durable: { hardState: { currentTerm: 0, votedFor: 0 }, log: [], lastApplied: 0 },
    nowMs: 0,
  });
  node.campaign(0);
  node.ready();
  node.step(5, { type: 'RequestVoteReply', from: 2, to: 1, term: 1, voteGranted: true, preVote: false });
  expect(node.role).toBe('leader');
  return node;
}

/** The follower's answer to every AppendEntries in `ready`. */
function acks(ready: Ready, from: number, success = true): Message[] {
  return ready.messages
    .filter((m): m is AppendEntries => m.type === 'AppendEntries' && m.to === from)
    .map((m) => ({
      type: 'AppendEntriesReply',
      from,
      to: 1,
      term: m.term,
      success,
      matchIndex: success ? m.prevLogIndex + m.entries.length : 0,
      conflictTerm: 0,
      conflictIndex: success ? 0 : 1,
      round: m.round,
      requestTerm: m.term,
    }));
}

describe('RaftProcess.read on the reference node', () => {
  it('a follower refuses and names the leader it knows', () => {
    const node = new RaftNode({
      id: 2,
      peers: [1, 2, 3],
      config: { ...DEFAULT_RAFT_CONFIG, readMode: 'read-index' },
      rng: () => 0,
      durable: { hardState: { currentTerm: 0, votedFor: 0 }, log: [], lastApplied: 0 },
      nowMs: 0,
    });
    expect(node.read(1, 7)).toEqual({ ok: false, leaderHint: 0 });
  });

  it('read-index: released only after a majority acknowledges a round sent after the read, at the commit index', () => {
    const node = leader3({ readMode: 'read-index' });
    const election = node.ready();
    // The no-op commits when S2 acknowledges it.
    for (const m of acks(election, 2)) node.step(10, m);
    expect(node.commitIndex).toBe(1);
    node.ready();
    expect(node.read(20, 42)).toEqual({ ok: true });
    const round = node.ready();
    expect(round.readsReady).toEqual([]);
    // A reply to an older round proves nothing about the time of the read.
    for (const m of acks(election, 3)) node.step(25, m);
    expect(node.ready().readsReady ?? []).toEqual([]);
    // A rejection of the new round still acknowledges our leadership.
    for (const m of acks(round, 3, false)) node.step(30, m);
    expect(node.ready().readsReady).toEqual([{ requestId: 42, index: 1 }]);
  });

  it("read-index: a rejection of an older term's request confirms no round, however far ahead the round it echoes", () => {
    // Both followers reject a late copy of an earlier term's request: the reply's term is ours, the
    // round it echoes is an earlier incarnation's, far ahead of ours.
    const staleRejections = (round: Ready): Message[] =>
      [...acks(round, 2, false), ...acks(round, 3, false)].map(
        (m) => ({ ...m, requestTerm: m.term - 1, round: 500 }) as Message,
      );
    const correct = leader3({ readMode: 'read-index' });
    for (const m of acks(correct.ready(), 2)) correct.step(10, m);
    correct.ready();
    expect(correct.read(20, 42)).toEqual({ ok: true });
    for (const m of staleRejections(correct.ready())) correct.step(25, m);
    expect(correct.ready().readsReady).toEqual([]);
    // Under stale-round-ack the echoes confirm the read's round, and every later one.
    const buggy = leader3({ readMode: 'read-index' }, policyFor(['stale-round-ack']));
    for (const m of acks(buggy.ready(), 2)) buggy.step(10, m);
    buggy.ready();
    expect(buggy.read(20, 42)).toEqual({ ok: true });
    for (const m of staleRejections(buggy.ready())) buggy.step(25, m);
    expect(buggy.ready().readsReady).toEqual([{ requestId: 42, index: 1 }]);
    expect(buggy.read(30, 43)).toEqual({ ok: true });
    expect(buggy.ready().readsReady).toEqual([{ requestId: 43, index: 1 }]);
  });

  it("read-index: waits for the term's no-op to commit before releasing", () => {
    const node = leader3({ readMode: 'read-index' });
    const election = node.ready();
    expect(node.read(6, 1)).toEqual({ ok: true });
    const round = node.ready();
    // S2 acknowledges the read's round but not the no-op yet: a heartbeat rejected for a gap.
    for (const m of acks(round, 2, false)) node.step(7, m);
    expect(node.ready().readsReady ?? []).toEqual([]);
    for (const m of acks(election, 2)) node.step(8, m);
    expect(node.commitIndex).toBe(1);
    expect(node.ready().readsReady).toEqual([{ requestId: 1, index: 1 }]);
  });

  it('unsafe-local: released at once at lastApplied', () => {
    const node = leader3({ readMode: 'unsafe-local' });
    node.ready();
    expect(node.read(6, 9)).toEqual({ ok: true });
    expect(node.ready().readsReady).toEqual([{ requestId: 9, index: 0 }]);
  });

  it('lease: served locally for electionTimeoutMsMin × (1 − leaseDriftPpm) after the acknowledged round was sent', () => {
    // 200 ms less a 5% drift bound: 190 ms, counted from when the round went out (5), not from
    // when it was acknowledged (10).
    const node = leader3({
      readMode: 'lease',
      checkQuorum: true,
      electionTimeoutMsMin: 200,
      electionTimeoutMsMax: 400,
      leaseDriftPpm: 50_000,
    });
    const election = node.ready(); // round sent at local time 5
    for (const m of acks(election, 2)) node.step(10, m);
    node.ready();
    const leaseMs = 190;
    expect(node.read(5 + leaseMs - 1, 1)).toEqual({ ok: true });
    expect(node.ready().readsReady).toEqual([{ requestId: 1, index: 1 }]);
    // Past the lease: a heartbeat round goes out instead and the read waits for it.
    expect(node.read(5 + leaseMs, 2)).toEqual({ ok: true });
    const round = node.ready();
    expect(round.readsReady ?? []).toEqual([]);
    expect(round.messages.filter((m) => m.type === 'AppendEntries')).toHaveLength(2);
  });

  it('lease without CheckQuorum falls back to ReadIndex (lease-without-check-quorum skips that)', () => {
    const node = leader3({ readMode: 'lease', checkQuorum: false });
    const election = node.ready();
    for (const m of acks(election, 2)) node.step(10, m);
    node.ready();
    node.read(20, 1);
    expect(node.ready().readsReady ?? []).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The stale-leader scenario, read half.

const { B } = READS;

function runTraced(schedule: Schedule, bugs: string[] = []) {
  const lines: string[] = [];
  const run = runForOutcome(schedule, { bugs, onTrace: (l) => lines.push(l) });
  expect(run.result).not.toBeNull();
  return { result: run.result!, outcome: run.outcome, records: parseTraceLines(lines) };
}

/** Client 1's last op: the get sent to B after the majority side committed k=new. */
function lateRead(variant: ReadsVariant) {
  const { result, outcome, records } = runTraced(readsSchedule(variant));
  const history = result.history;
  const write = history.find((op) => op.client === 2)!;
  const read = history.filter((op) => op.client === 1).at(-1)!;
  expect(write.status).toBe('ok');
  expect(read.invokeMs).toBeGreaterThan(write.returnMs!);
  const answeredByB = records.some(
    (r) => r.ev === 'reply' && r.client === 1 && r.seq === 2 && r.node === B && r.result === 'ok',
  );
  return { result, outcome, records, history, read, answeredByB };
}

describe('stale-leader reads', () => {
  it('unsafe local reads: B answers with the old value, and the checker names that read', () => {
    const { history, read, answeredByB, outcome } = lateRead('unsafe-local');
    expect(answeredByB).toBe(true);
    expect(read.result).toEqual({ type: 'get', value: null });
    const lin = checkLinearizability(history);
    expect(lin.verdict).toBe('violation');
    if (lin.verdict !== 'violation') return;
    expect(lin.witness.op.id).toBe(read.id);
    expect(lin.witness.message).toContain(`op #${read.id} by client 1`);
    expect(outcome).toMatchObject({ status: 'violation', property: 'linearizability' });
  });

  it('ReadIndex: B cannot confirm its leadership, the read times out there and is served by the new leader', () => {
    const { history, read, answeredByB, records } = lateRead('read-index');
    expect(answeredByB).toBe(false);
    expect(records.some((r) => r.ev === 'client-timeout' && r.client === 1)).toBe(true);
    expect(read.status).toBe('ok');
    expect(read.result).toEqual({ type: 'get', value: 'new' });
    expect(checkLinearizability(history).verdict).toBe('ok');
  });

  it('leases with drift inside the bound: no stale read, and CheckQuorum steps B down about one election timeout after the partition', () => {
    const { history, answeredByB, records, result } = lateRead('lease');
    expect(answeredByB).toBe(false);
    expect(checkLinearizability(history).verdict).toBe('ok');
    expect(result.config.clockDriftPpmMax * 2).toBeLessThanOrEqual(DEFAULT_LEASE_DRIFT_PPM);
    const stepDown = records.find((r) => r.node === B && r.role?.[0] === 'leader');
    expect(stepDown).toBeDefined();
    const afterMs = stepDown!.t - READS_PARTITION_MS;
    // The leader checks its quorum every electionTimeoutMsMin of its clock: it notices within two.
    expect(afterMs).toBeGreaterThanOrEqual(READS_ELECTION_MS_MIN * 0.99);
    expect(afterMs).toBeLessThanOrEqual(2 * READS_ELECTION_MS_MIN * 1.01);
    expect(stepDown!.term).toBeUndefined(); // same term: it stepped down on its own
  });

  it('leases with drift beyond the bound: B answers from its lease after the new leader committed', () => {
    const { history, read, answeredByB, outcome, result } = lateRead('lease-drift');
    const max = result.config.clockDriftPpmMax;
    expect(max).toBeGreaterThan(DEFAULT_LEASE_DRIFT_PPM);
    expect(driftPpmOf(result.seed, B, max)).toBeLessThan(-DEFAULT_LEASE_DRIFT_PPM);
    expect(answeredByB).toBe(true);
    expect(read.result).toEqual({ type: 'get', value: null });
    const lin = checkLinearizability(history);
    expect(lin.verdict).toBe('violation');
    if (lin.verdict === 'violation') expect(lin.witness.op.id).toBe(read.id);
    expect(outcome).toMatchObject({ status: 'violation', property: 'linearizability' });
  });

  it('the drift schedule with clocks inside the bound holds', () => {
    const s = readsSchedule('lease-drift');
    const inside = { ...s, config: { ...s.config, clockDriftPpmMax: 4000 } };
    const { result } = runTraced(inside);
    expect(checkLinearizability(result.history).verdict).toBe('ok');
  });

  it('the variants are saved as scenario files, with the seeds the story needs', () => {
    expect(readsFileOf('lease-drift')).toBe('scenarios/stale-leader-reads-lease-drift.json');
    for (const variant of READS_VARIANTS) expect(findReadsSeed(variant), variant).toBe(READS_SEEDS[variant]);
  });

  it('is deterministic: same schedule, same trace hash', () => {
    const s = readsSchedule('lease-drift');
    const a = runSchedule(s, { onTrace: () => {} });
    const b = runSchedule(s, { onTrace: () => {} });
    expect(a.traceHash).not.toBeNull();
    expect(a.traceHash).toBe(b.traceHash);
  });
});

describe('read bugs', () => {
  it.each([
    ['read-index-before-noop-commit', failoverReadSchedule()],
    ['no-noop-on-election', failoverReadSchedule()],
    ['lease-without-check-quorum', leaseNoCheckQuorumSchedule()],
    ['stale-round-ack', staleRoundAckSchedule()],
  ] as const)('%s serves a stale read; the correct node does not', (bug, schedule) => {
    const buggy = runTraced(schedule, [bug]);
    const read = buggy.result.history.find((op) => op.op.type === 'get')!;
    expect(read.result).toEqual({ type: 'get', value: null });
    const lin = checkLinearizability(buggy.result.history);
    expect(lin.verdict).toBe('violation');
    expect(buggy.outcome).toMatchObject({ status: 'violation', property: 'linearizability' });
    const correct = runTraced(schedule, []);
    expect(checkLinearizability(correct.result.history).verdict).toBe('ok');
    expect(correct.outcome).toEqual({ status: 'ok' });
  });
});

describe('stale-round-ack: a restarted leader and its old rounds', () => {
  it('the scripted seed sends client 1 to S1 and client 2 elsewhere, as the story needs', () => {
    expect(intBetween(stream(STALE_ROUND_ACK_SEED, 'client', 1), 1, 3)).toBe(1);
    expect(intBetween(stream(STALE_ROUND_ACK_SEED, 'client', 2), 1, 3)).not.toBe(1);
  });

  it('under the bug the read starts after the write returned ok, and misses it', () => {
    const { result } = runTraced(staleRoundAckSchedule(), ['stale-round-ack']);
    const read = result.history.find((op) => op.op.type === 'get')!;
    const write = result.history.find((op) => op.op.type === 'put')!;
    expect(write.status).toBe('ok');
    expect(read.invokeMs).toBeGreaterThan(write.returnMs!);
    expect(read.result).toEqual({ type: 'get', value: null });
  });

  it('the text view says the get at S1 started a read, not that it was appended', () => {
    const schedule = staleRoundAckSchedule();
    const lines: string[] = [];
    const run = runForOutcome(schedule, { bugs: ['stale-round-ack'], onTrace: (l) => lines.push(l) });
    const text = renderText({
      schedule,
      bugs: ['stale-round-ack'],
      lines,
      outcome: run.outcome,
      violation: null,
    });
    expect(text).toMatch(/request c1\/1 get reaches S1: read started/);
    expect(text).not.toContain('appended at undefined');
  });

  it('is deterministic: same schedule, same trace hash, bug on or off', () => {
    for (const bugs of [[], ['stale-round-ack']]) {
      const a = runSchedule(staleRoundAckSchedule(), { bugs, onTrace: () => {} });
      const b = runSchedule(staleRoundAckSchedule(), { bugs, onTrace: () => {} });
      expect(a.traceHash).not.toBeNull();
      expect(a.traceHash).toBe(b.traceHash);
    }
  });
});
