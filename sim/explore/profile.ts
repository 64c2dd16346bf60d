import { DEFAULT_LEASE_DRIFT_PPM, DEFAULT_RAFT_CONFIG, type ReadMode } from '../../src/raft/types.ts';
import { chance, intBetween, pick, type Random, stream } from '../engine/rng.ts';
import {
  type ClientRouting,
  type CompactionConfig,
  DEFAULT_CLIENT_CONFIG,
  DEFAULT_PARTITION_SHAPES,
  defaultConfig,
  defaultLivenessBoundMs,
  type PartitionShape,
  type SimConfig,
  SMALL_BATCH,
} from '../model/config.ts';
import { drawKnobs } from './knobs.ts';

/**
 * What a user can set from the command line. Anything set here wins over the profile, so that
 * `--seed N --drop 0` means exactly that in both profiles.
 */
export interface ConfigOverrides {
  nodes?: number;
  clients?: number;
  timeMs?: number;
  dropRate?: number;
  dupRate?: number;
  delayMsMin?: number;
  delayMsMax?: number;
  partitionsPerMin?: number;
  crashesPerMin?: number;
  pausesPerMin?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  readMode?: ReadMode;
  /** Membership operations per virtual minute (0: none). */
  membershipPerMin?: number;
  /** Spare servers beyond the initial voters. */
  spares?: number;
  // The knobs the swarm draws on its own (sim/explore/knobs.ts), one flag each.
  electionTimeoutMsMin?: number;
  electionTimeoutMsMax?: number;
  heartbeatMs?: number;
  maxEntriesPerAppend?: number;
  routing?: ClientRouting;
  leaseDriftPpm?: number;
  clockDriftPpmMax?: number;
  hotKeyShare?: number;
  keys?: number;
  opIntervalMsMean?: number;
  quietMs?: number;
  longDelayRate?: number;
  partitionShapes?: PartitionShape[];
  downMsMin?: number;
  downMsMax?: number;
  partitionMsMin?: number;
  partitionMsMax?: number;
  pauseMsMin?: number;
  pauseMsMax?: number;
  /** Log compaction (null: off). */
  compaction?: CompactionConfig | null;
  /** Most snapshot bytes one InstallSnapshot carries. */
  snapshotChunkBytes?: number;
}

/**
 * 'swarm': every layer; 'random': the swarm without its hand-tuned layers (figure-8, reads,
 * stickiness, lease failover, membership) — the base mix, the storms and every knob drawn on its
 * own, the baseline that coverage-guided exploration is measured against; 'fixed': no draws.
 */
export type ProfileMode = 'swarm' | 'random' | 'fixed';
export const PROFILE_MODES: readonly ProfileMode[] = ['swarm', 'random', 'fixed'];

/**
 * Swarm testing (as in TigerBeetle's VOPR): each seed draws its own fault profile — which fault
 * families are on, their rates, the cluster size and the client count — so that a sweep covers
 * quiet clusters, lossy ones and crash storms instead of one average mix. The profile has its
 * own stream, so it depends on the seed alone and a single seed replays its profile exactly.
 */
