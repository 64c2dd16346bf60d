// Mutations of a schedule for coverage-guided exploration: insert, delete, shift and retarget
// faults, change a knob, splice two schedules. Every mutation keeps what a generated schedule
// promises, so that the reference node can never fail one for the schedule's sake: faults only
// before timeMs - quietMs, each crash before its restart, and at that instant the recovery (a
// heal, a restart of every node still down) — `normalize` rebuilds it after each edit.

import type { NodeId } from '../../../src/raft/types.ts';
import { chance, intBetween, pick, type Random, shuffled } from '../../engine/rng.ts';
import {
  CLIENT_ROUTINGS,
  faultsEndMs,
  PARTITION_SHAPES,
  type SimConfig,
  serverCount,
} from '../../model/config.ts';
import type { Fault, Schedule } from '../../model/schedule.ts';
import { generateSchedule } from '../generate.ts';
import { DRAWN_READ_MODES } from '../knobs.ts';
import { withCatchUpTime } from '../profile.ts';

export const MUTATIONS = [
  'insert',
  'storm',
  'delete',
  'shift',
  'retarget',
  'knob',
  'splice',
  'reseed',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** The mutations as drawn: a new draw of a productive config region weighs most. */
const MUTATION_WEIGHTS: readonly Mutation[] = [...MUTATIONS, 'reseed', 'reseed', 'insert'];

/** The faults before the quiet period (the recovery at its start is rebuilt, never edited). */
function body(s: Schedule): Fault[] {
  const endMs = faultsEndMs(s.config);
  return s.faults.filter((f) => f.atMs < endMs);
}

/**
 * The schedule with its faults sorted, clipped to the time before the quiet period, crashes of
 * nodes already down and restarts of nodes already up dropped, pauses ending by then, and the
 * recovery appended: one heal and a restart of each node still down.
 */
export function normalize(s: Schedule, faults: readonly Fault[]): Schedule {
  const config = s.config;
  const endMs = faultsEndMs(config);
  const n = serverCount(config);
  // Stable sort: equal times keep their order (a crash listed before its same-instant restart).
  const sorted = faults
    .filter((f) => f.atMs >= 0 && f.atMs < endMs)
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i)
    .map((x) => x.f);
  const down = new Array<boolean>(n + 1).fill(false);
  const out: Fault[] = [];
  for (const f of sorted) {
    switch (f.type) {
      case 'crash':
        if (down[f.node]) continue;
        down[f.node] = true;
        break;
      case 'restart':
        if (!down[f.node]) continue;
        down[f.node] = false;
        break;
      case 'pause':
        out.push({ ...f, durationMs: Math.max(1, Math.min(f.durationMs, endMs - f.atMs)) });
        continue;
      case 'partition':
      case 'heal':
      case 'link':
      case 'campaign':
      case 'membership':
        break;
    }
    out.push(f);
  }
  out.push({ atMs: endMs, type: 'heal' });
  for (let id = 1; id <= n; id++) if (down[id]) out.push({ atMs: endMs, type: 'restart', node: id });
  return { ...s, faults: out };
}

/** A time before the quiet period. */
function someTime(rng: Random, config: SimConfig): number {
  return intBetween(rng, 0, Math.max(0, faultsEndMs(config) - 1));
}

