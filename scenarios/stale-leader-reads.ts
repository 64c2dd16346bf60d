// Builds the read half of the stale-leader story (scenarios/stale-leader-reads-*.json), one file
// per read mode, and the scripted traces of the read and pre-vote bugs (scenarios/bugs/). Called
// from scenarios/build.ts, which writes every scenario file: `npx tsx scenarios/build.ts`.
//
// The stale-leader schedules use real election timeouts (the lease is measured in them) and an
// exact network (10 ms per message, no loss), so every time below can be worked out by hand.

import { intBetween, stream } from '../sim/engine/rng.ts';
import { runForOutcome } from '../sim/explore/replay.ts';
import { defaultConfig, type SimConfig } from '../sim/model/config.ts';
import type { Fault, Schedule, ScheduledOp } from '../sim/model/schedule.ts';
import { type Expectation, makeTraceFile, type TraceFile } from '../sim/model/trace-file.ts';
import type { RaftConfig, ReadMode } from '../src/raft/types.ts';

/** Nodes of the story by letter, as in scenarios/stale-leader.json. */
export const READS = { A: 1, B: 2, C: 3, D: 4, E: 5 } as const;
/** The old leader B and A are cut off from C, D and E at this instant, for good. */
export const READS_PARTITION_MS = 300;
export const READS_ELECTION_MS_MIN = 1000;
export const READS_ELECTION_MS_MAX = 1200;
/** Per-node clock drift bound of the variants that stay inside the lease's drift bound (1%). */
export const READS_DRIFT_INSIDE_PPM = 4000;
/** ... and of the variant that exceeds it: clocks may run up to 10% fast or slow. */
export const READS_DRIFT_BEYOND_PPM = 100_000;

export type ReadsVariant = 'unsafe-local' | 'read-index' | 'lease' | 'lease-drift';
export const READS_VARIANTS: readonly ReadsVariant[] = ['unsafe-local', 'read-index', 'lease', 'lease-drift'];

