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
import { DEFAULT_SNAPSHOT_CHUNK_BYTES, type ReadMode } from '../../src/raft/types.ts';
import type { ConfigOverrides } from '../explore/profile.ts';
import {
  type CompactionConfig,
  MAX_CLIENTS,
  MAX_COMPACTION_ENTRIES,
  MAX_FAULTS_PER_MIN,
  MAX_NODES,
  MAX_TIME_MS,
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

/** The commander options of the config flags, in table order. */
export function configOptions(): Option[] {
  return CONFIG_FLAGS.map((r) => {
    const option = new Option(r.arg === undefined ? r.flag : `${r.flag} ${r.arg}`, r.help);
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
