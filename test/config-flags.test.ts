import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUGS } from '../bugs/index.ts';
import { applyBugRequirements } from '../sim/cli/bug-options.ts';
import {
  CONFIG_FLAGS,
  configOptions,
  flagsOf,
  givenValues,
  MAX_BATCH,
  MAX_DELAY_MS,
  overridesFrom,
  plainNumber,
  READ_MODES,
} from '../sim/cli/flags.ts';
import { replayCommand, seedRunOf } from '../sim/cli/main.ts';
import { type ConfigOverrides, configFor, PROFILE_MODES } from '../sim/explore/profile.ts';
import {
  CLIENT_ROUTINGS,
  MAX_CLIENTS,
  MAX_FAULTS_PER_MIN,
  MAX_NODES,
  MAX_TIME_MS,
  PARTITION_SHAPES,
} from '../sim/model/config.ts';

// The replay command printed after a failure is the user's only way back to it, so the flags
// flagsOf writes must parse back to exactly the overrides the run had, for every value a flag
// can give — not only the round numbers the swarm draws.

type ConfigKey = keyof ConfigOverrides;
type ConfigValues = Required<ConfigOverrides>;

/**
 * fast-check's seed here. Fixed, so that every CI run checks the same values and a failure
 * replays (fast-check prints the seed and path; pass them to fc.assert to rerun only that case).
 */
const FC_SEED = 20_251_130;

const probability = fc.double({ min: 0, max: 1, noNaN: true });
const ratePerMin = fc.double({ min: 0, max: MAX_FAULTS_PER_MIN, noNaN: true });
const delayMs = fc.integer({ min: 0, max: MAX_DELAY_MS });
const positiveMs = fc.integer({ min: 1, max: MAX_TIME_MS });

/**
 * Every value the flags can give, one arbitrary per ConfigOverrides key (a key added without one
 * does not compile). The switches give only `true`; --delay's two ends are ordered below.
 */
const VALUES: { readonly [K in ConfigKey]-?: fc.Arbitrary<ConfigValues[K]> } = {
  nodes: fc.integer({ min: 1, max: MAX_NODES }),
  clients: fc.integer({ min: 0, max: MAX_CLIENTS }),
  timeMs: fc.integer({ min: 1, max: MAX_TIME_MS }),
  dropRate: probability,
  dupRate: probability,
  delayMsMin: delayMs,
  delayMsMax: delayMs,
  partitionsPerMin: ratePerMin,
  crashesPerMin: ratePerMin,
  pausesPerMin: ratePerMin,
  readMode: fc.constantFrom(...READ_MODES),
  preVote: fc.constant(true),
  checkQuorum: fc.constant(true),
  membershipPerMin: ratePerMin,
  spares: fc.integer({ min: 0, max: MAX_NODES - 1 }),
  electionTimeoutMsMin: positiveMs,
  electionTimeoutMsMax: positiveMs,
  heartbeatMs: positiveMs,
  maxEntriesPerAppend: fc.integer({ min: 1, max: MAX_BATCH }),
  routing: fc.constantFrom(...CLIENT_ROUTINGS),
  leaseDriftPpm: fc.integer({ min: 0, max: 999_999 }),
  clockDriftPpmMax: fc.integer({ min: 0, max: 100_000 }),
  hotKeyShare: probability,
  keys: fc.integer({ min: 1, max: 1_000_000 }),
  opIntervalMsMean: positiveMs,
  quietMs: fc.integer({ min: 0, max: MAX_TIME_MS }),
  longDelayRate: probability,
  partitionShapes: fc.uniqueArray(fc.constantFrom(...PARTITION_SHAPES), { minLength: 1 }),
  downMsMin: positiveMs,
  downMsMax: positiveMs,
  partitionMsMin: positiveMs,
  partitionMsMax: positiveMs,
  pauseMsMin: positiveMs,
  pauseMsMax: positiveMs,
  compaction: fc.option(
    fc
      .record({
        trigger: fc.constantFrom('size' as const, 'applied' as const),
        entries: fc.integer({ min: 1, max: 1_000_000 }),
      })
      .map((c) => ({ ...c })),
  ),
  snapshotChunkBytes: fc.integer({ min: 1, max: 1 << 30 }),
};

/** The flags that set two keys, a range each: both ends or neither, in order. */
const RANGE_PAIRS = [
  ['delayMsMin', 'delayMsMax'],
  ['electionTimeoutMsMin', 'electionTimeoutMsMax'],
  ['downMsMin', 'downMsMax'],
  ['partitionMsMin', 'partitionMsMax'],
  ['pauseMsMin', 'pauseMsMax'],
] as const;

/** Any overrides the table can express: each key present or not, --delay's ends both or neither. */
const overridesArb: fc.Arbitrary<ConfigOverrides> = fc.record(VALUES, { requiredKeys: [] }).map((drawn) => {
  const out: Record<string, unknown> = { ...drawn };
  for (const [lo, hi] of RANGE_PAIRS) {
    const a = drawn[lo];
    const b = drawn[hi];
    delete out[lo];
    delete out[hi];
    if (a === undefined || b === undefined) continue;
    out[lo] = Math.min(a, b);
    out[hi] = Math.max(a, b);
  }
  return out as ConfigOverrides;
});

