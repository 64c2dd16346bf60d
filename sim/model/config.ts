import { DEFAULT_RAFT_CONFIG, type RaftConfig } from '../../src/raft/types.ts';

/** How the simulated network treats each message between two nodes. */
export interface NetworkConfig {
  /** Bounds (inclusive) of the uniform one-way delay of a message, in virtual ms. Reordering follows from them. */
  readonly delayMsMin: number;
  readonly delayMsMax: number;
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a delivered message is delivered a second time, with its own delay. */
  readonly dupRate: number;
  /** Probability that a message takes a long delay, uniform in (delayMsMax, longDelayMsMax]. */
  readonly longDelayRate: number;
  readonly longDelayMsMax: number;
}

/**
 * Shapes a generated partition can take: a minority/majority split, one node cut off from all, a
 * three-way split, a few one-way links down, one node that hears but cannot speak, and one link
 * down both ways (two nodes that cannot talk while each still reaches everyone else).
 */
export const PARTITION_SHAPES = ['split', 'isolate', 'three-way', 'one-way', 'mute', 'link'] as const;
export type PartitionShape = (typeof PARTITION_SHAPES)[number];
/** The shapes drawn when a config names none, in the order the draw indexes them. */
export const DEFAULT_PARTITION_SHAPES: readonly PartitionShape[] = [
  'split',
  'isolate',
  'three-way',
  'one-way',
  'mute',
];

/** How often faults happen before the quiet period, and how long they last. */
export interface FaultConfig {
  /** Mean arrival rate of network partitions (any shape, one-way links included), per virtual minute. */
  readonly partitionsPerMin: number;
  /** Mean arrival rate of node crashes, per virtual minute; each comes with its restart. */
  readonly crashesPerMin: number;
  /** Mean arrival rate of stop-the-world pauses, per virtual minute. */
  readonly pausesPerMin: number;
  /** Time a crashed node stays down before it restarts, uniform in [min, max] ms. */
  readonly downMsMin: number;
  readonly downMsMax: number;
  /** Time a partition lasts before it heals, uniform in [min, max] ms. */
  readonly partitionMsMin: number;
  readonly partitionMsMax: number;
  /** Length of a pause, uniform in [min, max] ms. */
  readonly pauseMsMin: number;
  readonly pauseMsMax: number;
  /** The shapes partitions are drawn from, uniformly (default DEFAULT_PARTITION_SHAPES). */
  readonly partitionShapes?: readonly PartitionShape[];
}

/** The clients' workload and patience. */
export interface ClientConfig {
  /** Mean gap between the scheduled invocations of one client, in ms (exponential gaps). */
  readonly opIntervalMsMean: number;
  /** A request without an answer after this long is retried at the next node, with the same seq. */
  readonly requestTimeoutMs: number;
  /** After this long since invocation the client gives up: the outcome is unknown ('info'). */
  readonly opDeadlineMs: number;
  /** Size of the key space (`k0`..`k{keys-1}`); small, so that operations contend. */
  readonly keys: number;
  /** Pause before retrying after a NotLeader answer, in ms. */
  readonly retryBackoffMs: number;
  /**
   * Where a client sends a new op: to the node it believes leads ('leader', the default), or to a
   * node drawn at random, as a client behind a load balancer does ('random'). Retries follow the
   * NotLeader hints either way. 'sticky': each client keeps one node (a session pinned by a load
   * balancer) for every new op, and moves to the next node only when a request to it times out.
   */
  readonly routing?: ClientRouting;
  /**
   * Share of ops on the hot key `k0`, 0 to 1; the rest spread uniformly over every key. Absent
   * (or 0): uniform, drawn exactly as before the knob existed.
   */
  readonly hotKeyShare?: number;
}

export const CLIENT_ROUTINGS = ['leader', 'random', 'sticky'] as const;
export type ClientRouting = (typeof CLIENT_ROUTINGS)[number];

