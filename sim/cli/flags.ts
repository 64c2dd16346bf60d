// The config flags, one row each: what --help says, how the text is parsed and bounded, which
// ConfigOverrides keys it sets, how those values are written back into a replay command, where
// they land in the run's SimConfig (the `schedule.config` of a saved trace) and what the swarm
// profile does without them. `program()` adds the options, `overridesFrom` reads them and
// `flagsOf` writes them back, all by looping over this table. A new knob is one row here plus the
// places that say so: its ConfigOverrides field and applyOverrides line (sim/explore/profile.ts;
// the compiler refuses a field without a row, test/config-flags.test.ts a row whose value does not
// reach the config), the test's arbitrary for its values (the compiler), and a README row (the test).
//
// Flags that are not config (--seed, --seeds, --json, --trace, ...) stay in program().

import { Option } from 'commander';
import {
  DEFAULT_LEASE_DRIFT_PPM,
  DEFAULT_SNAPSHOT_CHUNK_BYTES,
  type ReadMode,
} from '../../src/raft/types.ts';
import type { ConfigOverrides } from '../explore/profile.ts';
import {
  CLIENT_ROUTINGS,
  type CompactionConfig,
  DEFAULT_PARTITION_SHAPES,
  MAX_CLIENTS,
  MAX_COMPACTION_ENTRIES,
  MAX_FAULTS_PER_MIN,
  MAX_NODES,
  MAX_TIME_MS,
  PARTITION_SHAPES,
  type PartitionShape,
  type SimConfig,
} from '../model/config.ts';
import {
  parseDurationMs,
  parseIntInRange,
  parseProbability,
  parseRange,
  parseRate,
  UsageError,
} from './usage.ts';

type ConfigKey = keyof ConfigOverrides;
type ConfigValues = Required<ConfigOverrides>;

/** One config flag. K: the ConfigOverrides keys it sets (two for --delay, one for the rest). */
export interface ConfigFlag<K extends ConfigKey> {
  readonly flag: `--${string}`;
  /** The argument as --help shows it (`<p>`); absent for a switch such as --prevote. */
  readonly arg?: `<${string}>`;
  readonly help: string;
  /** Values commander checks itself, with its own error line (pinned by test/bad-input.test.ts). */
  readonly choices?: readonly string[];
  readonly keys: readonly K[];
  /**
   * The values the argument sets (a switch ignores `text`). Throws UsageError naming the flag
   * and the value, with the range, when the text is not one of them.
   */
  readonly parse: (flag: string, text: string) => Pick<ConfigValues, K>;
  /**
   * The argument that parses back to exactly these values ([] for a switch), or null when no
   * argument can (a switch's `false`): flagsOf refuses those rather than drop them from a
   * replay command.
   */
  readonly show: (values: Pick<ConfigValues, K>) => string[] | null;
  /** Where the values land in the config a run uses: the trace file's `schedule.config`. */
  readonly inConfig: (c: SimConfig) => Pick<ConfigValues, K>;
  /**
   * What --profile swarm does without the flag. With it, the flag's value replaces every layer's
   * draw (applyOverrides runs last), and the other draws stay as they were: each draw happens
   * whatever is given, so a seed keeps the rest of its profile.
   */
  readonly swarm: string;
}

/** A row with its keys erased, as the loops see it. */
interface AnyConfigFlag {
  readonly flag: `--${string}`;
  readonly arg?: `<${string}>`;
  readonly help: string;
  readonly choices?: readonly string[];
  readonly keys: readonly ConfigKey[];
  readonly parse: (flag: string, text: string) => ConfigOverrides;
  readonly show: (values: ConfigValues) => string[] | null;
  readonly inConfig: (c: SimConfig) => ConfigOverrides;
  readonly swarm: string;
}

/** Type-checks a row against its own keys. */
const row = <K extends ConfigKey>(r: ConfigFlag<K>): ConfigFlag<K> => r;

/** AppendEntries batches beyond this are one batch for any log a run can build. */
export const MAX_BATCH = 1_000_000;

/** One-way message delays beyond a minute make every timeout meaningless. */
export const MAX_DELAY_MS = 60_000;