function drawSwarm(seed: number, base: SimConfig, tunedLayers = true): SimConfig {
  const rng = stream(seed, 'profile');
  // Every draw happens whatever the outcome, to keep the stream aligned across versions of a profile.
  const nodes = pick(rng, [3, 3, 4, 5, 5, 5, 7]);
  const clients = intBetween(rng, 1, 8);
  const partitionsOn = chance(rng, 0.7);
  const partitionsPerMin = 1 + 5 * rng();
  const crashesOn = chance(rng, 0.6);
  const crashesPerMin = 0.5 + 3.5 * rng();
  const pausesOn = chance(rng, 0.5);
  const pausesPerMin = 0.5 + 3.5 * rng();
  const lossy = chance(rng, 0.6);
  const dropRate = 0.15 * rng();
  const duplicating = chance(rng, 0.5);
  const dupRate = 0.1 * rng();
  const delayMsMax = pick(rng, [5, 10, 10, 30, 100]);
  const longDelayRate = pick(rng, [0, 0.005, 0.005, 0.02]);
  const drawn: SimConfig = {
    ...base,
    nodes,
    clients,
    network: {
      ...base.network,
      dropRate: lossy ? round3(dropRate) : 0,
      dupRate: duplicating ? round3(dupRate) : 0,
      delayMsMax,
      longDelayRate,
    },
    faults: {
      ...base.faults,
      partitionsPerMin: partitionsOn ? round3(partitionsPerMin) : 0,
      crashesPerMin: crashesOn ? round3(crashesPerMin) : 0,
      pausesPerMin: pausesOn ? round3(pausesPerMin) : 0,
    },
  };
  const knobs = drawKnobs(stream(seed, 'profile', 'knobs'), drawn, !tunedLayers);
  const extreme = drawExtremes(stream(seed, 'profile', 'extremes'), knobs);
  if (!tunedLayers) return withCatchUpTime(extreme);
  const figure8 = drawFigure8(stream(seed, 'profile', 'figure8'), extreme);
  const reads = drawReads(stream(seed, 'profile', 'reads'), figure8);
  const sticky = drawStickiness(stream(seed, 'profile', 'stickiness'), reads);
  const leaseFailover = drawLeaseFailover(stream(seed, 'profile', 'lease-failover'), sticky);
  // The hand-tuned layers shape their seeds' runs closely (node counts, link shapes, read paths):
  // churn is added only where none of them is on, so each keeps finding what it was tuned for.
  const tuned = figure8 !== extreme || reads !== figure8 || sticky !== reads || leaseFailover !== sticky;
  const churn = drawMembership(stream(seed, 'profile', 'membership'), leaseFailover, !tuned);
  return withCatchUpTime(drawCompaction(stream(seed, 'profile', 'compaction'), churn, !tuned));
}

/**
 * The compaction layer (paper §7): on two seeds in five that no hand-tuned layer has taken, nodes
 * snapshot once their log passes 2 to 64 entries (or, as 6.5840's Lab 3D service does, every so
 * many applied entries), InstallSnapshot is cut into chunks of 16 bytes to 4 KiB, and on half of
 * them crashes and partitions last three times longer, so that followers fall behind a compacted
 * log and need a snapshot. Its own stream, as the membership layer's.
 */
function drawCompaction(rng: Random, c: SimConfig, allowed: boolean): SimConfig {
  const on = chance(rng, 0.4);
  const trigger = chance(rng, 0.3) ? 'applied' : 'size';
  const entries = pick(rng, [2, 3, 4, 8, 16, 64]);
  const chunkBytes = pick(rng, [16, 64, 256, 4096]);
  const lagging = chance(rng, 0.5);
  if (!on || !allowed) return c;
  const f = c.faults;
  return {
    ...c,
    compaction: { trigger, entries },
    raft: { ...c.raft, snapshotChunkBytes: chunkBytes },
    faults: lagging ? { ...f, downMsMax: 3 * f.downMsMax, partitionMsMax: 3 * f.partitionMsMax } : f,
  };
}

/**
 * The membership layer (paper §6): on a quarter of the seeds that no hand-tuned layer (figure-8,
 * reads, stickiness, lease failover) has taken, one to three spare servers and a
 * stream of membership operations (sim/explore/generate.ts draws their shapes), at 2 to 12 per
 * virtual minute. Its own stream: the rest of a seed's profile is drawn as before the layer existed.
 */
function drawMembership(rng: Random, c: SimConfig, allowed: boolean): SimConfig {
  const on = chance(rng, 0.25);
  const spares = intBetween(rng, 1, 3);
  const changesPerMin = 2 + 10 * rng();
  if (!on || !allowed) return c;
  return { ...c, membership: { spares, changesPerMin: round3(changesPerMin) } };
}