/** Membership churn (paper §6): spare servers, and how often the admin asks for a change. */
export interface MembershipConfig {
  /**
   * Servers beyond the initial voters, ids nodes+1 .. nodes+spares. They start empty and outside
   * the configuration, and take part only once a change adds them.
   */
  readonly spares: number;
  /** Mean arrival rate of membership operations before the quiet period, per virtual minute. */
  readonly changesPerMin: number;
}

/**
 * Log compaction (paper §7): when each node's service snapshots its state machine and has its node
 * discard the log through it. `trigger` 'size': once the log past the snapshot holds more than
 * `entries` entries; 'applied': every `entries` applied entries (the service of 6.5840's Lab 3D).
 * How InstallSnapshot is chunked is the node's business: raft.snapshotChunkBytes.
 */
export interface CompactionConfig {
  readonly trigger: 'size' | 'applied';
  readonly entries: number;
}

export const COMPACTION_TRIGGERS = ['size', 'applied'] as const;
export const MAX_COMPACTION_ENTRIES = 1_000_000;

/** Everything a run depends on besides the seed. Plain data: it is saved in every schedule. */
export interface SimConfig {
  /** Number of Raft nodes, ids 1..nodes. */
  readonly nodes: number;
  /** Number of workload clients, ids 1..clients (id 0 is the liveness probe). */
  readonly clients: number;
  /** Length of the run in virtual ms. */
  readonly timeMs: number;
  /** Final fault-free period in ms: at timeMs - quietMs every fault is repaired and none follows. */
  readonly quietMs: number;
  /** After the faults end, a client command must commit within this many ms (the liveness property). */
  readonly livenessBoundMs: number;
  /**
   * Largest clock-rate error of a node, in parts per million (each node draws its own in
   * [-max, max]). 0 keeps every local clock equal to virtual time.
   */
  readonly clockDriftPpmMax: number;
  readonly raft: RaftConfig;
  readonly network: NetworkConfig;
  readonly faults: FaultConfig;
  readonly clientsCfg: ClientConfig;
  /** Absent: a fixed voter set, no spares (every run before membership change existed). */
  readonly membership?: MembershipConfig;
  /** Absent: logs grow forever (every run before log compaction existed). */
  readonly compaction?: CompactionConfig;
}

/** Every server of a run: the initial voters 1..nodes and the spares after them. */
export function serverCount(c: SimConfig): number {
  return c.nodes + (c.membership?.spares ?? 0);
}

export const DEFAULT_NETWORK_CONFIG: NetworkConfig = {
  delayMsMin: 1,
  delayMsMax: 10,
  dropRate: 0.01,
  dupRate: 0.01,
  longDelayRate: 0.005,
  longDelayMsMax: 1000,
};

export const DEFAULT_FAULT_CONFIG: FaultConfig = {
  partitionsPerMin: 2,
  crashesPerMin: 1,
  pausesPerMin: 1,
  downMsMin: 100,
  downMsMax: 3000,
  partitionMsMin: 200,
  partitionMsMax: 5000,
  pauseMsMin: 100,
  pauseMsMax: 2000,
};

export const DEFAULT_CLIENT_CONFIG: ClientConfig = {
  opIntervalMsMean: 50,
  requestTimeoutMs: 1000,
  opDeadlineMs: 5000,
  keys: 5,
  retryBackoffMs: 10,
};

/** The default liveness bound: ten election timeouts, room for several split votes. */
export function defaultLivenessBoundMs(raft: RaftConfig): number {
  return 10 * raft.electionTimeoutMsMax;
}

/** A fresh default config: 5 nodes, 5 clients, 60 s with the last 5 s fault-free. */
export function defaultConfig(): SimConfig {
  return {
    nodes: 5,
    clients: 5,
    timeMs: 60_000,
    quietMs: 5000,
    livenessBoundMs: defaultLivenessBoundMs(DEFAULT_RAFT_CONFIG),
    clockDriftPpmMax: 0,
    raft: { ...DEFAULT_RAFT_CONFIG },
    network: { ...DEFAULT_NETWORK_CONFIG },
    faults: { ...DEFAULT_FAULT_CONFIG },
    clientsCfg: { ...DEFAULT_CLIENT_CONFIG },
  };
}

