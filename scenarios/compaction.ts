// The log compaction scenarios (paper §7), in the spirit of 6.5840's Lab 3D tests, built by
// scenarios/build.ts. Unlike Figure 8 they script no elections: they run the ordinary timers and
// say only what happens to the cluster, so their meaning does not hang on who wins when.

import { defaultConfig, type SimConfig } from '../sim/model/config.ts';
import type { Fault, Schedule, ScheduledOp } from '../sim/model/schedule.ts';

/** A steady writer per client: `count` puts, `gapMs` apart from `fromMs`, each to its own key. */
function writes(clients: number, count: number, fromMs: number, gapMs: number): ScheduledOp[] {
  const ops: ScheduledOp[] = [];
  for (let k = 0; k < count; k++) {
    for (let c = 1; c <= clients; c++) {
      ops.push({ client: c, atMs: fromMs + k * gapMs, op: { type: 'put', key: `k${c}`, value: `v${k}` } });
    }
  }
  return ops;
}

/** 3 nodes, compacting every few entries, no random faults: the schedule's own faults only. */
function compactingConfig(timeMs: number, unreliable: boolean): SimConfig {
  const base = defaultConfig();
  return {
    ...base,
    nodes: 3,
    clients: 2,
    timeMs,
    quietMs: 2000,
    raft: { ...base.raft, snapshotChunkBytes: 48 },
    network: unreliable
      ? { ...base.network, delayMsMin: 1, delayMsMax: 30, dropRate: 0.1, dupRate: 0.1, longDelayRate: 0.02 }
      : { ...base.network, dropRate: 0, dupRate: 0, longDelayRate: 0 },
    faults: { ...base.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
    compaction: { trigger: 'size', entries: 4 },
  };
}

export const CATCH_UP_COMMENT =
  'Lab 3D, InstallSnapshot: three nodes compact every 4 entries. S3 is cut off for three seconds ' +
  'while the other two commit and compact well past its log; when the partition heals, the leader ' +
  'has compacted what S3 lacks and brings it up to date with a chunked InstallSnapshot (48-byte ' +
  'chunks), then AppendEntries from there. Every property holds, and S3 applies the writes it missed. ' +
  'With --bug snapshot-forgets-term the first snapshot records term 0 and state-machine-safety reports it.';

/** A follower cut off while the leader compacts, then caught up by InstallSnapshot. */
export function catchUpSchedule(): Schedule {
  const faults: Fault[] = [
    {
      atMs: 1000,
      type: 'partition',
      groups: [[1, 2], [3]],
    },
    { atMs: 4000, type: 'heal' },
  ];
  return { version: 1, seed: 3, config: compactingConfig(7000, false), faults, ops: writes(2, 40, 300, 100) };
}

export const CATCH_UP_UNRELIABLE_COMMENT =
  'Lab 3D, the same over an unreliable network with crashes: 10% of messages lost, 10% duplicated, ' +
  'delays from 1 to 30 ms and some much longer (so InstallSnapshot chunks arrive lost, twice and out ' +
  'of order), S3 cut off while the others compact, then S3 and the leader-side nodes crashed and ' +
  'restarted from their snapshots during the catch-up. Every property holds.';

export function catchUpUnreliableSchedule(): Schedule {
  const faults: Fault[] = [
    { atMs: 1000, type: 'partition', groups: [[1, 2], [3]] },
    { atMs: 3500, type: 'heal' },
    { atMs: 3600, type: 'crash', node: 3 },
    { atMs: 3900, type: 'restart', node: 3 },
    { atMs: 4200, type: 'crash', node: 1 },
    { atMs: 4600, type: 'restart', node: 1 },
    { atMs: 4700, type: 'crash', node: 2 },
    { atMs: 5000, type: 'restart', node: 2 },
  ];
  return { version: 1, seed: 5, config: compactingConfig(8000, true), faults, ops: writes(2, 50, 300, 100) };
}

export const ALL_RESTART_COMMENT =
  'Lab 3D, every node crashed and restarted from its snapshot: the service snapshots every 5 applied ' +
  'entries (as 6.5840\u2019s tester does); all three nodes crash at once, twice, and each starts from its ' +
  'snapshot and log tail with lastApplied at the snapshot. Nothing committed is lost: the cluster ' +
  'commits on from where it was, and every property holds.';

export function allRestartSchedule(): Schedule {
  const base = compactingConfig(7000, false);
  const config: SimConfig = { ...base, compaction: { trigger: 'applied', entries: 5 } };
  const faults: Fault[] = [];
  for (const atMs of [1500, 3500]) {
    for (const node of [1, 2, 3]) faults.push({ atMs, type: 'crash', node });
    for (const node of [1, 2, 3]) faults.push({ atMs: atMs + 300 + 50 * node, type: 'restart', node });
  }
  return { version: 1, seed: 7, config, faults, ops: writes(2, 45, 200, 100) };
}