/**
 * The liveness bound (ten election timeouts) is room for elections, not for re-replicating a
 * backlog. With small AppendEntries batches a follower that lagged through a crash storm catches
 * up a few entries per round trip: seed 7527 needs 3.3 s after the faults end before a majority
 * holds the new leader's no-op again, and the correct node would fail a 3 s bound there. Such
 * profiles get the whole quiet period as their bound. No draw depends on it, so every schedule
 * stays as it was.
 */
export function withCatchUpTime(c: SimConfig): SimConfig {
  if (c.raft.maxEntriesPerAppend > SMALL_BATCH || c.livenessBoundMs >= c.quietMs) return c;
  return { ...c, livenessBoundMs: c.quietMs };
}

/**
 * The second layer of the swarm: on a minority of seeds, one or more fault families is pushed to
 * an extreme that the mix above almost never reaches, because several classic bugs need one:
 *
 * - crash storms with short down times: a node that crashes right after voting and is back within
 *   the same election (a vote that was not made durable is forgotten only then), and the
 *   leader churn that splits votes and leaves followers behind;
 * - short, frequent partitions and pauses: many elections with lagging nodes and deposed leaders
 *   that come back in an old term;
 * - heavy duplication: a vote reply delivered twice;
 * - small AppendEntries batches: a follower far behind gets an earlier term's entries without the
 *   new leader's no-op, which is when counting replicas of old entries (§5.4.2) goes wrong;
 * - PreVote and CheckQuorum, the optional parts, which change how nodes step down within a term.
 *
 * They have their own stream, so the mix above is unchanged for every seed; a seed whose extremes
 * are all off runs exactly the profile it ran before they existed.
 */
function drawExtremes(rng: Random, c: SimConfig): SimConfig {
  // Chaos: every storm at once with one entry per AppendEntries — long catch-ups during leader
  // churn, the only window in which Figure 8 can bite while leaders append a no-op (it stays rare).
  const chaos = chance(rng, 0.1);
  const crashStorm = chaos || chance(rng, 0.3);
  const crashStormPerMin = 20 + 130 * rng();
  const downMsMin = intBetween(rng, 5, 30);
  const downMsMax = pick(rng, [50, 100, 300, 1000]);
  const partitionStorm = chaos || chance(rng, 0.2);
  const partitionStormPerMin = 10 + 30 * rng();
  const partitionMsMin = intBetween(rng, 20, 100);
  const partitionMsMax = pick(rng, [300, 600, 1500]);
  const pauseStorm = chaos || chance(rng, 0.15);
  const pauseStormPerMin = 10 + 30 * rng();
  const pauseMsMax = pick(rng, [200, 400, 800]);
  const dupStorm = chance(rng, 0.2);
  const dupStormRate = 0.2 + 0.3 * rng();
  const smallBatches = chance(rng, 0.25);
  const maxEntriesPerAppend = chaos ? 1 : pick(rng, [1, 1, 2, 4]);
  const preVote = chance(rng, 0.15);
  const checkQuorum = chance(rng, 0.15);
  const f = c.faults;
  return {
    ...c,
    raft: {
      ...c.raft,
      maxEntriesPerAppend: smallBatches || chaos ? maxEntriesPerAppend : c.raft.maxEntriesPerAppend,
      preVote: preVote || c.raft.preVote,
      checkQuorum: checkQuorum || c.raft.checkQuorum,
    },
    network: { ...c.network, dupRate: dupStorm ? round3(dupStormRate) : c.network.dupRate },
    faults: {
      ...f,
      crashesPerMin: crashStorm ? round3(crashStormPerMin) : f.crashesPerMin,
      downMsMin: crashStorm ? downMsMin : f.downMsMin,
      downMsMax: crashStorm ? downMsMax : f.downMsMax,
      partitionsPerMin: partitionStorm ? round3(partitionStormPerMin) : f.partitionsPerMin,
      partitionMsMin: partitionStorm ? partitionMsMin : f.partitionMsMin,
      partitionMsMax: partitionStorm ? partitionMsMax : f.partitionMsMax,
      pausesPerMin: pauseStorm ? round3(pauseStormPerMin) : f.pausesPerMin,
      pauseMsMin: pauseStorm ? 20 : f.pauseMsMin,
      pauseMsMax: pauseStorm ? pauseMsMax : f.pauseMsMax,
    },
  };
}