/** The instant at which faults stop and recovery is scheduled: timeMs - quietMs. */
export function faultsEndMs(config: SimConfig): number {
  return config.timeMs - config.quietMs;
}

/** Largest node count: link state is n×n and node ids must stay small in checker keys. */
export const MAX_NODES = 64;
export const MAX_CLIENTS = 1000;
/** One virtual day; far beyond any useful run, small enough that time stays an exact integer. */
export const MAX_TIME_MS = 86_400_000;
/**
 * Fault arrival rates, per kind. The swarm's storms reach 150 per minute; beyond this the mean gap
 * between faults falls under 60 ms and the schedule is nothing but faults.
 */
export const MAX_FAULTS_PER_MIN = 1000;
/**
 * Bounds on what a config may ask the schedule generator for, so that every run fits in memory:
 * the expected number of ops (clients × timeMs / opIntervalMsMean) and of fault entries.
 */
export const MAX_EXPECTED_OPS = 1_000_000;
export const MAX_EXPECTED_FAULTS = 100_000;
/**
 * Bounds on a schedule read from a file. Above the expected counts, since exponential gaps
 * rounded down to whole milliseconds give somewhat more arrivals than the mean says.
 */
export const MAX_SCHEDULE_OPS = 2 * MAX_EXPECTED_OPS;
export const MAX_SCHEDULE_FAULTS = 10 * MAX_EXPECTED_FAULTS;

/** Expected number of scheduled client ops. */
export function expectedOps(c: SimConfig): number {
  return (c.clients * c.timeMs) / c.clientsCfg.opIntervalMsMean;
}

/**
 * Expected number of fault entries before the quiet period: a partition may cut up to 2(n-1)
 * links and restore each, a crash comes with its restart.
 */
export function expectedFaults(c: SimConfig): number {
  const minutes = faultsEndMs(c) / 60_000;
  const f = c.faults;
  const perPartition = 2 * Math.max(2, 2 * (c.nodes - 1));
  return minutes * (f.partitionsPerMin * perPartition + 2 * f.crashesPerMin + f.pausesPerMin);
}

function isInt(x: unknown, lo: number, hi: number): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;
}

function isRate(x: unknown): boolean {
  return typeof x === 'number' && x >= 0 && x <= 1;
}

function isFaultRate(x: unknown): boolean {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= MAX_FAULTS_PER_MIN;
}

function show(x: unknown): string {
  return typeof x === 'string' ? `'${x}'` : String(x);
}

/** One field check: [field name, ok, what it must be, its value]. */
type Check = readonly [string, boolean, string, unknown];

/**
 * Checks a config (possibly read from a file) for values the simulator cannot run with.
 * Returns null when it is valid, else one message naming the first bad field.
 */