function readsConfig(readMode: ReadMode, checkQuorum: boolean, clockDriftPpmMax: number): SimConfig {
  const base = defaultConfig();
  const raft: RaftConfig = {
    ...base.raft,
    electionTimeoutMsMin: READS_ELECTION_MS_MIN,
    electionTimeoutMsMax: READS_ELECTION_MS_MAX,
    heartbeatMs: 100,
    preVote: false,
    checkQuorum,
    readMode,
  };
  return {
    ...base,
    nodes: 5,
    clients: 2,
    timeMs: 4000,
    // Liveness is not judged: the partition never heals.
    quietMs: 0,
    clockDriftPpmMax,
    raft,
    network: { ...base.network, delayMsMin: 10, delayMsMax: 10, dropRate: 0, dupRate: 0, longDelayRate: 0 },
    faults: { ...base.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
    clientsCfg: { ...base.clientsCfg, requestTimeoutMs: 500, opDeadlineMs: 1500 },
  };
}

/** Clock drift of node `id` in a run of `seed`, as the simulator draws it. */
export function driftPpmOf(seed: number, id: number, maxPpm: number): number {
  return maxPpm === 0 ? 0 : intBetween(stream(seed, 'clock', id), -maxPpm, maxPpm);
}

function firstNode(seed: number, client: number): number {
  return intBetween(stream(seed, 'client', client), 1, 5);
}

/** The first election timeout node `id` draws (a follower keeps it until it campaigns). */
export function firstTimeoutMsOf(seed: number, id: number): number {
  const rng = stream(seed, 'timeout', id, 1);
  return READS_ELECTION_MS_MIN + Math.floor(rng() * (READS_ELECTION_MS_MAX - READS_ELECTION_MS_MIN + 1));
}

/**
 * The first seed whose client streams send the reader (client 1) to B and the writer (client 2)
 * to the majority side. For the drift variant also: B's clock at least 8% slow, every clock of
 * the majority side at least 8% fast, and one of them with an early first timeout well before
 * the others (one candidate, no split vote) — so that the majority elects a leader as early as
 * its clocks allow, while B's slow clock stretches its lease.
 */
export function findReadsSeed(variant: ReadsVariant): number {
  const { B } = READS;
  for (let seed = 1; ; seed++) {
    if (firstNode(seed, 1) !== B || firstNode(seed, 2) < 3) continue;
    if (variant !== 'lease-drift') return seed;
    const max = READS_DRIFT_BEYOND_PPM;
    if (driftPpmOf(seed, B, max) > -0.8 * max) continue;
    if (![3, 4, 5].every((id) => driftPpmOf(seed, id, max) >= 0.8 * max)) continue;
    const timeouts = [3, 4, 5].map((id) => firstTimeoutMsOf(seed, id)).sort((a, b) => a - b);
    if (timeouts[0]! <= READS_ELECTION_MS_MIN + 20 && timeouts[1]! >= timeouts[0]! + 40) return seed;
  }
}

/**
 * What `findReadsSeed` returns, written down: the drift variant's search walks about 190 000 seeds
 * (half a second), too slow to repeat in every build and test. test/reads.test.ts checks both.
 */
export const READS_SEEDS: Readonly<Record<ReadsVariant, number>> = {
  'unsafe-local': 7,
  'read-index': 7,
  lease: 7,
  'lease-drift': 186420,
};

/** When the writer and the reader act, per variant (see the comments in `readsSchedule`). */
const TIMES: Record<ReadsVariant, { writeMs: number; readMs: number }> = {
  'unsafe-local': { writeMs: 1700, readMs: 1800 },
  'read-index': { writeMs: 1700, readMs: 1800 },
  lease: { writeMs: 1700, readMs: 1800 },
  'lease-drift': { writeMs: 1210, readMs: 1290 },
};

export function readsSchedule(variant: ReadsVariant): Schedule {
  const { B } = READS;
  let config: SimConfig;
  switch (variant) {
    case 'unsafe-local':
      config = readsConfig('unsafe-local', false, 0);
      break;
    case 'read-index':
      config = readsConfig('read-index', false, 0);
      break;
    case 'lease':
      config = readsConfig('lease', true, READS_DRIFT_INSIDE_PPM);
      break;
    case 'lease-drift':
      config = readsConfig('lease', true, READS_DRIFT_BEYOND_PPM);
      break;
  }
  const faults: Fault[] = [
    { atMs: 10, type: 'campaign', node: B },
    {
      atMs: READS_PARTITION_MS,
      type: 'partition',
      groups: [
        [1, 2],
        [3, 4, 5],
      ],
    },
  ];
  const { writeMs, readMs } = TIMES[variant];
  const ops: ScheduledOp[] = [
    { client: 1, atMs: 150, op: { type: 'get', key: 'k' } },
    { client: 2, atMs: writeMs, op: { type: 'put', key: 'k', value: 'new' } },
    { client: 1, atMs: readMs, op: { type: 'get', key: 'k' } },
  ];
  return { version: 1, seed: READS_SEEDS[variant], config, faults, ops };
}

export const READS_COMMENTS: Record<ReadsVariant, string> = {
  'unsafe-local':
    'Stale-leader reads, unsafe local reads: 5 nodes A..E are S1..S5. B (S2) leads term 1 and answers a ' +
    'first get. At 300 ms A and B are cut off from C, D and E, who elect a leader of term 2 once their ' +
    'election timeouts run out; client 2 writes k=new there and is told ok. Client 1 then reads k from B, ' +
    'which still believes it leads and answers from its own state machine at once: the read returns the ' +
    'old value (missing) after the write returned — a linearizability violation naming that read.',
  'read-index':
    'Stale-leader reads, ReadIndex: the same story as stale-leader-reads-unsafe-local.json, but B must ' +
    'confirm with a heartbeat round acknowledged by a majority before it serves a read. Cut off in the ' +
    'minority it never can: the read at B times out, the client retries at another node, is redirected ' +
    'to the new leader and reads k=new. Every property holds.',
  lease:
    'Stale-leader reads, leases with clock drift inside the bound: CheckQuorum on, clocks drift by at most ' +
    '0.4% each (0.8% between two), the lease allows 1%. B serves reads from its lease only until ' +
    'electionTimeoutMsMin × 0.99 after its last acknowledged round; followers refuse votes for a full ' +
    'electionTimeoutMsMin after hearing from it, so the new leader is elected only after the lease ended. ' +
    "B's late read falls back to ReadIndex, cannot be confirmed, and B steps down at its next quorum check " +
    '(about one election timeout after losing the majority). Every property holds.',
  'lease-drift':
    'Stale-leader reads, leases with clock drift beyond the bound: as stale-leader-reads-lease.json, but ' +
    "clocks may drift by 10% each. B's clock runs about 10% slow and C, D and E run 8-10% fast, far beyond " +
    "the lease's 1% allowance: C's election timeout ends before B's lease does on the real clock, C is " +
    'elected and commits k=new, and B, still inside its lease, answers the read with the old value — a ' +
    'linearizability violation.',
};

export function readsFileOf(variant: ReadsVariant): string {
  return `scenarios/stale-leader-reads-${variant}.json`;
}

// ---------------------------------------------------------------------------------------------
// Bug traces. Three nodes; S1 leads term 1. Client 2's write k=new commits on S1 and is
// acknowledged, then S1 is cut off before any follower learns that it committed. S2 is elected
// (S3 votes) and client 1 reads k from S2 at once, in ReadIndex mode.

function bugConfig(readMode: ReadMode, checkQuorum: boolean): SimConfig {
  const base = readsConfig(readMode, checkQuorum, 0);
  return {
    ...base,
    nodes: 3,
    timeMs: 1500,
    clientsCfg: { ...base.clientsCfg, requestTimeoutMs: 400, opDeadlineMs: 400 },
  };
}

function bugSeed(first1: number, first2: number, nodes: number): number {
  for (let seed = 1; ; seed++) {
    const c1 = intBetween(stream(seed, 'client', 1), 1, nodes);
    const c2 = intBetween(stream(seed, 'client', 2), 1, nodes);
    if (c1 === first1 && c2 === first2) return seed;
  }
}

/**
 * Failover reads, scripted for test/reads.test.ts (the saved bug traces in scenarios/bugs come from
 * seed sweeps, scenarios/make-bug-traces.ts): used by read-index-before-noop-commit and no-noop-on-election. S1's heartbeat
 * of 130 ms would tell S2 and S3 that the write (index 2) committed; the partition at 131 ms stops
 * it. S2's no-op (sent at 170 ms) does not reach S3 (link down 165..181 ms), so S3 rejects S2's next
 * heartbeat — still an acknowledgement of S2's leadership. The read that arrives at S2 at 185 ms is
 * confirmed by that rejection at 205 ms, before the no-op commits: only the guard "this term's
 * no-op has committed" keeps S2 from answering at its stale commit index.
 */
export function failoverReadSchedule(): Schedule {
  const faults: Fault[] = [
    { atMs: 10, type: 'campaign', node: 1 },
    { atMs: 131, type: 'partition', groups: [[1], [2, 3]] },
    { atMs: 150, type: 'campaign', node: 2 },
    { atMs: 165, type: 'link', from: 2, to: 3, up: false },
    { atMs: 181, type: 'link', from: 2, to: 3, up: true },
  ];
  const ops: ScheduledOp[] = [
    { client: 2, atMs: 90, op: { type: 'put', key: 'k', value: 'new' } },
    { client: 1, atMs: 175, op: { type: 'get', key: 'k' } },
  ];
  return { version: 1, seed: bugSeed(2, 1, 3), config: bugConfig('read-index', false), faults, ops };
}

/**
 * Lease reads without CheckQuorum, scripted for test/reads.test.ts: S1 leads, is cut off at 300 ms, and S3 campaigns at once; S2,
 * which heard from S1 moments ago, votes for it anyway (nothing makes it refuse). S3 commits a
 * write while S1's lease still runs, and S1 answers a read from its lease with the old value.
 */
export function leaseNoCheckQuorumSchedule(): Schedule {
  const faults: Fault[] = [
    { atMs: 10, type: 'campaign', node: 1 },
    { atMs: 300, type: 'partition', groups: [[1], [2, 3]] },
    { atMs: 310, type: 'campaign', node: 3 },
  ];
  const ops: ScheduledOp[] = [
    { client: 2, atMs: 400, op: { type: 'put', key: 'k', value: 'new' } },
    { client: 1, atMs: 500, op: { type: 'get', key: 'k' } },
  ];
  return { version: 1, seed: bugSeed(1, 3, 3), config: bugConfig('lease', false), faults, ops };
}

function expectationFor(schedule: Schedule, bugs: readonly string[]): Expectation {
  return { bugs: [...bugs], outcome: runForOutcome(schedule, { bugs, recentEvents: 0 }).outcome };
}

/** Every file this module builds, keyed by path relative to the repository root. */
export function buildReadScenarios(raftsimVersion: string, command: string): Map<string, TraceFile> {
  const files = new Map<string, TraceFile>();
  const meta = { raftsimVersion, command };
  for (const variant of READS_VARIANTS) {
    const schedule = readsSchedule(variant);
    files.set(
      readsFileOf(variant),
      makeTraceFile({
        comment: READS_COMMENTS[variant],
        schedule,
        expectations: [expectationFor(schedule, [])],
        meta,
      }),
    );
  }
  return files;
}

/**
 * A restarted leader and its old rounds (the stale-round-ack bug). S1 leads term 1 for two seconds,
 * so its heartbeat round counter passes 40; the network duplicates and delays messages for up to
 * 1.5 s. S1 crashes, restarts (its round counter back at 0) and wins term 2. Late copies of its
 * term-1 AppendEntries then reach S2 and S3, now in term 2, and each rejects one with its term (2)
 * and the old round it echoes. S1 is cut off at 2600 ms, S2 wins term 3 and client 2's write k=new
 * commits there. Client 1 then reads k at S1. The correct node ignores replies to another term's
 * requests, cannot confirm its leadership and never answers; the client retries at the new leader.
 * Under the bug S1 took those echoes as acknowledgements of rounds it has not yet sent, so its new
 * rounds are "confirmed" without a reply and it answers from its stale state: k is missing.
 */
export function staleRoundAckSchedule(): Schedule {
  const base = defaultConfig();
  const config: SimConfig = {
    ...base,
    nodes: 3,
    clients: 2,
    timeMs: 4000,
    quietMs: 0,
    clockDriftPpmMax: 0,
    raft: {
      ...base.raft,
      electionTimeoutMsMin: 300,
      electionTimeoutMsMax: 400,
      heartbeatMs: 50,
      preVote: false,
      checkQuorum: false,
      readMode: 'read-index',
    },
    network: {
      ...base.network,
      delayMsMin: 5,
      delayMsMax: 10,
      dropRate: 0,
      dupRate: 0.3,
      longDelayRate: 0.3,
      longDelayMsMax: 1500,
    },
    faults: { ...base.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
    clientsCfg: { ...base.clientsCfg, requestTimeoutMs: 400, opDeadlineMs: 400 },
  };
  const faults: Fault[] = [
    { atMs: 10, type: 'campaign', node: 1 },
    { atMs: 2000, type: 'crash', node: 1 },
    { atMs: 2050, type: 'restart', node: 1 },
    { atMs: 2100, type: 'campaign', node: 1 },
    { atMs: 2600, type: 'partition', groups: [[1], [2, 3]] },
    { atMs: 2700, type: 'campaign', node: 2 },
  ];
  const ops: ScheduledOp[] = [
    { client: 2, atMs: 2900, op: { type: 'put', key: 'k', value: 'new' } },
    { client: 1, atMs: 3300, op: { type: 'get', key: 'k' } },
  ];
  return { version: 1, seed: STALE_ROUND_ACK_SEED, config, faults, ops };
}

/**
 * The first seed whose streams send client 1 to S1 and client 2 elsewhere, and whose network
 * delivers late copies of S1's term-1 AppendEntries to both followers after term 2 began
 * (test/reads.test.ts checks that the story plays out on it).
 */
export const STALE_ROUND_ACK_SEED = 28;

export const STALE_ROUND_ACK_COMMENT =
  'A restarted leader and its old rounds: S1 leads term 1 long enough to count 40 heartbeat rounds, ' +
  'crashes, restarts with its round counter at 0 and wins term 2. Late duplicates of its term-1 ' +
  'AppendEntries reach S2 and S3 in term 2; each rejects one with its term and the old round it ' +
  'echoes. S1 is cut off, S2 wins term 3 and commits k=new; client 1 then reads k at S1. With ' +
  'stale-round-ack, S1 took the echoes as acknowledgements of rounds it had not sent yet and answers ' +
  'the read at once from stale state (linearizability); the correct node ignores replies to another ' +
  "term's requests, the read times out at S1 and is served by the new leader.";
