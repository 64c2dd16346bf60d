// Builds the scripted scenarios (scenarios/figure8.json, scenarios/stale-leader.json) from
// hand-written schedules: `npx tsx scenarios/build.ts` rewrites both files. The JSON is what CI
// replays; this script is how it was made, and test/scenarios.test.ts checks that the two agree.
//
// Both scenarios switch spontaneous elections off (an election timeout far beyond the run) and
// say who campaigns when with `campaign` directives. The network is exact (a fixed 10 ms delay,
// no loss, no duplicates), so every arrival time below can be worked out by hand.

import { pathToFileURL } from 'node:url';
import { intBetween, stream } from '../sim/engine/rng.ts';
import { runForOutcome } from '../sim/explore/replay.ts';
import { shrinkSchedule } from '../sim/explore/shrink.ts';
import { defaultConfig, type SimConfig } from '../sim/model/config.ts';
import type { Fault, Schedule, ScheduledOp } from '../sim/model/schedule.ts';
import { type Expectation, makeTraceFile, type TraceFile, writeTraceFile } from '../sim/model/trace-file.ts';
import {
  ALL_RESTART_COMMENT,
  allRestartSchedule,
  CATCH_UP_COMMENT,
  CATCH_UP_UNRELIABLE_COMMENT,
  catchUpSchedule,
  catchUpUnreliableSchedule,
} from './compaction.ts';
import {
  JOINT_COMMENT,
  membershipJointSchedule,
  type ScriptedSize,
  SINGLE_SERVER_COMMENT,
  singleServerBugSchedule,
} from './membership.ts';
import { buildReadScenarios, STALE_ROUND_ACK_COMMENT, staleRoundAckSchedule } from './stale-leader-reads.ts';

/** One-way delay of every message, node to node and client to node. */
export const DELAY_MS = 10;
/** Longer than any scenario: nodes only campaign when told to. */
const NO_SPONTANEOUS_ELECTION_MS = 100_000;