/**
 * The third layer: on about one seed in eight, a leader-churn profile in which Figure 8 (§5.4.2)
 * becomes reachable. Committing an earlier term's entry by counting replicas goes wrong only when
 * (1) a leader counts an old entry onto a majority before its own no-op gets there, (2) it loses
 * leadership inside that one round trip, and (3) a node whose log ends in a later term, but
 * without that entry, wins the next election. One entry per AppendEntries makes (1) happen at every
 * catch-up; election timeouts shorter than the heartbeat, message loss, and short crashes and
 * partitions make (2) and (3) routine; busy clients keep uncommitted entries in flight, so there
 * are old entries to count and minority-only entries of intermediate terms.
 *
 * Loss stays below 0.18 and the election timeout at 40 ms or more, so that the cluster still
 * commits within the liveness bound once the faults stop (30 ms with 0.18 loss once left a
 * 5-node cluster without a stable leader for longer than that). PreVote and CheckQuorum damp exactly the churn this layer is after, so it turns
 * them off. The no-op on election stays: the point is to find the bug despite it. Its own stream
 * leaves every other seed's profile as it was.
 */
function drawFigure8(rng: Random, c: SimConfig): SimConfig {
  const on = chance(rng, 0.125);
  const nodes = pick(rng, [3, 5, 5]);
  const clients = intBetween(rng, 2, 6);
  const electionTimeoutMsMin = pick(rng, [40, 40, 50]);
  const dropRate = 0.1 + 0.08 * rng();
  const crashesPerMin = 60 + 90 * rng();
  const downMsMax = pick(rng, [50, 100, 200]);
  const partitionsPerMin = 30 + 60 * rng();
  const partitionMsMax = pick(rng, [150, 300]);
  if (!on) return c;
  return {
    ...c,
    nodes,
    clients,
    raft: {
      ...c.raft,
      electionTimeoutMsMin,
      electionTimeoutMsMax: 2 * electionTimeoutMsMin,
      maxEntriesPerAppend: 1,
      preVote: false,
      checkQuorum: false,
    },
    network: { ...c.network, delayMsMin: 1, delayMsMax: 10, dropRate: round3(dropRate), dupRate: 0 },
    faults: {
      ...c.faults,
      crashesPerMin: round3(crashesPerMin),
      downMsMin: 5,
      downMsMax,
      partitionsPerMin: round3(partitionsPerMin),
      partitionMsMin: 20,
      partitionMsMax,
      pausesPerMin: 0,
    },
    clientsCfg: { ...c.clientsCfg, opIntervalMsMean: 50 },
  };
}

/**
 * The fourth layer: on about three seeds in ten, gets bypass the log and are served by ReadIndex
 * or a leader lease (thesis §6.4). The read-path bugs only bite there, and only around a change of
 * leader: a new leader whose commitIndex still lags a write its predecessor committed, or an old
 * leader still trusting its lease while a majority elects another. So most of these seeds also get
 * frequent, short crashes and partitions — many failovers with clients retrying right after each.
 *
 * A correct lease needs CheckQuorum (followers that hear from a leader do not vote it out): half
 * the lease seeds turn it on, so leases are really used; the other half leave it off, where a
 * correct leader falls back to ReadIndex and only a leader that ignores the rule serves from a
 * lease, with PreVote off so that a returning node can depose it at once (no seed in 1..300 finds
 * that bug yet: test/bug-sweeps.test.ts says why). Lease seeds' clock drift stays within the
 * lease's own bound (each clock at most leaseDriftPpm / 2 off, so two clocks differ by at most
 * leaseDriftPpm, the default DEFAULT_LEASE_DRIFT_PPM). 'unsafe-local' is never
 * drawn: it is stale by design and would fail every such seed. Every draw happens whatever the
 * outcome, and the stream is its own, so seeds with this layer off keep their profiles exactly.
 */