export const READ_MODES = [
  'log',
  'read-index',
  'lease',
  'unsafe-local',
] as const satisfies readonly ReadMode[];
// A read mode added to ReadMode without its place in READ_MODES does not compile.
type Unlisted = Exclude<ReadMode, (typeof READ_MODES)[number]>;
const everyReadMode: [Unlisted] extends [never] ? true : Unlisted = true;
void everyReadMode;

/**
 * A number as plain decimal digits, never `1e-7`: the parsers take digits only, and String()
 * switches to exponents below 1e-6. The digits are String()'s, the shortest that read back as the
 * same number, so the result does too.
 */
export function plainNumber(x: number): string {
  const text = String(x);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (m === null) return text;
  const [, sign, whole, fraction = '', exponentText] = m;
  const digits = whole! + fraction;
  const point = whole!.length + Number(exponentText);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A rate as --partitions, --crashes and --pauses take it: `off` for none. */
const showRate = (perMin: number): string => (perMin === 0 ? 'off' : plainNumber(perMin));

/** Rates are drawn for every family, and a family is off (0) on some seeds. */
const SWARM_RATE = 'drawn per seed, off on some seeds; storms, figure-8, read and stickiness layers raise it';

/** The config flags, in the order --help lists them and overridesFrom checks them. */
const ROWS = [
  row({
    flag: '--nodes',
    arg: '<n>',
    help: `cluster size, 1 to ${MAX_NODES} (default 5)`,
    keys: ['nodes'],
    parse: (f, t) => ({ nodes: parseIntInRange(f, t, 1, MAX_NODES) }),
    show: (v) => [String(v.nodes)],
    inConfig: (c) => ({ nodes: c.nodes }),
    swarm: 'drawn per seed: 3, 4, 5 or 7 (figure-8 and lease-failover layers: 3 or 5)',
  }),
  row({
    flag: '--clients',
    arg: '<n>',
    help: `workload clients, 0 to ${MAX_CLIENTS} (default 5)`,
    keys: ['clients'],
    parse: (f, t) => ({ clients: parseIntInRange(f, t, 0, MAX_CLIENTS) }),
    show: (v) => [String(v.clients)],
    inConfig: (c) => ({ clients: c.clients }),
    swarm: 'drawn per seed, 1 to 8',
  }),
  row({
    flag: '--time',
    arg: '<duration>',
    help: 'virtual duration: 60s, 500ms, 2m, up to 1440m (default 60s)',
    keys: ['timeMs'],
    parse: (f, t) => ({ timeMs: parseDurationMs(f, t, MAX_TIME_MS) }),
    show: (v) => [`${v.timeMs}ms`],
    inConfig: (c) => ({ timeMs: c.timeMs }),
    swarm: 'not drawn: the default 60s',
  }),
  row({
    flag: '--drop',
    arg: '<p>',
    help: 'probability a message is lost (default 0.01)',
    keys: ['dropRate'],
    parse: (f, t) => ({ dropRate: parseProbability(f, t) }),
    show: (v) => [plainNumber(v.dropRate)],
    inConfig: (c) => ({ dropRate: c.network.dropRate }),
    swarm: 'drawn per seed, 0 to 0.15, 0 on some seeds (figure-8 layer: 0.1 to 0.18)',
  }),
  row({
    flag: '--dup',
    arg: '<p>',
    help: 'probability a message is duplicated (default 0.01)',
    keys: ['dupRate'],
    parse: (f, t) => ({ dupRate: parseProbability(f, t) }),
    show: (v) => [plainNumber(v.dupRate)],
    inConfig: (c) => ({ dupRate: c.network.dupRate }),
    swarm: 'drawn per seed, 0 to 0.1, 0 on some seeds (duplication storms: 0.2 to 0.5)',
  }),
  row({
    flag: '--delay',
    arg: '<min-max>',
    help: `message delay range in ms, up to ${MAX_DELAY_MS} (default 1-10)`,
    keys: ['delayMsMin', 'delayMsMax'],
    parse: (f, t) => {
      const { lo, hi } = parseRange(f, t, MAX_DELAY_MS);
      return { delayMsMin: lo, delayMsMax: hi };
    },
    show: (v) => [`${v.delayMsMin}-${v.delayMsMax}`],
    inConfig: (c) => ({ delayMsMin: c.network.delayMsMin, delayMsMax: c.network.delayMsMax }),
    swarm: 'the maximum is drawn per seed (5 to 100 ms); long delays beyond it are drawn separately',
  }),
  row({
    flag: '--partitions',
    arg: '<rate|off>',
    help: `partitions per virtual minute, 0 to ${MAX_FAULTS_PER_MIN} (default 2)`,
    keys: ['partitionsPerMin'],
    parse: (f, t) => ({ partitionsPerMin: parseRate(f, t, MAX_FAULTS_PER_MIN) }),
    show: (v) => [showRate(v.partitionsPerMin)],
    inConfig: (c) => ({ partitionsPerMin: c.faults.partitionsPerMin }),
    swarm: SWARM_RATE,
  }),
  row({
    flag: '--crashes',
    arg: '<rate|off>',
    help: `crashes per virtual minute, 0 to ${MAX_FAULTS_PER_MIN} (default 1)`,
    keys: ['crashesPerMin'],
    parse: (f, t) => ({ crashesPerMin: parseRate(f, t, MAX_FAULTS_PER_MIN) }),
    show: (v) => [showRate(v.crashesPerMin)],
    inConfig: (c) => ({ crashesPerMin: c.faults.crashesPerMin }),
    swarm: SWARM_RATE,
  }),
  row({
    flag: '--pauses',
    arg: '<rate|off>',
    help: `stop-the-world pauses per virtual minute, 0 to ${MAX_FAULTS_PER_MIN} (default 1)`,
    keys: ['pausesPerMin'],
    parse: (f, t) => ({ pausesPerMin: parseRate(f, t, MAX_FAULTS_PER_MIN) }),
    show: (v) => [showRate(v.pausesPerMin)],
    inConfig: (c) => ({ pausesPerMin: c.faults.pausesPerMin }),
    swarm: SWARM_RATE,
  }),
  row({
    flag: '--read-mode',
    arg: '<mode>',
    help: 'how gets are served (default log)',
    choices: READ_MODES,
    keys: ['readMode'],
    parse: (f, t) => {
      const mode = READ_MODES.find((m) => m === t);
      // Commander checks the choices first; this is for callers of the table alone.
      if (mode === undefined) throw new UsageError(`${f}: '${t}' is not one of ${READ_MODES.join(', ')}`);
      return { readMode: mode };
    },
    show: (v) => [v.readMode],
    inConfig: (c) => ({ readMode: c.raft.readMode }),
    swarm: "log, or read-index or lease on the read and lease-failover layers' seeds; never unsafe-local",
  }),
  row({
    flag: '--prevote',
    help: 'nodes run a PreVote round before campaigning',
    keys: ['preVote'],
    parse: () => ({ preVote: true }),
    show: (v) => (v.preVote ? [] : null),
    inConfig: (c) => ({ preVote: c.raft.preVote }),
    swarm: 'drawn on by the extremes and stickiness layers, off on the figure-8 and lease layers',
  }),
  row({
    flag: '--check-quorum',
    help: 'a leader that has not heard from a majority within an election timeout steps down',
    keys: ['checkQuorum'],
    parse: () => ({ checkQuorum: true }),
    show: (v) => (v.checkQuorum ? [] : null),
    inConfig: (c) => ({ checkQuorum: c.raft.checkQuorum }),
    swarm: 'drawn on by the extremes, read, stickiness and lease layers, off on the figure-8 layer',
  }),
  row({
    flag: '--membership',
    arg: '<rate|off>',
    help: `membership operations per virtual minute, 0 to ${MAX_FAULTS_PER_MIN} (default off; spares default to 2)`,
    keys: ['membershipPerMin'],
    parse: (f, t) => ({ membershipPerMin: parseRate(f, t, MAX_FAULTS_PER_MIN) }),
    show: (v) => [showRate(v.membershipPerMin)],
    inConfig: (c) => ({ membershipPerMin: c.membership?.changesPerMin ?? 0 }),
    swarm: 'the membership layer: on for a quarter of the seeds, 2 to 12 per minute',
  }),
  row({
    flag: '--spares',
    arg: '<n>',
    help: 'servers beyond the initial voters, which start empty outside the configuration (default 0)',
    keys: ['spares'],
    parse: (f, t) => ({ spares: parseIntInRange(f, t, 0, MAX_NODES - 1) }),
    show: (v) => [String(v.spares)],
    inConfig: (c) => ({ spares: c.membership?.spares ?? 0 }),
    swarm: 'the membership layer draws 1 to 3 on its seeds, 0 elsewhere',
  }),
  // Timing, batching and clients: every knob a swarm layer sets, also drawn on its own
  // (sim/explore/knobs.ts), so that any combination can be asked for.
  row({
    flag: '--election-timeout',
    arg: '<min-max>',
    help: `election timeout range in ms, 1 to ${MAX_TIME_MS} (default 150-300); the liveness bound follows (10 × max)`,
    keys: ['electionTimeoutMsMin', 'electionTimeoutMsMax'],
    parse: (f, t) => {
      const { lo, hi } = parsePositiveRange(f, t);
      return { electionTimeoutMsMin: lo, electionTimeoutMsMax: hi };
    },
    show: (v) => [`${v.electionTimeoutMsMin}-${v.electionTimeoutMsMax}`],
    inConfig: (c) => ({
      electionTimeoutMsMin: c.raft.electionTimeoutMsMin,
      electionTimeoutMsMax: c.raft.electionTimeoutMsMax,
    }),
    swarm: 'knob draw (30 to 300 ms, spread 1.25x to 3x); figure-8 and lease-failover layers set their own',
  }),
  row({
    flag: '--heartbeat',
    arg: '<ms>',
    help: `leader heartbeat interval in ms, 1 to ${MAX_TIME_MS} (default 50)`,
    keys: ['heartbeatMs'],
    parse: (f, t) => ({ heartbeatMs: parseIntInRange(f, t, 1, MAX_TIME_MS) }),
    show: (v) => [String(v.heartbeatMs)],
    inConfig: (c) => ({ heartbeatMs: c.raft.heartbeatMs }),
    swarm: 'knob draw (a tenth to a half of the shortest election timeout); lease-failover layer: 200 or 300',
  }),
  row({
    flag: '--batch',
    arg: '<n>',
    help: `most entries in one AppendEntries, 1 to ${MAX_BATCH} (default 64)`,
    keys: ['maxEntriesPerAppend'],
    parse: (f, t) => ({ maxEntriesPerAppend: parseIntInRange(f, t, 1, MAX_BATCH) }),
    show: (v) => [String(v.maxEntriesPerAppend)],
    inConfig: (c) => ({ maxEntriesPerAppend: c.raft.maxEntriesPerAppend }),
    swarm: 'knob draw (1 to 256); storms, figure-8 and read layers: 1 to 4',
  }),
  row({
    flag: '--routing',
    arg: '<how>',
    help: "where a client sends a new op: 'leader' it believes in, a 'random' node, or its 'sticky' node (default leader)",
    choices: CLIENT_ROUTINGS,
    keys: ['routing'],
    parse: (f, t) => {
      const routing = CLIENT_ROUTINGS.find((r) => r === t);
      if (routing === undefined)
        throw new UsageError(`${f}: '${t}' is not one of ${CLIENT_ROUTINGS.join(', ')}`);
      return { routing };
    },
    show: (v) => [v.routing],
    inConfig: (c) => ({ routing: c.clientsCfg.routing ?? 'leader' }),
    swarm: 'knob draw; lease-failover layer: random',
  }),
  row({
    flag: '--lease-drift',
    arg: '<ppm>',
    help: 'the clock-rate error a lease allows for, in parts per million, 0 to 999999 (default 10000)',
    keys: ['leaseDriftPpm'],
    parse: (f, t) => ({ leaseDriftPpm: parseIntInRange(f, t, 0, 999_999) }),
    show: (v) => [String(v.leaseDriftPpm)],
    inConfig: (c) => ({ leaseDriftPpm: c.raft.leaseDriftPpm ?? DEFAULT_LEASE_DRIFT_PPM }),
    swarm: 'knob draw: 10000, 20000 or 50000',
  }),
  row({
    flag: '--clock-drift',
    arg: '<ppm>',
    help: 'largest clock-rate error of a node, in parts per million, 0 to 100000 (default 0)',
    keys: ['clockDriftPpmMax'],
    parse: (f, t) => ({ clockDriftPpmMax: parseIntInRange(f, t, 0, 100_000) }),
    show: (v) => [String(v.clockDriftPpmMax)],
    inConfig: (c) => ({ clockDriftPpmMax: c.clockDriftPpmMax }),
    swarm: 'knob draw (0 to half the lease drift); read layer: up to 5000',
  }),
  row({
    flag: '--hot-key',
    arg: '<p>',
    help: 'share of client ops on the hot key k0, the rest uniform (default 0)',
    keys: ['hotKeyShare'],
    parse: (f, t) => ({ hotKeyShare: parseProbability(f, t) }),
    show: (v) => [plainNumber(v.hotKeyShare)],
    inConfig: (c) => ({ hotKeyShare: c.clientsCfg.hotKeyShare ?? 0 }),
    swarm: 'knob draw: 0.5, 0.8 or 0.95',
  }),
  row({
    flag: '--keys',
    arg: '<n>',
    help: 'size of the key space, 1 to 1000000 (default 5)',
    keys: ['keys'],
    parse: (f, t) => ({ keys: parseIntInRange(f, t, 1, 1_000_000) }),
    show: (v) => [String(v.keys)],
    inConfig: (c) => ({ keys: c.clientsCfg.keys }),
    swarm: 'knob draw: 1 to 20; lease-failover layer: 1',
  }),
  row({
    flag: '--op-interval',
    arg: '<ms>',
    help: `mean gap between one client's ops in ms, 1 to ${MAX_TIME_MS} (default 50)`,
    keys: ['opIntervalMsMean'],
    parse: (f, t) => ({ opIntervalMsMean: parseIntInRange(f, t, 1, MAX_TIME_MS) }),
    show: (v) => [plainNumber(v.opIntervalMsMean)],
    inConfig: (c) => ({ opIntervalMsMean: c.clientsCfg.opIntervalMsMean }),
    swarm: 'knob draw: 25 to 1000; stickiness and lease-failover layers: 300 to 3000',
  }),
  row({
    flag: '--quiet-period',
    arg: '<duration>',
    help: 'the fault-free end of the run, 0 to --time: 5s, 0 (default 5s)',
    keys: ['quietMs'],
    parse: (f, t) => ({ quietMs: t === '0' ? 0 : parseDurationMs(f, t, MAX_TIME_MS) }),
    show: (v) => [v.quietMs === 0 ? '0' : `${v.quietMs}ms`],
    inConfig: (c) => ({ quietMs: c.quietMs }),
    swarm: 'knob draw: 5s, 7.5s or 10s',
  }),
  row({
    flag: '--long-delay',
    arg: '<p>',
    help: 'probability a message takes a long delay, up to 1 s (default 0.005)',
    keys: ['longDelayRate'],
    parse: (f, t) => ({ longDelayRate: parseProbability(f, t) }),
    show: (v) => [plainNumber(v.longDelayRate)],
    inConfig: (c) => ({ longDelayRate: c.network.longDelayRate }),
    swarm: 'drawn per seed: 0, 0.005 or 0.02',
  }),
  row({
    flag: '--shapes',
    arg: '<list>',
    help: `partition shapes drawn from, comma-separated: ${PARTITION_SHAPES.join(', ')} (default all but link)`,
    keys: ['partitionShapes'],
    parse: (f, t) => ({ partitionShapes: parseShapes(f, t) }),
    show: (v) => [v.partitionShapes.join(',')],
    inConfig: (c) => ({ partitionShapes: [...(c.faults.partitionShapes ?? DEFAULT_PARTITION_SHAPES)] }),
    swarm: 'knob draw: one shape or all six; lease-failover layer: link',
  }),
  row({
    flag: '--down',
    arg: '<min-max>',
    help: 'how long a crashed node stays down, in ms (default 100-3000)',
    keys: ['downMsMin', 'downMsMax'],
    parse: (f, t) => {
      const { lo, hi } = parsePositiveRange(f, t);
      return { downMsMin: lo, downMsMax: hi };
    },
    show: (v) => [`${v.downMsMin}-${v.downMsMax}`],
    inConfig: (c) => ({ downMsMin: c.faults.downMsMin, downMsMax: c.faults.downMsMax }),
    swarm: 'crash storms and the figure-8 and read layers shorten it',
  }),
  row({
    flag: '--partition-length',
    arg: '<min-max>',
    help: 'how long a partition lasts, in ms (default 200-5000)',
    keys: ['partitionMsMin', 'partitionMsMax'],
    parse: (f, t) => {
      const { lo, hi } = parsePositiveRange(f, t);
      return { partitionMsMin: lo, partitionMsMax: hi };
    },
    show: (v) => [`${v.partitionMsMin}-${v.partitionMsMax}`],
    inConfig: (c) => ({ partitionMsMin: c.faults.partitionMsMin, partitionMsMax: c.faults.partitionMsMax }),
    swarm: 'partition storms and the figure-8, read, stickiness and lease-failover layers set it',
  }),
  row({
    flag: '--pause-length',
    arg: '<min-max>',
    help: 'how long a stop-the-world pause lasts, in ms (default 100-2000)',
    keys: ['pauseMsMin', 'pauseMsMax'],
    parse: (f, t) => {
      const { lo, hi } = parsePositiveRange(f, t);
      return { pauseMsMin: lo, pauseMsMax: hi };
    },
    show: (v) => [`${v.pauseMsMin}-${v.pauseMsMax}`],
    inConfig: (c) => ({ pauseMsMin: c.faults.pauseMsMin, pauseMsMax: c.faults.pauseMsMax }),
    swarm: 'pause storms set it (20 ms up to 200 to 800)',
  }),
  row({
    flag: '--compaction',
    arg: '<size:n|applied:n|off>',
    help:
      'log compaction: snapshot once the log past the snapshot holds more than n entries (size:n), ' +
      'or every n applied entries (applied:n); default off',
    keys: ['compaction'],
    parse: (f, t) => ({ compaction: parseCompaction(f, t) }),
    show: (v) => [v.compaction === null ? 'off' : `${v.compaction.trigger}:${v.compaction.entries}`],
    inConfig: (c) => ({ compaction: c.compaction ?? null }),
    swarm: 'the compaction layer: on for two seeds in five, size:2 to size:64 or applied:n',
  }),
  row({
    flag: '--snapshot-chunk',
    arg: '<bytes>',
    help: `most snapshot bytes one InstallSnapshot carries (default ${DEFAULT_SNAPSHOT_CHUNK_BYTES})`,
    keys: ['snapshotChunkBytes'],
    parse: (f, t) => ({ snapshotChunkBytes: parseIntInRange(f, t, 1, 1 << 30) }),
    show: (v) => [String(v.snapshotChunkBytes)],
    inConfig: (c) => ({ snapshotChunkBytes: c.raft.snapshotChunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES }),
    swarm: 'the compaction layer draws 16 to 4096 on its seeds',
  }),
] as const;

/** `min-max` of milliseconds, 1 to MAX_TIME_MS, min at most max. */
function parsePositiveRange(flag: string, text: string): { lo: number; hi: number } {
  const range = parseRange(flag, text, MAX_TIME_MS);
  if (range.lo < 1) throw new UsageError(`${flag}: '${text}' is not a range of positive milliseconds`);
  return range;
}

/** A comma-separated list of partition shapes, each once at most. */
function parseShapes(flag: string, text: string): PartitionShape[] {
  const shapes: PartitionShape[] = [];
  for (const name of text.split(',')) {
    const shape = PARTITION_SHAPES.find((s) => s === name);
    if (shape === undefined)
      throw new UsageError(`${flag}: '${name}' is not a partition shape (${PARTITION_SHAPES.join(', ')})`);
    if (shapes.includes(shape)) throw new UsageError(`${flag}: '${name}' is named twice`);
    shapes.push(shape);
  }
  return shapes;
}

/** `size:n`, `applied:n` or `off`, as --compaction takes it. */
function parseCompaction(flag: string, text: string): CompactionConfig | null {
  if (text === 'off') return null;
  const m = /^(size|applied):(\d+)$/.exec(text);
  const entries = m === null ? Number.NaN : Number(m[2]);
  if (m === null || !(entries >= 1 && entries <= MAX_COMPACTION_ENTRIES))
    throw new UsageError(
      `${flag}: '${text}' is not size:n or applied:n with n from 1 to ${MAX_COMPACTION_ENTRIES}, or 'off'`,
    );
  return { trigger: m[1] as CompactionConfig['trigger'], entries };
}

export const CONFIG_FLAGS: readonly AnyConfigFlag[] = ROWS;

// A ConfigOverrides key that no row sets does not compile: it could never be given on the command
// line, nor written into a replay command.
type Unflagged = Exclude<ConfigKey, (typeof ROWS)[number]['keys'][number]>;
const everyKeyFlagged: [Unflagged] extends [never] ? true : Unflagged = true;
void everyKeyFlagged;

/** The headings --help groups the config flags under; a flag not named here is a cluster flag. */
const HELP_GROUPS: readonly (readonly [heading: string, flags: readonly string[]])[] = [
  ['Network:', ['--drop', '--dup', '--delay', '--long-delay']],
  [
    'Faults:',
    ['--partitions', '--crashes', '--pauses', '--shapes', '--down', '--partition-length', '--pause-length'],
  ],
  [
    'Raft options:',
    [
      '--read-mode',
      '--prevote',
      '--check-quorum',
      '--election-timeout',
      '--heartbeat',
      '--batch',
      '--lease-drift',
      '--clock-drift',
    ],
  ],
  ['Membership:', ['--membership', '--spares']],
  ['Log compaction:', ['--compaction', '--snapshot-chunk']],
  ['Clients:', ['--routing', '--hot-key', '--keys', '--op-interval']],
];

function helpGroupOf(flag: string): string {
  return HELP_GROUPS.find(([, flags]) => flags.includes(flag))?.[0] ?? 'Cluster and run:';
}

/** The commander options of the config flags, in table order, grouped under headings in --help. */
export function configOptions(): Option[] {
  return CONFIG_FLAGS.map((r) => {
    const option = new Option(r.arg === undefined ? r.flag : `${r.flag} ${r.arg}`, r.help).helpGroup(
      helpGroupOf(r.flag),
    );
    return r.choices === undefined ? option : option.choices(r.choices);
  });
}

/**
 * The overrides the parsed options give (commander's opts(): each flag under its camel-case
 * name). Rows are checked in table order, so the first bad flag of several is the one named.
 */
export function overridesFrom(opts: Readonly<Record<string, unknown>>): ConfigOverrides {
  const out: ConfigOverrides = {};
  for (const r of CONFIG_FLAGS) {
    const value = opts[new Option(r.flag).attributeName()];
    if (value === undefined || value === false) continue;
    Object.assign(out, r.parse(r.flag, typeof value === 'string' ? value : ''));
  }
  return out;
}

/**
 * The flags that reproduce these overrides, for replay commands. Throws (a bug in raftsim, not a
 * user error) on overrides no flag can say — half of --delay, a switch set to false — since a
 * replay command that silently dropped them would run a different config.
 */
export function flagsOf(o: ConfigOverrides): string[] {
  const flags: string[] = [];
  for (const r of CONFIG_FLAGS) {
    const given = r.keys.filter((k) => o[k] !== undefined);
    if (given.length === 0) continue;
    // Every key of the row is set (checked here), so the row reads only values that exist.
    const shown = given.length === r.keys.length ? r.show(o as ConfigValues) : null;
    if (shown === null) throw new Error(`${r.flag} cannot say ${JSON.stringify(givenValues(o, r.keys))}`);
    flags.push(r.flag, ...shown);
  }
  return flags;
}

/** The overrides among `keys` that are set. */
export function givenValues(o: ConfigOverrides, keys: readonly ConfigKey[]): ConfigOverrides {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