export function validateConfig(c: SimConfig): string | null {
  if (typeof c !== 'object' || c === null) return 'config must be an object';
  for (const section of ['raft', 'network', 'faults', 'clientsCfg'] as const) {
    if (typeof c[section] !== 'object' || c[section] === null) return `${section} must be an object`;
  }
  const r = c.raft;
  const n = c.network;
  const f = c.faults;
  const k = c.clientsCfg;
  const int = 'an integer';
  const positiveInt = 'a positive integer';
  const nonNegativeInt = 'a non-negative integer';
  const faultRate = `a number from 0 to ${MAX_FAULTS_PER_MIN}`;
  const checks: Check[] = [
    ['nodes', isInt(c.nodes, 1, MAX_NODES), `${int} from 1 to ${MAX_NODES}`, c.nodes],
    ['clients', isInt(c.clients, 0, MAX_CLIENTS), `${int} from 0 to ${MAX_CLIENTS}`, c.clients],
    ['timeMs', isInt(c.timeMs, 1, MAX_TIME_MS), `${int} from 1 to ${MAX_TIME_MS}`, c.timeMs],
    ['quietMs', isInt(c.quietMs, 0, c.timeMs), `${int} from 0 to timeMs (${c.timeMs})`, c.quietMs],
    ['livenessBoundMs', isInt(c.livenessBoundMs, 1, MAX_TIME_MS), positiveInt, c.livenessBoundMs],
    [
      'clockDriftPpmMax',
      isInt(c.clockDriftPpmMax, 0, 100_000),
      `${int} from 0 to 100000`,
      c.clockDriftPpmMax,
    ],
    [
      'raft.electionTimeoutMsMin',
      isInt(r.electionTimeoutMsMin, 1, MAX_TIME_MS),
      positiveInt,
      r.electionTimeoutMsMin,
    ],
    [
      'raft.electionTimeoutMsMax',
      isInt(r.electionTimeoutMsMax, r.electionTimeoutMsMin, MAX_TIME_MS),
      `${int} >= raft.electionTimeoutMsMin`,
      r.electionTimeoutMsMax,
    ],
    ['raft.heartbeatMs', isInt(r.heartbeatMs, 1, MAX_TIME_MS), positiveInt, r.heartbeatMs],
    [
      'raft.maxEntriesPerAppend',
      isInt(r.maxEntriesPerAppend, 1, 1_000_000),
      positiveInt,
      r.maxEntriesPerAppend,
    ],
    ['raft.preVote', typeof r.preVote === 'boolean', 'a boolean', r.preVote],
    ['raft.checkQuorum', typeof r.checkQuorum === 'boolean', 'a boolean', r.checkQuorum],
    [
      'raft.readMode',
      r.readMode === 'log' ||
        r.readMode === 'read-index' ||
        r.readMode === 'lease' ||
        r.readMode === 'unsafe-local',
      "one of 'log', 'read-index', 'lease', 'unsafe-local'",
      r.readMode,
    ],
    [
      'raft.leaseDriftPpm',
      r.leaseDriftPpm === undefined || isInt(r.leaseDriftPpm, 0, 999_999),
      `${int} from 0 to 999999 (or absent)`,
      r.leaseDriftPpm,
    ],
    [
      'raft.snapshotChunkBytes',
      r.snapshotChunkBytes === undefined || isInt(r.snapshotChunkBytes, 1, 1 << 30),
      `${positiveInt} (or absent)`,
      r.snapshotChunkBytes,
    ],
    ['network.delayMsMin', isInt(n.delayMsMin, 0, MAX_TIME_MS), nonNegativeInt, n.delayMsMin],
    [
      'network.delayMsMax',
      isInt(n.delayMsMax, n.delayMsMin, MAX_TIME_MS),
      `${int} >= network.delayMsMin`,
      n.delayMsMax,
    ],
    ['network.dropRate', isRate(n.dropRate), 'a probability from 0 to 1', n.dropRate],
    ['network.dupRate', isRate(n.dupRate), 'a probability from 0 to 1', n.dupRate],
    ['network.longDelayRate', isRate(n.longDelayRate), 'a probability from 0 to 1', n.longDelayRate],
    [
      'network.longDelayMsMax',
      isInt(n.longDelayMsMax, n.delayMsMax, MAX_TIME_MS),
      `${int} >= network.delayMsMax`,
      n.longDelayMsMax,
    ],
    ['faults.partitionsPerMin', isFaultRate(f.partitionsPerMin), faultRate, f.partitionsPerMin],
    ['faults.crashesPerMin', isFaultRate(f.crashesPerMin), faultRate, f.crashesPerMin],
    ['faults.pausesPerMin', isFaultRate(f.pausesPerMin), faultRate, f.pausesPerMin],
    ['faults.downMsMin', isInt(f.downMsMin, 1, MAX_TIME_MS), positiveInt, f.downMsMin],
    [
      'faults.downMsMax',
      isInt(f.downMsMax, f.downMsMin, MAX_TIME_MS),
      `${int} >= faults.downMsMin`,
      f.downMsMax,
    ],
    ['faults.partitionMsMin', isInt(f.partitionMsMin, 1, MAX_TIME_MS), positiveInt, f.partitionMsMin],
    [
      'faults.partitionMsMax',
      isInt(f.partitionMsMax, f.partitionMsMin, MAX_TIME_MS),
      `${int} >= faults.partitionMsMin`,
      f.partitionMsMax,
    ],
    ['faults.pauseMsMin', isInt(f.pauseMsMin, 1, MAX_TIME_MS), positiveInt, f.pauseMsMin],
    [
      'faults.pauseMsMax',
      isInt(f.pauseMsMax, f.pauseMsMin, MAX_TIME_MS),
      `${int} >= faults.pauseMsMin`,
      f.pauseMsMax,
    ],
    [
      'clientsCfg.opIntervalMsMean',
      typeof k.opIntervalMsMean === 'number' && k.opIntervalMsMean >= 1 && k.opIntervalMsMean <= MAX_TIME_MS,
      'a number of at least 1',
      k.opIntervalMsMean,
    ],
    [
      'clientsCfg.requestTimeoutMs',
      isInt(k.requestTimeoutMs, 1, MAX_TIME_MS),
      positiveInt,
      k.requestTimeoutMs,
    ],
    ['clientsCfg.opDeadlineMs', isInt(k.opDeadlineMs, 1, MAX_TIME_MS), positiveInt, k.opDeadlineMs],
    ['clientsCfg.keys', isInt(k.keys, 1, 1_000_000), positiveInt, k.keys],
    ['clientsCfg.retryBackoffMs', isInt(k.retryBackoffMs, 0, MAX_TIME_MS), nonNegativeInt, k.retryBackoffMs],
  ];
  for (const [field, ok, what, value] of checks) {
    if (!ok) return `config.${field} must be ${what}, got ${show(value)}`;
  }
  const m = c.membership;
  if (m !== undefined) {
    if (typeof m !== 'object' || m === null) return 'config.membership must be an object';
    if (!isInt(m.spares, 0, MAX_NODES - c.nodes))
      return `config.membership.spares must be an integer from 0 to ${MAX_NODES - c.nodes} (nodes + spares at most ${MAX_NODES}), got ${show(m.spares)}`;
    if (!isFaultRate(m.changesPerMin))
      return `config.membership.changesPerMin must be ${faultRate}, got ${show(m.changesPerMin)}`;
  }
  const cp = c.compaction;
  if (cp !== undefined) {
    if (typeof cp !== 'object' || cp === null) return 'config.compaction must be an object';
    if (!(COMPACTION_TRIGGERS as readonly unknown[]).includes(cp.trigger))
      return `config.compaction.trigger must be 'size' or 'applied', got ${show(cp.trigger)}`;
    if (!isInt(cp.entries, 1, MAX_COMPACTION_ENTRIES))
      return `config.compaction.entries must be an integer from 1 to ${MAX_COMPACTION_ENTRIES}, got ${show(cp.entries)}`;
  }
  const shapes = f.partitionShapes;
  if (shapes !== undefined) {
    const known = (x: unknown) => (PARTITION_SHAPES as readonly unknown[]).includes(x);
    if (!Array.isArray(shapes) || shapes.length === 0 || !shapes.every(known))
      return `config.faults.partitionShapes must be a non-empty list of ${PARTITION_SHAPES.join(', ')}, got ${show(shapes)}`;
  }
  if (k.routing !== undefined && !(CLIENT_ROUTINGS as readonly unknown[]).includes(k.routing))
    return `config.clientsCfg.routing must be one of ${CLIENT_ROUTINGS.join(', ')}, got ${show(k.routing)}`;
  if (k.hotKeyShare !== undefined && !isRate(k.hotKeyShare))
    return `config.clientsCfg.hotKeyShare must be a probability from 0 to 1 (or absent), got ${show(k.hotKeyShare)}`;
  const ops = expectedOps(c);
  if (ops > MAX_EXPECTED_OPS)
    return (
      `config asks for about ${Math.round(ops)} client ops (clients × timeMs / clientsCfg.opIntervalMsMean), ` +
      `more than the ${MAX_EXPECTED_OPS} a run may hold: fewer clients or a shorter time`
    );
  const faults = expectedFaults(c);
  if (faults > MAX_EXPECTED_FAULTS)
    return (
      `config asks for about ${Math.round(faults)} faults (rates per minute × minutes before the quiet period), ` +
      `more than the ${MAX_EXPECTED_FAULTS} a run may hold: lower rates or a shorter time`
    );
  return null;
}