function drawReads(rng: Random, c: SimConfig): SimConfig {
  const on = chance(rng, 0.3);
  const lease = chance(rng, 0.5);
  const churn = chance(rng, 0.7);
  const crashesPerMin = 20 + 60 * rng();
  const downMsMax = pick(rng, [100, 300, 1000]);
  const partitionsPerMin = 10 + 40 * rng();
  const partitionMsMax = pick(rng, [300, 600, 1500]);
  const clients = intBetween(rng, 3, 8);
  const clockDriftPpmMax = pick(rng, [0, 0, DEFAULT_LEASE_DRIFT_PPM / 4, DEFAULT_LEASE_DRIFT_PPM / 2]);
  const checkQuorum = chance(rng, 0.5);
  const smallBatches = chance(rng, 0.5);
  if (!on) return c;
  const readMode: ReadMode = lease ? 'lease' : 'read-index';
  const f = c.faults;
  return {
    ...c,
    clients: Math.max(c.clients, clients),
    clockDriftPpmMax: lease ? clockDriftPpmMax : c.clockDriftPpmMax,
    raft: {
      ...c.raft,
      readMode,
      // Without CheckQuorum a correct leader never trusts its lease and serves lease reads as
      // ReadIndex; only the lease bug ignores that, so half the lease seeds leave it as drawn.
      checkQuorum: (lease && checkQuorum) || c.raft.checkQuorum,
      preVote: lease && !checkQuorum ? false : c.raft.preVote,
      // One entry per AppendEntries: a new leader's no-op reaches a lagging follower only after
      // the catch-up, while that follower already acknowledges the read's heartbeat round.
      maxEntriesPerAppend: smallBatches ? 1 : c.raft.maxEntriesPerAppend,
    },
    faults: churn
      ? {
          ...f,
          crashesPerMin: Math.max(f.crashesPerMin, round3(crashesPerMin)),
          downMsMin: Math.min(f.downMsMin, 20),
          downMsMax: Math.min(f.downMsMax, downMsMax),
          partitionsPerMin: Math.max(f.partitionsPerMin, round3(partitionsPerMin)),
          partitionMsMin: Math.min(f.partitionMsMin, 50),
          partitionMsMax: Math.min(f.partitionMsMax, partitionMsMax),
        }
      : f,
  };
}

/**
 * The fifth layer: on about one seed in ten, the conditions under which leader stability is judged
 * (sim/engine/stability.ts) and can be broken — PreVote on, a loss-free network with short delays, and
 * frequent partial partitions (one-way links, a node that hears but cannot speak) that cut single
 * nodes off from the leader while the rest still follow it. A cut-off node can only win a pre-vote
 * with a log as long as its voters', so the workload is slow: one to three clients, with seconds
 * between ops, leave the log idle long enough. CheckQuorum is on for half of them. Its own stream
 * leaves every other seed's profile as it was.
 */
