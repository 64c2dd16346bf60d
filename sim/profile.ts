import type { ReadMode } from '../src/raft/types.ts';
import { defaultConfig, type SimConfig } from './config.ts';
import { chance, intBetween, pick, stream } from './rng.ts';

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
}

export type ProfileMode = 'swarm' | 'fixed';
export const PROFILE_MODES: readonly ProfileMode[] = ['swarm', 'fixed'];

/**
 * Swarm testing (as in TigerBeetle's VOPR): each seed draws its own fault profile — which fault
 * families are on, their rates, the cluster size and the client count — so that a sweep covers
 * quiet clusters, lossy ones and crash storms instead of one average mix. The profile has its
 * own stream, so it depends on the seed alone and a single seed replays its profile exactly.
 */
function drawSwarm(seed: number, base: SimConfig): SimConfig {
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
  return {
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
}

/** Rates are kept to 3 decimals so that a profile prints and saves exactly as it runs. */
function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function applyOverrides(c: SimConfig, o: ConfigOverrides): SimConfig {
  return {
    ...c,
    nodes: o.nodes ?? c.nodes,
    clients: o.clients ?? c.clients,
    timeMs: o.timeMs ?? c.timeMs,
    quietMs: o.timeMs !== undefined ? Math.min(c.quietMs, o.timeMs) : c.quietMs,
    raft: {
      ...c.raft,
      preVote: o.preVote ?? c.raft.preVote,
      checkQuorum: o.checkQuorum ?? c.raft.checkQuorum,
      readMode: o.readMode ?? c.raft.readMode,
    },
    network: {
      ...c.network,
      dropRate: o.dropRate ?? c.network.dropRate,
      dupRate: o.dupRate ?? c.network.dupRate,
      delayMsMin: o.delayMsMin ?? c.network.delayMsMin,
      delayMsMax: o.delayMsMax ?? c.network.delayMsMax,
      longDelayMsMax: Math.max(c.network.longDelayMsMax, o.delayMsMax ?? 0),
    },
    faults: {
      ...c.faults,
      partitionsPerMin: o.partitionsPerMin ?? c.faults.partitionsPerMin,
      crashesPerMin: o.crashesPerMin ?? c.faults.crashesPerMin,
      pausesPerMin: o.pausesPerMin ?? c.faults.pausesPerMin,
    },
  };
}

/** The config a seed runs with: the same function for a single run and for every seed of a sweep. */
export function configFor(seed: number, mode: ProfileMode, overrides: ConfigOverrides): SimConfig {
  const base = defaultConfig();
  const drawn = mode === 'swarm' ? drawSwarm(seed, base) : base;
  return applyOverrides(drawn, overrides);
}

function rate(perMin: number): string {
  return perMin === 0 ? 'off' : `${perMin}/min`;
}

/** One line describing a config's fault profile, for summaries. */
export function describeProfile(c: SimConfig): string {
  const n = c.network;
  const f = c.faults;
  return (
    `nodes=${c.nodes} clients=${c.clients} delay=${n.delayMsMin}-${n.delayMsMax}ms drop=${n.dropRate} ` +
    `dup=${n.dupRate} partitions=${rate(f.partitionsPerMin)} crashes=${rate(f.crashesPerMin)} ` +
    `pauses=${rate(f.pausesPerMin)}`
  );
}