/**
 * Up to this many entries per AppendEntries, a lagging follower catches up only a few entries per
 * round trip: how long that takes depends on the backlog, not on the protocol.
 */
export const SMALL_BATCH = 4;

/**
 * Whether a membership operation still pending at the liveness deadline is a failure. A change
 * commits only once a majority of its new voters holds it, and voters that lagged through the
 * faults must catch up first; with small batches that can take longer than any fixed bound (sweeps
 * found joint changes committing seconds after the deadline on batch-1 and batch-4 profiles).
 * Returns null when it is judged, else why not.
 */
export function membershipLivenessSkipReason(c: SimConfig): string | null {
  if (c.raft.maxEntriesPerAppend > SMALL_BATCH) return null;
  return (
    `membership liveness not judged: AppendEntries batches of ${c.raft.maxEntriesPerAppend} ` +
    'catch lagging voters up a few entries per round trip'
  );
}

/**
 * Below this chance that one vote round reaches a majority, a correct Raft cannot be promised a
 * leader within the bound: ten election timeouts then leave a real chance that every round fails.
 */
export const VOTE_ROUND_SUCCESS_MIN = 0.5;

/**
 * The chance that a candidate's RequestVotes and their replies reach a majority in one round when
 * each message is lost with probability dropRate (duplicates and long delays aside).
 */