function drawStickiness(rng: Random, c: SimConfig): SimConfig {
  const on = chance(rng, 0.1);
  const checkQuorum = chance(rng, 0.5);
  const clients = intBetween(rng, 1, 3);
  const opIntervalMsMean = pick(rng, [300, 1000, 3000]);
  const partitionsPerMin = 20 + 40 * rng();
  const partitionMsMax = pick(rng, [600, 1500, 3000]);
  const delayMsMax = pick(rng, [5, 10, 20]);
  if (!on) return c;
  return {
    ...c,
    clients,
    raft: { ...c.raft, preVote: true, checkQuorum },
    network: { ...c.network, dropRate: 0, longDelayRate: 0, delayMsMin: 1, delayMsMax },
    faults: {
      ...c.faults,
      partitionsPerMin: round3(partitionsPerMin),
      partitionMsMin: 100,
      partitionMsMax,
    },
    clientsCfg: { ...c.clientsCfg, opIntervalMsMean },
  };
}

/**
 * The sixth layer: on about three seeds in twenty, a failover inside a leader lease. A lease is safe
 * only while the followers that granted it refuse to elect anyone else; without CheckQuorum (and
 * without PreVote) they do not refuse, so a node that stops hearing the leader — here a single
 * link down both ways, the classic partial partition — wins their votes while the old leader's
 * lease still runs. A stale read then needs a write through the new leader and a read through the
 * old one before the old leader's next heartbeat tells it the new term. The layer makes that
 * window wide and busy: heartbeats 200-300 ms apart with the election timeout just above them,
 * 1-5 ms delays, no loss, clients behind a load balancer (a new op starts at a random node) on
 * one hot key. Three quarters of these seeds leave CheckQuorum off, where a correct leader falls
 * back to ReadIndex; the rest turn it on, where leases are really used under partial partitions. Its
 * own stream leaves every other seed's profile as it was.
 */
function drawLeaseFailover(rng: Random, c: SimConfig): SimConfig {
  const on = chance(rng, 0.15);
  const checkQuorum = chance(rng, 0.25);
  const nodes = pick(rng, [3, 3, 5]);
  const clients = intBetween(rng, 5, 8);
  const heartbeatMs = pick(rng, [200, 300]);
  const opIntervalMsMean = pick(rng, [300, 400]);
  const partitionsPerMin = 30 + 30 * rng();
  if (!on) return c;
  const raft = {
    ...c.raft,
    heartbeatMs,
    electionTimeoutMsMin: heartbeatMs + 20,
    electionTimeoutMsMax: heartbeatMs + 60,
    readMode: 'lease' as const,
    preVote: false,
    checkQuorum,
  };
  return {
    ...c,
    nodes,
    clients,
    livenessBoundMs: defaultLivenessBoundMs(raft),
    clockDriftPpmMax: 0,
    raft,
    network: { ...c.network, delayMsMin: 1, delayMsMax: 5, dropRate: 0, dupRate: 0, longDelayRate: 0 },
    faults: {
      ...c.faults,
      partitionsPerMin: round3(partitionsPerMin),
      partitionMsMin: 300,
      partitionMsMax: 1500,
      partitionShapes: ['link'],
      crashesPerMin: 0,
      pausesPerMin: 0,
    },
    clientsCfg: { ...c.clientsCfg, opIntervalMsMean, keys: 1, routing: 'random' },
  };
}