function scriptedConfig(overrides: { nodes: number; clients: number; timeMs: number }): SimConfig {
  const base = defaultConfig();
  return {
    ...base,
    nodes: overrides.nodes,
    clients: overrides.clients,
    timeMs: overrides.timeMs,
    // No quiet period: liveness is not judged (elections happen only when scripted).
    quietMs: 0,
    raft: {
      ...base.raft,
      electionTimeoutMsMin: NO_SPONTANEOUS_ELECTION_MS,
      electionTimeoutMsMax: NO_SPONTANEOUS_ELECTION_MS,
      // One entry per AppendEntries, so that which entry reaches whom can be scripted.
      maxEntriesPerAppend: 1,
    },
    network: {
      ...base.network,
      delayMsMin: DELAY_MS,
      delayMsMax: DELAY_MS,
      dropRate: 0,
      dupRate: 0,
      longDelayRate: 0,
    },
    faults: { ...base.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
  };
}

/** A scripted config with spare servers: membership operations come only from the schedule. */
function scriptedWithSpares(size: ScriptedSize): SimConfig {
  return { ...scriptedConfig(size), membership: { spares: size.spares, changesPerMin: 0 } };
}

// ---------------------------------------------------------------------------------------------
// Figure 8

export const FIGURE8_COMMENT =
  "Figure 8 of the Raft paper, 5 servers (sim terms 1, 2, 3, 4 play the paper's 2, 3, 4, 5). " +
  'S1 leads term 1 and replicates index 2 only to S2, then crashes. S5 wins term 2 with S3, S4 and ' +
  'itself, appends its own index 2, and crashes before sending it. S1 returns, wins term 3 and ' +
  'replicates its term-1 entry at index 2 to S3: it is now on a majority (S1, S2, S3). ' +
  'With --bug figure8 S1 commits it by counting replicas, crashes, and S5 is elected in term 4 ' +
  'without it: the harness reports leader-completeness at that election, the first property to ' +
  'break (state-machine-safety would follow once S5 overwrites index 2). Without the bug S1 may ' +
  'not commit an entry of an earlier term by counting, index 2 is never committed, S5 legitimately ' +
  'overwrites it, and every property holds.';

export function figure8Schedule(): Schedule {
  const config = scriptedConfig({ nodes: 5, clients: 1, timeMs: 2000 });
  const faults: Fault[] = [
    // S1 leads term 1; its no-op (index 1) reaches everyone and commits.
    { atMs: 10, type: 'campaign', node: 1 },
    // S1 can reach only S2: the client's write becomes index 2 on S1 and S2 alone.
    {
      atMs: 200,
      type: 'partition',
      groups: [
        [1, 2],
        [3, 4, 5],
      ],
    },
    { atMs: 400, type: 'crash', node: 1 },
    // S5 wins term 2 with S3 and S4 (votes back at t=520) and appends its no-op at index 2 ...
    { atMs: 500, type: 'campaign', node: 5 },
    // ... which is cut off in flight (it would arrive at t=530); then S5 crashes.
    { atMs: 521, type: 'partition', groups: [[1, 2, 3, 4], [5]] },
    { atMs: 600, type: 'crash', node: 5 },
    // S1 returns. Its first campaign (term 2) fails: S3 and S4 voted for S5 in term 2.
    { atMs: 700, type: 'restart', node: 1 },
    { atMs: 710, type: 'campaign', node: 1 },
    // The second wins term 3 with S2, S3 and S4 (votes back at t=820).
    { atMs: 800, type: 'campaign', node: 1 },
    // S4 gets nothing from S1 (the paper's S4 holds only index 1).
    { atMs: 815, type: 'link', from: 1, to: 4, up: false },
    // S2 takes S1's term-3 no-op (index 3); S3, too short, is backfilled with index 2 and acks it
    // at t=860 — the moment the buggy leader commits index 2. The no-op that S1 sends S3 next is
    // cut off in flight, and S1 crashes.
    { atMs: 861, type: 'partition', groups: [[1], [2, 3, 4, 5]] },
    { atMs: 870, type: 'crash', node: 1 },
    // S5 returns; term 3 is taken (its campaign fails), in term 4 S3 and S4 elect it (t=1020).
    { atMs: 900, type: 'restart', node: 5 },
    { atMs: 910, type: 'campaign', node: 5 },
    { atMs: 1000, type: 'campaign', node: 5 },
    // Without the bug: S5 replicates and commits its log; S1 comes back and is overwritten too.
    { atMs: 1500, type: 'heal' },
    { atMs: 1500, type: 'restart', node: 1 },
  ];
  // Deadline before anything else happens: one attempt, then the client gives up, so that its
  // retries do not add entries to the story.
  const ops: ScheduledOp[] = [{ client: 1, atMs: 250, op: { type: 'put', key: 'x', value: 'figure8' } }];
  return {
    version: 1,
    seed: 8,
    config: { ...config, clientsCfg: { ...config.clientsCfg, requestTimeoutMs: 300, opDeadlineMs: 300 } },
    faults,
    ops,
  };
}

// ---------------------------------------------------------------------------------------------
// Stale leader

export const STALE_LEADER_COMMENT =
  'A stale leader in a minority: 5 nodes A..E are S1..S5. B (S2) leads term 1; a partition leaves ' +
  'it with A in a minority while C, D, E elect E (S5) in term 2 and commit new writes from client 2. ' +
  'Client 1 keeps writing to B, which still believes it leads: B appends the writes but can never ' +
  'commit them, so client 1 gets no success, only timeouts. When the partition heals B sees term 2, ' +
  "steps down, and its uncommitted entries are overwritten by E's log. Every property holds.";

/** Nodes of the story by letter. */
export const STALE = { A: 1, B: 2, C: 3, D: 4, E: 5 } as const;
export const STALE_PARTITION_MS = 200;
export const STALE_HEAL_MS = 2500;

/**
 * The first seed whose client streams send client 1 to B and client 2 to E first: clients
 * choose their first node from their own stream, and the story needs these two choices.
 */
export function staleLeaderSeed(): number {
  for (let seed = 1; ; seed++) {
    const first1 = intBetween(stream(seed, 'client', 1), 1, 5);
    const first2 = intBetween(stream(seed, 'client', 2), 1, 5);
    if (first1 === STALE.B && first2 === STALE.E) return seed;
  }
}

export function staleLeaderSchedule(): Schedule {
  const config = scriptedConfig({ nodes: 5, clients: 2, timeMs: 3500 });
  const { B, E } = STALE;
  const faults: Fault[] = [
    { atMs: 10, type: 'campaign', node: B },
    {
      atMs: STALE_PARTITION_MS,
      type: 'partition',
      groups: [
        [1, 2],
        [3, 4, 5],
      ],
    },
    { atMs: 300, type: 'campaign', node: E },
    { atMs: STALE_HEAL_MS, type: 'heal' },
  ];
  const put = (client: number, atMs: number, value: string): ScheduledOp => ({
    client,
    atMs,
    op: { type: 'put', key: 'k', value },
  });
  const ops: ScheduledOp[] = [
    // To B: appended by a leader that cannot commit; the client gives up (outcome unknown).
    put(1, 400, 'to-B-1'),
    put(1, 1300, 'to-B-2'),
    // To E: committed by the majority side.
    put(2, 400, 'to-E-1'),
    put(2, 500, 'to-E-2'),
    put(2, 600, 'to-E-3'),
  ];
  return {
    version: 1,
    seed: staleLeaderSeed(),
    // A request outlives the op's deadline, so a client never retries at another node: what B
    // was sent stays B's to answer.
    config: { ...config, clientsCfg: { ...config.clientsCfg, requestTimeoutMs: 1000, opDeadlineMs: 800 } },
    faults,
    ops,
  };
}

// ---------------------------------------------------------------------------------------------
// Forget vote: sweeps have not found it yet (a vote, a crash and a restart, and a second request
// in the same term must line up), so its trace starts from a script and is then shrunk.

export function forgetVoteSchedule(): Schedule {
  const config = scriptedConfig({ nodes: 3, clients: 0, timeMs: 200 });
  const faults: Fault[] = [
    // Two candidates in term 1. S1's request reaches S2 at t=11 and gets its vote ...
    { atMs: 1, type: 'campaign', node: 1 },
    { atMs: 5, type: 'campaign', node: 3 },
    // ... S2 crashes and restarts before S3's request arrives (t=15): its vote was never written.
    { atMs: 12, type: 'crash', node: 2 },
    { atMs: 13, type: 'restart', node: 2 },
  ];
  return { version: 1, seed: 1, config, faults, ops: [] };
}

// ---------------------------------------------------------------------------------------------

const BUILD_COMMAND = 'npx tsx scenarios/build.ts';
/** The budget the bug traces below are shrunk with (runs: deterministic). */
const SHRINK_RUNS = 1000;

/** A bug trace for scenarios/bugs/: the scripted schedule shrunk with the bug on. */
function shrunkBugTrace(bug: string, schedule: Schedule, comment: string, raftsimVersion: string): TraceFile {
  const r = shrinkSchedule(schedule, { bugs: [bug], budget: { kind: 'runs', runs: SHRINK_RUNS } });
  return makeTraceFile({
    comment,
    schedule: r.schedule,
    expectations: [{ bugs: [bug], outcome: r.outcome }],
    meta: {
      raftsimVersion,
      command: BUILD_COMMAND,
      shrink: { before: r.before, after: r.after, runs: r.runs, complete: r.complete },
    },
  });
}

function expectationFor(schedule: Schedule, bugs: readonly string[]): Expectation {
  return { bugs: [...bugs], outcome: runForOutcome(schedule, { bugs, recentEvents: 0 }).outcome };
}

/** The scenario files, keyed by path relative to the repository root. */
export function buildScenarios(raftsimVersion: string): Map<string, TraceFile> {
  const files = new Map<string, TraceFile>();
  const meta = { raftsimVersion, command: BUILD_COMMAND };
  const f8 = figure8Schedule();
  files.set(
    'scenarios/figure8.json',
    makeTraceFile({
      comment: FIGURE8_COMMENT,
      schedule: f8,
      expectations: [expectationFor(f8, ['figure8']), expectationFor(f8, [])],
      meta,
    }),
  );
  const stale = staleLeaderSchedule();
  files.set(
    'scenarios/stale-leader.json',
    makeTraceFile({
      comment: STALE_LEADER_COMMENT,
      schedule: stale,
      expectations: [expectationFor(stale, [])],
      meta,
    }),
  );
  files.set(
    'scenarios/bugs/figure8.json',
    shrunkBugTrace(
      'figure8',
      f8,
      'Shrunk from scenarios/figure8.json with the figure8 bug on (seed sweeps have not found this bug).',
      raftsimVersion,
    ),
  );
  files.set(
    'scenarios/bugs/forget-vote.json',
    shrunkBugTrace(
      'forget-vote',
      forgetVoteSchedule(),
      'Shrunk from a scripted schedule (seed sweeps have not found this bug): S2 votes for S1, ' +
        'crashes and restarts without its vote, and votes for S3 in the same term.',
      raftsimVersion,
    ),
  );
  const staleRounds = staleRoundAckSchedule();
  files.set(
    'scenarios/stale-round-ack.json',
    makeTraceFile({
      comment: STALE_ROUND_ACK_COMMENT,
      schedule: staleRounds,
      expectations: [expectationFor(staleRounds, ['stale-round-ack']), expectationFor(staleRounds, [])],
      meta,
    }),
  );
  files.set(
    'scenarios/bugs/stale-round-ack.json',
    shrunkBugTrace(
      'stale-round-ack',
      staleRounds,
      'Shrunk from scenarios/stale-round-ack.json with the stale-round-ack bug on (a clean sweep of ' +
        'the reference node found it at swarm seed 23281, whose shrink keeps hundreds of operations).',
      raftsimVersion,
    ),
  );
  const joint = membershipJointSchedule(scriptedWithSpares);
  files.set(
    'scenarios/membership-joint.json',
    makeTraceFile({
      comment: JOINT_COMMENT,
      schedule: joint,
      expectations: [expectationFor(joint, []), expectationFor(joint, ['joint-skip'])],
      meta,
    }),
  );
  const single = singleServerBugSchedule(scriptedWithSpares);
  files.set(
    'scenarios/membership-single-server-bug.json',
    makeTraceFile({
      comment: SINGLE_SERVER_COMMENT,
      schedule: single,
      expectations: [expectationFor(single, ['change-before-term-commit']), expectationFor(single, [])],
      meta,
    }),
  );
  // Log compaction, in the spirit of 6.5840's Lab 3D (scenarios/compaction.ts).
  for (const [path, comment, schedule, bugs] of [
    ['scenarios/snapshot-catch-up.json', CATCH_UP_COMMENT, catchUpSchedule(), ['snapshot-forgets-term']],
    [
      'scenarios/snapshot-catch-up-unreliable.json',
      CATCH_UP_UNRELIABLE_COMMENT,
      catchUpUnreliableSchedule(),
      [],
    ],
    ['scenarios/snapshot-all-restart.json', ALL_RESTART_COMMENT, allRestartSchedule(), []],
  ] as const) {
    const expectations = [expectationFor(schedule, []), ...bugs.map((b) => expectationFor(schedule, [b]))];
    files.set(path, makeTraceFile({ comment, schedule, expectations, meta }));
  }
  // The read half of the stale-leader story and the read bugs' traces (scenarios/stale-leader-reads.ts).
  for (const [path, trace] of buildReadScenarios(raftsimVersion, BUILD_COMMAND)) files.set(path, trace);
  return files;
}

async function main(): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  for (const [path, trace] of buildScenarios(pkg.version)) {
    writeTraceFile(new URL(`../${path}`, import.meta.url).pathname, trace);
    const summary = trace.expectations
      .map(
        (e) =>
          `[${e.bugs.join(', ')}] → ${e.outcome.status === 'ok' ? 'all hold' : `${e.outcome.property} at step ${e.outcome.step}`}`,
      )
      .join('; ');
    process.stdout.write(`${path}: ${summary}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
