// The membership scenarios (scenarios/membership-joint.json, scenarios/membership-single-server-bug.json),
// built by scenarios/build.ts from the hand-written schedules below. Like Figure 8 they switch
// spontaneous elections off and say who campaigns when; the network is exact (10 ms per message).

import type { SimConfig } from '../sim/model/config.ts';
import type { Fault, Schedule, ScheduledOp } from '../sim/model/schedule.ts';

export const JOINT_COMMENT =
  "The paper's Figure 11: S1 leads C_old = {S1,S2,S3}; spares S4 and S5 join as learners and catch " +
  'up, then one joint change replaces S1 and S2 by S4 and S5. S1 appends C_old,new, which commits ' +
  'with a majority of each half, appends C_new = {S3,S4,S5} on its own, manages its commitment without ' +
  'counting itself, and steps down once it commits. S4 is then elected by the new configuration and ' +
  'a client write commits there. Every property holds; with --bug joint-skip S1 goes from C_old to ' +
  'C_new in one step and membership-safety reports it.';

/** Figure 11's timeline on 3 voters and 2 spares. */
export function membershipJointSchedule(scripted: (o: ScriptedSize) => SimConfig): Schedule {
  const base = scripted({ nodes: 3, clients: 1, timeMs: 2000, spares: 2 });
  // A client that asks a removed server is sent back and forth between S1 and S2, which no longer
  // know the leader; it gets out by timing out, so the timeout is short.
  const config = { ...base, clientsCfg: { ...base.clientsCfg, requestTimeoutMs: 100, opDeadlineMs: 900 } };
  const faults: Fault[] = [
    { atMs: 10, type: 'campaign', node: 1 },
    { atMs: 100, type: 'membership', change: { type: 'add-learner', node: 4 } },
    { atMs: 100, type: 'membership', change: { type: 'add-learner', node: 5 } },
    { atMs: 100, type: 'membership', change: { type: 'joint', voters: [3, 4, 5] } },
    // S1 has stepped down by now; the new configuration elects S4.
    { atMs: 800, type: 'campaign', node: 4 },
  ];
  const ops: ScheduledOp[] = [
    { client: 1, atMs: 1000, op: { type: 'put', key: 'x', value: 'after-the-change' } },
  ];
  return { version: 1, seed: 11, config, faults, ops };
}

export const SINGLE_SERVER_COMMENT =
  'The single-server change bug Ongaro reported in 2015 (raft-dev, "bug in single-server membership ' +
  'changes"), on four servers and a spare. S1 leads term 1 of {S1..S4} and adds S5 as a learner. Cut off ' +
  'with S5, S1 promotes it: C1 = {S1..S5} reaches S5 only, and S1 crashes. S2 wins term 2 with S3 and ' +
  'S4, and is asked to remove S1 at once: its no-op has not committed. With --bug change-before-term-commit ' +
  'S2 appends C2 = {S2,S3,S4} and commits it with S3 alone (a majority of C2), while S4 never hears of ' +
  'term 2 entries. S1 restarts and wins term 3 with S4 and S5 (a majority of C1), and S2 wins term 3 ' +
  'with S3 (a majority of C2): two leaders in one term. membership-safety reports the premise first — ' +
  "a configuration appended before any entry of the leader's term committed — and with that check left " +
  'out (test/membership.test.ts) election-safety reports the two leaders. Without the bug S2 refuses ' +
  'the change until its no-op commits, which needs S4, and every property holds.';

/** The published counterexample, step by step. */
export function singleServerBugSchedule(scripted: (o: ScriptedSize) => SimConfig): Schedule {
  const config = scripted({ nodes: 4, clients: 0, timeMs: 1500, spares: 1 });
  const faults: Fault[] = [
    { atMs: 10, type: 'campaign', node: 1 },
    { atMs: 100, type: 'membership', change: { type: 'add-learner', node: 5 } },
    // S1 and S5 apart from the rest; S1 promotes S5, and only S5 stores C1.
    {
      atMs: 300,
      type: 'partition',
      groups: [
        [1, 5],
        [2, 3, 4],
      ],
    },
    { atMs: 310, type: 'membership', change: { type: 'promote', node: 5 }, to: 1 },
    { atMs: 350, type: 'crash', node: 1 },
    // S2 wins term 2 with S3 and S4 (votes back at t=420) ...
    { atMs: 400, type: 'campaign', node: 2 },
    // ... then S4 hears nothing more from S2: it keeps a log of term 1 only.
    { atMs: 425, type: 'link', from: 2, to: 4, up: false },
    // Asked before S2's no-op can commit (it needs S4 in {S1..S4}).
    { atMs: 430, type: 'membership', change: { type: 'remove', node: 1 }, to: 2 },
    // S1 returns on S4 and S5's side; S2 and S3 on theirs. Both campaign for term 3.
    { atMs: 600, type: 'restart', node: 1 },
    {
      atMs: 600,
      type: 'partition',
      groups: [
        [1, 4, 5],
        [2, 3],
      ],
    },
    // S1's first campaign (term 2) fails at S4, which voted for S2. S2 restarts (a leader does not
    // campaign) and wins term 3 with S3 (t=670); S1's second campaign is for term 3 too, and wins
    // it with S4 and S5 (t=720).
    { atMs: 610, type: 'campaign', node: 1 },
    { atMs: 640, type: 'crash', node: 2 },
    { atMs: 645, type: 'restart', node: 2 },
    { atMs: 650, type: 'campaign', node: 2 },
    { atMs: 700, type: 'campaign', node: 1 },
    { atMs: 1200, type: 'heal' },
  ];
  return { version: 1, seed: 2015, config, faults, ops: [] };
}

export interface ScriptedSize {
  readonly nodes: number;
  readonly clients: number;
  readonly timeMs: number;
  readonly spares: number;
}