/** Rates are kept to 3 decimals so that a profile prints and saves exactly as it runs. */
function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function applyOverrides(c: SimConfig, o: ConfigOverrides): SimConfig {
  const raft = {
    ...c.raft,
    preVote: o.preVote ?? c.raft.preVote,
    checkQuorum: o.checkQuorum ?? c.raft.checkQuorum,
    readMode: o.readMode ?? c.raft.readMode,
    electionTimeoutMsMin: o.electionTimeoutMsMin ?? c.raft.electionTimeoutMsMin,
    electionTimeoutMsMax: o.electionTimeoutMsMax ?? c.raft.electionTimeoutMsMax,
    heartbeatMs: o.heartbeatMs ?? c.raft.heartbeatMs,
    maxEntriesPerAppend: o.maxEntriesPerAppend ?? c.raft.maxEntriesPerAppend,
    ...(o.leaseDriftPpm !== undefined ? { leaseDriftPpm: o.leaseDriftPpm } : {}),
    ...(o.snapshotChunkBytes !== undefined ? { snapshotChunkBytes: o.snapshotChunkBytes } : {}),
  };
  const timeMs = o.timeMs ?? c.timeMs;
  const f = c.faults;
  const k = c.clientsCfg;
  return {
    ...c,
    ...membershipOverride(c, o),
    ...(o.compaction !== undefined ? { compaction: o.compaction ?? undefined } : {}),
    nodes: o.nodes ?? c.nodes,
    clients: o.clients ?? c.clients,
    timeMs,
    quietMs: o.quietMs ?? (o.timeMs !== undefined ? Math.min(c.quietMs, o.timeMs) : c.quietMs),
    // The liveness bound is ten election timeouts: it follows timeouts given on the command line.
    livenessBoundMs: o.electionTimeoutMsMax !== undefined ? defaultLivenessBoundMs(raft) : c.livenessBoundMs,
    clockDriftPpmMax: o.clockDriftPpmMax ?? c.clockDriftPpmMax,
    raft,
    network: {
      ...c.network,
      dropRate: o.dropRate ?? c.network.dropRate,
      dupRate: o.dupRate ?? c.network.dupRate,
      delayMsMin: o.delayMsMin ?? c.network.delayMsMin,
      delayMsMax: o.delayMsMax ?? c.network.delayMsMax,
      longDelayMsMax: Math.max(c.network.longDelayMsMax, o.delayMsMax ?? 0),
      longDelayRate: o.longDelayRate ?? c.network.longDelayRate,
    },
    faults: {
      ...f,
      partitionsPerMin: o.partitionsPerMin ?? f.partitionsPerMin,
      crashesPerMin: o.crashesPerMin ?? f.crashesPerMin,
      pausesPerMin: o.pausesPerMin ?? f.pausesPerMin,
      downMsMin: o.downMsMin ?? f.downMsMin,
      downMsMax: o.downMsMax ?? f.downMsMax,
      partitionMsMin: o.partitionMsMin ?? f.partitionMsMin,
      partitionMsMax: o.partitionMsMax ?? f.partitionMsMax,
      pauseMsMin: o.pauseMsMin ?? f.pauseMsMin,
      pauseMsMax: o.pauseMsMax ?? f.pauseMsMax,
      ...(o.partitionShapes !== undefined ? { partitionShapes: o.partitionShapes } : {}),
    },
    clientsCfg: {
      ...k,
      keys: o.keys ?? k.keys,
      opIntervalMsMean: o.opIntervalMsMean ?? k.opIntervalMsMean,
      ...(o.routing !== undefined ? { routing: o.routing } : {}),
      ...(o.hotKeyShare !== undefined ? { hotKeyShare: o.hotKeyShare } : {}),
    },
  };
}

/** `membership` as --membership and --spares leave it: absent when there is neither a spare nor a change. */
function membershipOverride(c: SimConfig, o: ConfigOverrides): Pick<SimConfig, 'membership'> {
  if (o.membershipPerMin === undefined && o.spares === undefined) return {};
  const changesPerMin = o.membershipPerMin ?? c.membership?.changesPerMin ?? 0;
  // Changes need servers to add: two spares unless the profile or --spares says otherwise.
  const spares = o.spares ?? c.membership?.spares ?? (changesPerMin > 0 ? 2 : 0);
  if (changesPerMin === 0 && spares === 0) return { membership: undefined };
  return { membership: { spares, changesPerMin } };
}

/** The config a seed runs with: the same function for a single run and for every seed of a sweep. */
export function configFor(seed: number, mode: ProfileMode, overrides: ConfigOverrides): SimConfig {
  const base = defaultConfig();
  const drawn = mode === 'fixed' ? base : drawSwarm(seed, base, mode === 'swarm');
  const config = withCatchUpTime(applyOverrides(drawn, overrides));
  // `--membership off` with no spares, `--compaction off`: no field at all, as in every config
  // before they existed.
  const { membership, compaction, ...rest } = config;
  return {
    ...rest,
    ...(membership !== undefined ? { membership } : {}),
    ...(compaction !== undefined ? { compaction } : {}),
  };
}