/** The overrides a command line gives, through the same options and loop as `npm run sim`. */
function parseFlags(argv: readonly string[]): ConfigOverrides {
  const cmd = new Command('raftsim').exitOverride().configureOutput({ writeErr: () => {} });
  for (const option of configOptions()) cmd.addOption(option);
  cmd.parse([...argv], { from: 'user' });
  return overridesFrom(cmd.opts());
}

describe(`config flags (fast-check seed ${FC_SEED})`, () => {
  it('the flags printed for any overrides parse back to the same overrides', () => {
    fc.assert(
      fc.property(overridesArb, (o) => {
        expect(parseFlags(flagsOf(o))).toStrictEqual(o);
      }),
      { seed: FC_SEED, numRuns: 2000 },
    );
  });

  it('the replay command printed for any seed and settings runs that seed with those settings', () => {
    const MAX_SEED = 2 ** 32 - 1;
    const bugNames = BUGS.map((b) => b.name);
    fc.assert(
      fc.property(
        fc.nat({ max: MAX_SEED }),
        fc.constantFrom(...PROFILE_MODES),
        fc.subarray(bugNames),
        overridesArb,
        (seed, mode, bugs, given) => {
          // The settings a run can have: its bugs' needs met, as main() meets them before printing.
          let overrides: ConfigOverrides;
          try {
            overrides = applyBugRequirements(bugs, given, mode).overrides;
          } catch {
            fc.pre(false); // a flag that rules a bug out: refused before any run
            return;
          }
          const settings = { mode, overrides, bugs };
          const command = replayCommand(seed, settings);
          const prefix = 'npm run sim -- ';
          expect(command.startsWith(prefix)).toBe(true);
          expect(seedRunOf(command.slice(prefix.length).split(' '))).toStrictEqual({ seed, settings });
        },
      ),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  it("each flag's values reach the config a run uses, at the field its row names, in either profile", () => {
    fc.assert(
      fc.property(
        overridesArb,
        fc.nat({ max: 100_000 }),
        fc.constantFrom(...PROFILE_MODES),
        (o, seed, mode) => {
          const config = configFor(seed, mode, o);
          for (const row of CONFIG_FLAGS) {
            const given = givenValues(o, row.keys);
            if (Object.keys(given).length > 0) expect(row.inConfig(config), row.flag).toStrictEqual(given);
          }
        },
      ),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('parses each flag as typed, and prints it back as a user would type it', () => {
    const argv = ['--nodes', '3', '--drop', '0.25', '--delay', '2-40', '--crashes', 'off', '--prevote'];
    const o = parseFlags(argv);
    expect(o).toStrictEqual({
      nodes: 3,
      dropRate: 0.25,
      delayMsMin: 2,
      delayMsMax: 40,
      crashesPerMin: 0,
      preVote: true,
    });
    expect(flagsOf(o)).toStrictEqual(argv);
    expect(flagsOf({ timeMs: 90_000, readMode: 'lease' })).toStrictEqual([
      '--time',
      '90000ms',
      '--read-mode',
      'lease',
    ]);
  });

  it('refuses overrides no flag can say, rather than print a replay command that runs another config', () => {
    expect(() => flagsOf({ delayMsMin: 5 })).toThrow('--delay cannot say {"delayMsMin":5}');
    expect(() => flagsOf({ preVote: false })).toThrow('--prevote cannot say {"preVote":false}');
    expect(() => flagsOf({ checkQuorum: false })).toThrow('--check-quorum');
  });

  it('writes small and large numbers in digits, which the parsers take, never as 1e-7', () => {
    // String(1e-7) is '1e-7', which --drop refused: the replay command of `--drop 0.0000001` failed.
    expect(plainNumber(1e-7)).toBe('0.0000001');
    expect(plainNumber(1.25e-8)).toBe('0.0000000125');
    expect(plainNumber(0.25)).toBe('0.25');
    expect(plainNumber(1e21)).toBe('1000000000000000000000');
    expect(plainNumber(1.5e22)).toBe('15000000000000000000000');
    expect(Number(plainNumber(5e-324))).toBe(5e-324);
    expect(flagsOf({ dropRate: 1e-7, crashesPerMin: 5e-7 })).toStrictEqual([
      '--drop',
      '0.0000001',
      '--crashes',
      '0.0000005',
    ]);
  });

  it('README.md documents every config flag in its reference table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    // A row starts `| \`--flag <arg>\`` or `| \`--flag\``; flag names are letters and dashes only.
    const documented = (flag: string): boolean => new RegExp(`^\\| \`${flag}[ \`]`, 'm').test(readme);
    const missing = CONFIG_FLAGS.map((r) => r.flag).filter((flag) => !documented(flag));
    expect(missing).toStrictEqual([]);
  });
});