function nodeIds(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** New faults of one kind at a random time: a crash with its restart, a pause, a partition and its heal, cut links, a campaign. */
function freshFaults(rng: Random, config: SimConfig, atMs = someTime(rng, config)): Fault[] {
  const n = serverCount(config);
  const f = config.faults;
  const node = intBetween(rng, 1, n);
  switch (pick(rng, ['crash', 'pause', 'partition', 'link', 'campaign'] as const)) {
    case 'crash':
      return [
        { atMs, type: 'crash', node },
        { atMs: atMs + intBetween(rng, f.downMsMin, f.downMsMax), type: 'restart', node },
      ];
    case 'pause':
      return [{ atMs, type: 'pause', node, durationMs: intBetween(rng, f.pauseMsMin, f.pauseMsMax) }];
    case 'partition': {
      const ids = shuffled(rng, nodeIds(n));
      const cut = intBetween(rng, 1, Math.max(1, n >> 1));
      return [
        { atMs, type: 'partition', groups: [ids.slice(0, cut), ids.slice(cut)] },
        { atMs: atMs + intBetween(rng, f.partitionMsMin, f.partitionMsMax), type: 'heal' },
      ];
    }
    case 'link': {
      if (n < 2) return [];
      const to = 1 + ((node - 1 + intBetween(rng, 1, n - 1)) % n);
      const upMs = atMs + intBetween(rng, f.partitionMsMin, f.partitionMsMax);
      return [
        { atMs, type: 'link', from: node, to, up: false },
        { atMs: upMs, type: 'link', from: node, to, up: true },
      ];
    }
    case 'campaign':
      return [{ atMs, type: 'campaign', node }];
  }
}

/** The fault with another node (crash, restart, pause, campaign) or another shape of its groups. */
function retarget(rng: Random, f: Fault, n: number): Fault {
  switch (f.type) {
    case 'crash':
    case 'restart':
    case 'pause':
    case 'campaign':
      return { ...f, node: intBetween(rng, 1, n) };
    case 'partition': {
      const ids = shuffled(rng, nodeIds(n));
      const cut = intBetween(rng, 1, Math.max(1, n - 1));
      return { ...f, groups: [ids.slice(0, cut), ids.slice(cut)] };
    }
    case 'link': {
      if (n < 2) return f;
      const from = intBetween(rng, 1, n);
      return { ...f, from, to: 1 + ((from - 1 + intBetween(rng, 1, n - 1)) % n) };
    }
    case 'heal':
    case 'membership':
    case 'propose':
    case 'network':
    case 'compaction':
      return f;
  }
}

/**
 * One knob of the config drawn anew, within the bounds the swarm keeps (sim/explore/knobs.ts):
 * the cluster size and the client count stay, since faults and ops name nodes and clients.
 */
function mutateKnob(rng: Random, c: SimConfig, wide = false): SimConfig {
  const r = c.raft;
  const f = c.faults;
  if (wide) {
    // Knobs a regenerated schedule can change as well: the cluster, the clients, the fault rates.
    switch (
      pick(rng, ['nodes', 'clients', 'partitions', 'crashes', 'pauses', 'reads', 'membership'] as const)
    ) {
      case 'nodes':
        return { ...c, nodes: pick(rng, [3, 4, 5, 7]) };
      case 'clients':
        return { ...c, clients: intBetween(rng, 1, 8) };
      case 'partitions':
        return {
          ...c,
          faults: {
            ...f,
            partitionsPerMin: pick(rng, [0, 2, 10, 40]),
            partitionMsMin: 20,
            partitionMsMax: pick(rng, [300, 1500, 5000]),
          },
        };
      case 'crashes':
        return {
          ...c,
          faults: {
            ...f,
            crashesPerMin: pick(rng, [0, 2, 20, 100]),
            downMsMin: 5,
            downMsMax: pick(rng, [50, 300, 3000]),
          },
        };
      case 'pauses':
        return {
          ...c,
          faults: {
            ...f,
            pausesPerMin: pick(rng, [0, 2, 20]),
            pauseMsMin: 20,
            pauseMsMax: pick(rng, [200, 2000]),
          },
        };
      case 'reads':
        return { ...c, raft: { ...r, readMode: pick(rng, DRAWN_READ_MODES) } };
      case 'membership':
        return c.membership === undefined
          ? { ...c, membership: { spares: intBetween(rng, 1, 3), changesPerMin: pick(rng, [2, 6, 12]) } }
          : (({ membership: _off, ...rest }) => rest)(c);
    }
  }
  switch (
    pick(rng, [
      'election',
      'heartbeat',
      'batch',
      'drop',
      'dup',
      'delay',
      'routing',
      'prevote',
      'check-quorum',
      'op-interval',
      'keys',
      'shapes',
      'compaction',
      'reads',
    ] as const)
  ) {
    case 'reads':
      // The generator draws the same ops in every read mode: only the path a read takes changes,
      // so the schedule stays as it was.
      return { ...c, raft: { ...r, readMode: pick(rng, DRAWN_READ_MODES) } };
    case 'compaction':
      return {
        ...c,
        compaction: { trigger: pick(rng, ['size', 'applied'] as const), entries: pick(rng, [2, 4, 8, 64]) },
        raft: { ...r, snapshotChunkBytes: pick(rng, [16, 64, 256, 4096]) },
      };
    case 'election': {
      const min = pick(rng, [30, 40, 50, 100, 150, 300]);
      const max = Math.round(min * pick(rng, [1.25, 1.5, 2, 3]));
      // The heartbeat stays at most half the shortest timeout, as the swarm keeps it.
      const heartbeatMs = Math.min(r.heartbeatMs, Math.max(5, Math.floor(min / 2)));
      return {
        ...c,
        raft: { ...r, electionTimeoutMsMin: min, electionTimeoutMsMax: max, heartbeatMs },
        livenessBoundMs: Math.max(c.livenessBoundMs, 10 * max),
      };
    }
    case 'heartbeat':
      return {
        ...c,
        raft: {
          ...r,
          heartbeatMs: Math.max(5, Math.floor(r.electionTimeoutMsMin * pick(rng, [0.1, 0.2, 0.33, 0.5]))),
        },
      };
    case 'batch':
      return { ...c, raft: { ...r, maxEntriesPerAppend: pick(rng, [1, 2, 4, 16, 64]) } };
    case 'drop':
      return { ...c, network: { ...c.network, dropRate: pick(rng, [0, 0.01, 0.05, 0.1, 0.15]) } };
    case 'dup':
      return { ...c, network: { ...c.network, dupRate: pick(rng, [0, 0.01, 0.1, 0.3]) } };
    case 'delay': {
      const delayMsMax = pick(rng, [5, 10, 30]);
      return {
        ...c,
        network: {
          ...c.network,
          delayMsMin: Math.min(c.network.delayMsMin, delayMsMax),
          delayMsMax,
          longDelayMsMax: Math.max(c.network.longDelayMsMax, delayMsMax),
        },
      };
    }
    case 'routing':
      return { ...c, clientsCfg: { ...c.clientsCfg, routing: pick(rng, CLIENT_ROUTINGS) } };
    case 'prevote':
      return { ...c, raft: { ...r, preVote: !r.preVote } };
    case 'check-quorum':
      return { ...c, raft: { ...r, checkQuorum: !r.checkQuorum } };
    case 'op-interval':
      return { ...c, clientsCfg: { ...c.clientsCfg, opIntervalMsMean: pick(rng, [25, 50, 200]) } };
    case 'keys':
      return { ...c, clientsCfg: { ...c.clientsCfg, keys: pick(rng, [1, 2, 5]) } };
    case 'shapes':
      return { ...c, faults: { ...c.faults, partitionShapes: [pick(rng, PARTITION_SHAPES)] } };
  }
}

/**
 * `s` mutated once. `donor` is another schedule (for splice), of any size: a splice with a donor
 * of another server count falls back to inserting fresh faults. Returns the mutation used.
 */
export function mutateOnce(
  rng: Random,
  s: Schedule,
  donor: Schedule,
): { schedule: Schedule; mutation: Mutation } {
  const faults = body(s);
  const n = serverCount(s.config);
  const mutation = pick(rng, MUTATION_WEIGHTS);
  switch (mutation) {
    case 'insert':
      return { schedule: normalize(s, [...faults, ...freshFaults(rng, s.config)]), mutation };
    case 'storm': {
      // Several fresh faults inside one short window: the pile-ups (elections during crashes
      // during partitions) that independent arrivals rarely line up.
      const windowMs = intBetween(rng, 100, 2000);
      const startMs = someTime(rng, s.config);
      const storm: Fault[] = [];
      const count = intBetween(rng, 3, 10);
      for (let k = 0; k < count; k++)
        storm.push(...freshFaults(rng, s.config, startMs + intBetween(rng, 0, windowMs)));
      return { schedule: normalize(s, [...faults, ...storm]), mutation };
    }
    case 'delete': {
      if (faults.length === 0)
        return { schedule: normalize(s, freshFaults(rng, s.config)), mutation: 'insert' };
      const i = intBetween(rng, 0, faults.length - 1);
      return {
        schedule: normalize(
          s,
          faults.filter((_, j) => j !== i),
        ),
        mutation,
      };
    }
    case 'shift': {
      if (faults.length === 0)
        return { schedule: normalize(s, freshFaults(rng, s.config)), mutation: 'insert' };
      const i = intBetween(rng, 0, faults.length - 1);
      // Mostly small moves (a message delay, a heartbeat), sometimes a second or more.
      const amountMs = chance(rng, 0.7) ? intBetween(rng, 1, 50) : intBetween(rng, 51, 3000);
      const sign = chance(rng, 0.5) ? -1 : 1;
      const moved = faults.map((f, j) =>
        j === i ? { ...f, atMs: Math.max(0, f.atMs + sign * amountMs) } : f,
      );
      return { schedule: normalize(s, moved), mutation };
    }
    case 'retarget': {
      if (faults.length === 0)
        return { schedule: normalize(s, freshFaults(rng, s.config)), mutation: 'insert' };
      const i = intBetween(rng, 0, faults.length - 1);
      return {
        schedule: normalize(
          s,
          faults.map((f, j) => (j === i ? retarget(rng, f, n) : f)),
        ),
        mutation,
      };
    }
    case 'knob': {
      const config = mutateKnob(rng, s.config);
      const changed = { ...s, config };
      return { schedule: normalize(changed, body({ ...s, config })), mutation };
    }
    case 'reseed': {
      // The parent's region of the config space, with one or two knobs moved, and a fresh draw of
      // faults and ops from it: what made the parent's run new may be the config, not its faults.
      let config = mutateKnob(rng, s.config, chance(rng, 0.5));
      if (chance(rng, 0.5)) config = mutateKnob(rng, config, chance(rng, 0.5));
      const seed = intBetween(rng, 0, 2 ** 32 - 1);
      return { schedule: generateSchedule(seed, withCatchUpTime(config)), mutation };
    }
    case 'splice': {
      if (serverCount(donor.config) !== n)
        return { schedule: normalize(s, [...faults, ...freshFaults(rng, s.config)]), mutation: 'insert' };
      const atMs = someTime(rng, s.config);
      const spliced = [...faults.filter((f) => f.atMs < atMs), ...body(donor).filter((f) => f.atMs >= atMs)];
      return { schedule: normalize(s, spliced), mutation };
    }
  }
}