function rate(perMin: number): string {
  return perMin === 0 ? 'off' : `${perMin}/min`;
}

/** Milliseconds as `lo-hi`, for the duration ranges of a fault family that is on. */
function span(on: boolean, loMs: number, hiMs: number): string {
  return on ? ` (${loMs}-${hiMs}ms)` : '';
}

/** One line describing a config's fault profile, for summaries. */
export function describeProfile(c: SimConfig): string {
  const n = c.network;
  const f = c.faults;
  const r = c.raft;
  let line =
    `nodes=${c.nodes} clients=${c.clients} delay=${n.delayMsMin}-${n.delayMsMax}ms drop=${n.dropRate} ` +
    `dup=${n.dupRate} partitions=${rate(f.partitionsPerMin)}${span(f.partitionsPerMin > 0, f.partitionMsMin, f.partitionMsMax)} ` +
    `crashes=${rate(f.crashesPerMin)}${span(f.crashesPerMin > 0, f.downMsMin, f.downMsMax)} ` +
    `pauses=${rate(f.pausesPerMin)}${span(f.pausesPerMin > 0, f.pauseMsMin, f.pauseMsMax)}`;
  // Raft options only when they differ from the defaults, to keep the common line short.
  if (
    r.electionTimeoutMsMin !== DEFAULT_RAFT_CONFIG.electionTimeoutMsMin ||
    r.electionTimeoutMsMax !== DEFAULT_RAFT_CONFIG.electionTimeoutMsMax
  )
    line += ` election=${r.electionTimeoutMsMin}-${r.electionTimeoutMsMax}ms`;
  if (r.maxEntriesPerAppend !== DEFAULT_RAFT_CONFIG.maxEntriesPerAppend)
    line += ` batch=${r.maxEntriesPerAppend}`;
  if (r.preVote) line += ' prevote';
  if (r.checkQuorum) line += ' checkquorum';
  if (r.readMode !== DEFAULT_RAFT_CONFIG.readMode) line += ` reads=${r.readMode}`;
  if (c.clockDriftPpmMax !== 0) line += ` drift=${c.clockDriftPpmMax}ppm`;
  if (r.heartbeatMs !== DEFAULT_RAFT_CONFIG.heartbeatMs) line += ` heartbeat=${r.heartbeatMs}ms`;
  const shapes = f.partitionShapes;
  if (shapes !== undefined && shapes.join() !== DEFAULT_PARTITION_SHAPES.join())
    line += ` shapes=${shapes.join('+')}`;
  const k = c.clientsCfg;
  if (k.opIntervalMsMean !== DEFAULT_CLIENT_CONFIG.opIntervalMsMean)
    line += ` op-gap=${k.opIntervalMsMean}ms`;
  if (k.keys !== DEFAULT_CLIENT_CONFIG.keys) line += ` keys=${k.keys}`;
  if (k.routing !== undefined && k.routing !== 'leader') line += ` routing=${k.routing}`;
  if (k.hotKeyShare !== undefined && k.hotKeyShare > 0) line += ` hot-key=${k.hotKeyShare}`;
  if (r.leaseDriftPpm !== undefined) line += ` lease-drift=${r.leaseDriftPpm}ppm`;
  if (c.quietMs !== 5000) line += ` quiet=${c.quietMs}ms`;
  if (c.compaction !== undefined) {
    line += ` compaction=${c.compaction.trigger}:${c.compaction.entries}`;
    if (r.snapshotChunkBytes !== undefined) line += ` chunk=${r.snapshotChunkBytes}B`;
  }
  return line;
}
