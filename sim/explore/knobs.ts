// The swarm's independent knobs: every config knob a hand-tuned layer sets is also drawn here, on
// its own, on a share of the seeds, so that no combination of knobs is out of reach of a sweep —
// a sticky client under a figure-8 churn, a lease read with batch-1 catch-ups and a hot key —
// whether or not a layer was tuned for it. Each knob is drawn whatever the outcome, from this
// stream only, so that a knob added later leaves the others' draws as they were.

import { DEFAULT_LEASE_DRIFT_PPM, type ReadMode } from '../../src/raft/types.ts';
import { chance, intBetween, pick, type Random } from '../engine/rng.ts';
import {
  CLIENT_ROUTINGS,
  type ClientRouting,
  type CompactionConfig,
  PARTITION_SHAPES,
  type PartitionShape,
  type SimConfig,
} from '../model/config.ts';

/** Chance that one knob is drawn away from what the base mix (or a layer) gave it. */
export const KNOB_CHANCE = 0.25;

/** Rates are kept to 3 decimals so that a profile prints and saves exactly as it runs. */
function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The read modes drawn: never 'unsafe-local', which is stale by design. */
export const DRAWN_READ_MODES: readonly ReadMode[] = ['log', 'read-index', 'lease'];

/**
 * Draws each knob independently. Bounds keep a correct Raft correct and judgeable: heartbeats at
 * most half the shortest election timeout (a correct cluster keeps its leader), clock drift within
 * half the lease's drift bound (two clocks then differ by at most the bound, as lease reads assume).
 */
export function drawKnobs(rng: Random, c: SimConfig, membershipAllowed: boolean): SimConfig {
  const p = KNOB_CHANCE;
  const timeoutsOn = chance(rng, p);
  const electionTimeoutMsMin = pick(rng, [30, 50, 100, 150, 300]);
  const electionSpread = pick(rng, [1.25, 1.5, 2, 3]);
  const heartbeatOn = chance(rng, p);
  const heartbeatShare = pick(rng, [0.1, 0.2, 0.33, 0.5]);
  const batchOn = chance(rng, p);
  const maxEntriesPerAppend = pick(rng, [1, 2, 4, 16, 64, 256]);
  const routingOn = chance(rng, p);
  const routing: ClientRouting = pick(rng, CLIENT_ROUTINGS);
  const leaseOn = chance(rng, p);
  const leaseDriftPpm = pick(rng, [
    DEFAULT_LEASE_DRIFT_PPM,
    2 * DEFAULT_LEASE_DRIFT_PPM,
    5 * DEFAULT_LEASE_DRIFT_PPM,
  ]);
  const clockShare = pick(rng, [0, 0.25, 0.5]);
  const hotOn = chance(rng, p);
  const hotKeyShare = pick(rng, [0.5, 0.8, 0.95]);
  const keysOn = chance(rng, p);
  const keys = pick(rng, [1, 2, 5, 20]);
  const opGapOn = chance(rng, p);
  // Not below 25 ms, nor a quiet period below the default 5 s: with small batches a follower
  // that lagged through the faults catches up a few entries per round trip, and a faster workload
  // or a shorter quiet period left the correct node without a commit within the bound (a
  // liveness failure explore found with 10 ms gaps, batches of 2 and 3 s of quiet).
  const opIntervalMsMean = pick(rng, [25, 50, 200, 1000]);
  const quietOn = chance(rng, p);
  const quietMs = pick(rng, [5000, 7500, 10_000]);
  const shapesOn = chance(rng, p);
  const oneShape: PartitionShape = pick(rng, PARTITION_SHAPES);
  const everyShape = chance(rng, 0.5);
  const readOn = chance(rng, p);
  const readMode = pick(rng, DRAWN_READ_MODES);
  const membershipOn = chance(rng, p / 2);
  const spares = intBetween(rng, 1, 3);
  const changesPerMin = 2 + 10 * rng();
  // After every draw above, so that those keep their values.
  const compactionOn = chance(rng, p);
  const compaction: CompactionConfig = {
    trigger: chance(rng, 0.3) ? 'applied' : 'size',
    entries: pick(rng, [2, 3, 4, 8, 16, 64]),
  };
  const chunkOn = chance(rng, p);
  const snapshotChunkBytes = pick(rng, [16, 64, 256, 4096]);

  const raft = c.raft;
  const electionMin = timeoutsOn ? electionTimeoutMsMin : raft.electionTimeoutMsMin;
  const electionMax = timeoutsOn
    ? Math.round(electionTimeoutMsMin * electionSpread)
    : raft.electionTimeoutMsMax;
  const heartbeatMs = heartbeatOn
    ? Math.max(5, Math.floor(electionMin * heartbeatShare))
    : Math.min(raft.heartbeatMs, Math.max(5, Math.floor(electionMin / 2)));
  const drift = leaseOn ? leaseDriftPpm : (raft.leaseDriftPpm ?? DEFAULT_LEASE_DRIFT_PPM);
  const k = c.clientsCfg;
  return {
    ...c,
    quietMs: quietOn ? Math.min(quietMs, c.timeMs) : c.quietMs,
    clockDriftPpmMax: leaseOn ? Math.floor(drift * clockShare) : c.clockDriftPpmMax,
    raft: {
      ...raft,
      electionTimeoutMsMin: electionMin,
      electionTimeoutMsMax: electionMax,
      heartbeatMs,
      maxEntriesPerAppend: batchOn ? maxEntriesPerAppend : raft.maxEntriesPerAppend,
      readMode: readOn ? readMode : raft.readMode,
      ...(leaseOn ? { leaseDriftPpm } : {}),
      ...(chunkOn ? { snapshotChunkBytes } : {}),
    },
    faults: {
      ...c.faults,
      ...(shapesOn ? { partitionShapes: everyShape ? [...PARTITION_SHAPES] : [oneShape] } : {}),
    },
    clientsCfg: {
      ...k,
      keys: keysOn ? keys : k.keys,
      opIntervalMsMean: opGapOn ? opIntervalMsMean : k.opIntervalMsMean,
      ...(routingOn ? { routing } : {}),
      ...(hotOn ? { hotKeyShare } : {}),
    },
    ...(membershipOn && membershipAllowed
      ? { membership: { spares, changesPerMin: round3(changesPerMin) } }
      : {}),
    ...(compactionOn ? { compaction } : {}),
  };
}