export function voteRoundSuccess(c: SimConfig): number {
  const q = (1 - c.network.dropRate) ** 2;
  const peers = c.nodes - 1;
  const need = Math.floor(c.nodes / 2);
  let p = 0;
  let binomial = 1;
  for (let k = 0; k <= peers; k++) {
    if (k > 0) binomial = (binomial * (peers - k + 1)) / k;
    if (k >= need) p += binomial * q ** k * (1 - q) ** (peers - k);
  }
  return Math.min(1, p);
}

/**
 * Whether the liveness probe can be judged in this config. It is judged only where a correct Raft
 * can meet the bound (docs/design.md, "Liveness"):
 * - Raft's timing requirement (§5.6, broadcast time ≪ election timeout): the slowest ordinary
 *   round trip, 2 × delayMsMax, must be below the shortest election timeout, or candidates can
 *   time out before their votes come back, round after round;
 * - the network must let a vote round reach a majority at least every other try;
 * - the bound must end within the run.
 * Returns null when it can, else the reason it is skipped (recorded in the run result).
 */
export function livenessSkipReason(c: SimConfig): string | null {
  const roundTripMs = 2 * c.network.delayMsMax;
  if (roundTripMs >= c.raft.electionTimeoutMsMin) {
    return (
      `liveness not judged: a round trip takes up to ${roundTripMs} ms (2 × ${c.network.delayMsMax} ms delay), ` +
      `not below the shortest election timeout of ${c.raft.electionTimeoutMsMin} ms; Raft promises a leader ` +
      'only when broadcast time is well below the election timeout (§5.6)'
    );
  }
  const success = voteRoundSuccess(c);
  if (success < VOTE_ROUND_SUCCESS_MIN) {
    return (
      `liveness not judged: with drop ${c.network.dropRate} a vote round reaches a majority of ${c.nodes} ` +
      `nodes with probability ${success.toFixed(3)}, below ${VOTE_ROUND_SUCCESS_MIN}; a correct Raft cannot ` +
      `promise a leader within ${c.livenessBoundMs} ms`
    );
  }
  const fromMs = faultsEndMs(c);
  if (fromMs + c.livenessBoundMs > c.timeMs) {
    return (
      `liveness not checked: faults end at ${fromMs} ms and the bound is ${c.livenessBoundMs} ms, ` +
      `past the end of the run at ${c.timeMs} ms (raise quietMs to at least livenessBoundMs)`
    );
  }
  return null;
}
