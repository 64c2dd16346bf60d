// Sharded sweeps and their merge: the partition is exact, the shard comes from the flags or from
// a Kubernetes Indexed Job's environment, results files round-trip, and `raftsim merge` refuses
// what cannot be merged with exit 2 and one line.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveShard } from '../sim/cli/shards.ts';
import { failureSignature, parseResults, type ResultsFile } from '../sim/explore/results.ts';
import { missingRanges, rangesOf, type SeedRange, shardRange } from '../sim/explore/shard.ts';
import { defaultConfig } from '../sim/model/config.ts';
import { UsageError } from '../sim/model/errors.ts';
import type { Schedule } from '../sim/model/schedule.ts';
import { simInProcess } from './support/cli-in-process.ts';

const FC_SEED = 15;

/** What is wrong with a partition of `range` into blocks, or null: the union is the range, no seed twice. */
function partitionError(range: SeedRange, blocks: readonly SeedRange[]): string | null {
  let next = range.lo;
  let smallest = Number.POSITIVE_INFINITY;
  let largest = 0;
  for (const [i, b] of blocks.entries()) {
    if (b.hi < b.lo - 1) return `block ${i} is malformed`;
    if (b.lo !== next) return `block ${i} starts at ${b.lo}, not ${next}`;
    next = b.hi + 1;
    smallest = Math.min(smallest, b.hi - b.lo + 1);
    largest = Math.max(largest, b.hi - b.lo + 1);
  }
  if (next !== range.hi + 1) return `the blocks end at ${next - 1}, not ${range.hi}`;
  if (largest - smallest > 1) return `blocks of ${smallest} and ${largest} seeds`;
  return null;
}

describe('shardRange: a deterministic partition of the seed range', () => {
  it('the shards together are exactly the range, in order, no seed twice, sizes within one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 300 }),
        (lo, total, count) => {
          const range = { lo, hi: lo + total - 1 };
          const blocks = Array.from({ length: count }, (_, index) => shardRange(range, { index, count }));
          expect(partitionError(range, blocks)).toBeNull();
        },
      ),
      { seed: FC_SEED, numRuns: 300 },
    );
  });

  it('the check catches a gap, an overlap and unequal blocks (it can fail)', () => {
    const range = { lo: 1, hi: 10 };
    expect(
      partitionError(range, [
        { lo: 1, hi: 4 },
        { lo: 6, hi: 10 },
      ]),
    ).toMatch(/starts at 6, not 5/);
    expect(
      partitionError(range, [
        { lo: 1, hi: 5 },
        { lo: 5, hi: 10 },
      ]),
    ).toMatch(/starts at 5, not 6/);
    expect(
      partitionError(range, [
        { lo: 1, hi: 2 },
        { lo: 3, hi: 10 },
      ]),
    ).toMatch(/blocks of 2 and 8/);
  });

  it('gives the examples a reader expects', () => {
    const range = { lo: 1, hi: 10_000 };
    expect([0, 1, 2, 3].map((index) => shardRange(range, { index, count: 4 }))).toEqual([
      { lo: 1, hi: 2500 },
      { lo: 2501, hi: 5000 },
      { lo: 5001, hi: 7500 },
      { lo: 7501, hi: 10_000 },
    ]);
    // More shards than seeds: the extra shards run nothing.
    expect(shardRange({ lo: 5, hi: 6 }, { index: 0, count: 3 })).toEqual({ lo: 5, hi: 4 });
  });

  it('ranges of seeds, and what a set of ranges misses', () => {
    expect(rangesOf([7, 1, 2, 3, 9, 8, 5])).toEqual([
      [1, 3],
      [5, 5],
      [7, 9],
    ]);
    expect(
      missingRanges(
        [[1, 20]],
        [
          [1, 5],
          [9, 12],
        ],
      ),
    ).toEqual([
      [6, 8],
      [13, 20],
    ]);
  });
});

describe('failureSignature: what makes two shrunk failures one finding', () => {
  const schedule = (faults: Schedule['faults'], ops: Schedule['ops'], nodes = 3): Schedule => ({
    version: 1,
    seed: 7,
    config: { ...defaultConfig(), nodes },
    faults,
    ops,
  });
  const put = (atMs: number, value: string): Schedule['ops'][number] => ({
    client: 1,
    atMs,
    op: { type: 'put', key: 'k', value },
  });

  it('leaves out seeds, times, node ids and values', () => {
    const a = schedule(
      [
        { atMs: 10, type: 'crash', node: 1 },
        { atMs: 90, type: 'restart', node: 1 },
      ],
      [put(5, 'x')],
    );
    const b = {
      ...schedule(
        [
          { atMs: 400, type: 'crash', node: 3 },
          { atMs: 900, type: 'restart', node: 3 },
        ],
        [put(1, 'y')],
      ),
      seed: 99,
    };
    expect(failureSignature('leader-completeness', a, 'leader S1 lacks index 4')).toBe(
      'leader-completeness · 3 nodes · faults: crash, restart · ops: put',
    );
    expect(failureSignature('leader-completeness', b, 'leader S2 lacks index 9')).toBe(
      failureSignature('leader-completeness', a, 'leader S1 lacks index 4'),
    );
  });

  it('tells apart another property, cluster size, fault or operation kind, and counts runs of one kind', () => {
    const base = schedule([{ atMs: 10, type: 'pause', node: 1, durationMs: 5 }], [put(5, 'x'), put(6, 'y')]);
    const sig = failureSignature('election-safety', base, null);
    expect(sig).toBe('election-safety · 3 nodes · faults: pause · ops: put×2');
    expect(failureSignature('log-matching', base, null)).not.toBe(sig);
    expect(
      failureSignature('election-safety', { ...base, config: { ...base.config, nodes: 5 } }, null),
    ).not.toBe(sig);
    expect(
      failureSignature('election-safety', { ...base, faults: [{ atMs: 10, type: 'crash', node: 1 }] }, null),
    ).not.toBe(sig);
    expect(failureSignature('election-safety', { ...base, ops: [put(5, 'x')] }, null)).not.toBe(sig);
  });

  it('buckets an assertion by its message with the numbers blanked', () => {
    const s = schedule([], []);
    expect(failureSignature('assertion', s, 'S3: term 7 went back to 5')).toBe(
      'assertion · S#: term # went back to # · 3 nodes · faults: none · ops: none',
    );
    expect(failureSignature('assertion', s, 'S1: term 9 went back to 2')).toBe(
      failureSignature('assertion', s, 'S3: term 7 went back to 5'),
    );
    expect(failureSignature('assertion', s, 'commitIndex 4 beyond lastIndex 3')).not.toBe(
      failureSignature('assertion', s, 'S3: term 7 went back to 5'),
    );
  });
});

describe('resolveShard: flags, or a Kubernetes Indexed Job environment', () => {
  const error = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      if (e instanceof UsageError) return e.message;
      throw e;
    }
    return 'no error';
  };

  it('reads --shard i/n, 0-based', () => {
    expect(resolveShard({ shard: '0/4' }, {})).toEqual({ index: 0, count: 4 });
    expect(resolveShard({ shard: '3/4' }, { JOB_COMPLETION_INDEX: '1' })).toEqual({ index: 3, count: 4 });
    expect(resolveShard({}, {})).toBeNull();
  });

  it('reads the index from JOB_COMPLETION_INDEX and the count from --shards or RAFTSIM_SHARDS', () => {
    expect(resolveShard({ shards: '4' }, { JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 2, count: 4 });
    expect(resolveShard({}, { JOB_COMPLETION_INDEX: '3', RAFTSIM_SHARDS: '4' })).toEqual({
      index: 3,
      count: 4,
    });
  });

  it('refuses what would run the wrong seeds, in one line naming the flag or variable', () => {
    expect(error(() => resolveShard({ shard: '4/4' }, {}))).toBe(
      "--shard: '4/4': the index counts from 0, so it must be below 4",
    );
    expect(error(() => resolveShard({ shard: '1-4' }, {}))).toMatch(/^--shard: '1-4' is not i\/n/);
    expect(error(() => resolveShard({ shard: '1/0' }, {}))).toMatch(/^--shard: '0' is not an integer from 1/);
    expect(error(() => resolveShard({ shard: '0/2', shards: '2' }, {}))).toMatch(/not both/);
    expect(error(() => resolveShard({}, { JOB_COMPLETION_INDEX: '0' }))).toMatch(
      /^JOB_COMPLETION_INDEX is set .* but no shard count: give --shards N or RAFTSIM_SHARDS=N$/,
    );
    expect(error(() => resolveShard({ shards: '4' }, {}))).toMatch(/JOB_COMPLETION_INDEX, which is not set/);
    expect(error(() => resolveShard({}, { JOB_COMPLETION_INDEX: '4', RAFTSIM_SHARDS: '4' }))).toBe(
      "JOB_COMPLETION_INDEX: '4' is not below the shard count 4 (RAFTSIM_SHARDS)",
    );
  });
});

describe('raftsim merge refuses what cannot be merged (exit 2, one line)', () => {
  const box = mkdtempSync(join(tmpdir(), 'raftsim-merge-'));
  afterAll(() => rmSync(box, { recursive: true, force: true }));
  let base: ResultsFile;

  beforeAll(async () => {
    const r = await simInProcess(
      [
        '--seeds',
        '1..6',
        '--workers',
        '1',
        '--quiet',
        '--bug',
        'vote-no-log-check',
        '--shard',
        '0/2',
        '--results',
        'a',
      ],
      box,
    );
    expect(r.thrown).toBeNull();
    expect(r.code, r.stderr).toBe(1);
    const text = readFileSync(join(box, 'a', 'shard-0-of-2.results.json'), 'utf8');
    base = parseResults(text, 'a');
  }, 120_000);

  /** Writes `results` as dir/name.results.json. */
  const put = (dir: string, name: string, results: unknown): void => {
    mkdirSync(join(box, dir), { recursive: true });
    writeFileSync(join(box, dir, `${name}.results.json`), JSON.stringify(results));
  };

  it('the shard file holds what its shard ran, with the shrunk failure and its signature', () => {
    expect(base.shard).toEqual({ index: 0, count: 2 });
    expect(base.range).toEqual({ lo: 1, hi: 6 });
    expect(base.seedsRun).toEqual([[1, 3]]);
    expect(base.build.commit).toMatch(/^([0-9a-f]{40}|unknown)$/);
    // The first failure of each property is shrunk (seed 3 breaks state machine safety first).
    const shrunk = base.failures.filter((f) => f.shrunk !== null);
    const firsts = base.failures.filter(
      (f, i) => base.failures.findIndex((g) => g.property === f.property) === i,
    );
    expect(shrunk.map((f) => f.seed)).toEqual(firsts.map((f) => f.seed));
    expect(shrunk[0]!.seed).toBe(base.failures[0]!.seed);
    expect(shrunk[0]!.shrunk!.signature).toMatch(/^leader-completeness · \d nodes · faults: .* · ops: /);
    expect(shrunk[0]!.replay).toBe(
      `npm run sim -- --seed ${shrunk[0]!.seed} --profile swarm --bug vote-no-log-check`,
    );
  });

  const cases: [name: string, edit: (r: ResultsFile) => unknown, line: RegExp][] = [
    [
      'another version',
      (r) => ({ ...r, build: { ...r.build, version: '9.9.9' } }),
      /^raftsim: merge: m\/b\.results\.json was written by raftsim 9\.9\.9 .* but a\/shard-0-of-2\.results\.json by raftsim .*; results of different versions cannot be merged$/,
    ],
    [
      'another commit',
      (r) => ({ ...r, build: { ...r.build, commit: '0'.repeat(40) } }),
      /different versions cannot be merged$/,
    ],
    [
      'another bug set',
      (r) => ({ ...r, settings: { ...r.settings, bugs: ['figure8'] } }),
      /^raftsim: merge: m\/b\.results\.json ran profile swarm, bugs: figure8, overrides: none but .* ran profile swarm, bugs: vote-no-log-check, overrides: none; results of different configs cannot be merged$/,
    ],
    [
      'other config flags',
      (r) => ({ ...r, settings: { ...r.settings, overrides: { nodes: 3 } } }),
      /overrides: nodes=3 but .*different configs cannot be merged$/,
    ],
    [
      'another profile',
      (r) => ({ ...r, settings: { ...r.settings, mode: 'fixed' } }),
      /ran profile fixed, .*different configs cannot be merged$/,
    ],
    [
      'the same seeds twice',
      (r) => r,
      /^raftsim: merge: seed 1 was run by both .* and .*; each seed must come from one file$/,
    ],
    [
      'a results file of another format version',
      (r) => ({ ...r, version: 2 }),
      /^raftsim: m\/b\.results\.json: version: unsupported results version 2; this raftsim reads version 1$/,
    ],
    [
      'a results file whose counts disagree',
      (r) => ({ ...r, passed: r.passed + 1 }),
      /^raftsim: m\/b\.results\.json: seedsRun holds 3 seeds but passed \+ failures is 4$/,
    ],
  ];
  for (const [name, edit, line] of cases) {
    it(name, async () => {
      rmSync(join(box, 'm'), { recursive: true, force: true });
      put('m', 'b', edit(base));
      const r = await simInProcess(['merge', 'a', 'm'], box);
      expect(r.thrown).toBeNull();
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr.trimEnd()).toMatch(line);
    });
  }

  it('a directory without results files, and a file that is not one', async () => {
    mkdirSync(join(box, 'empty'), { recursive: true });
    const empty = await simInProcess(['merge', 'empty'], box);
    expect([empty.code, empty.stderr]).toEqual([2, "raftsim: merge: no *.results.json files in 'empty'\n"]);
    writeFileSync(join(box, 'trace.json'), '{"format": "raftsim-trace"}');
    const wrong = await simInProcess(['merge', 'trace.json'], box);
    expect([wrong.code, wrong.stderr]).toEqual([
      2,
      'raftsim: trace.json: format: expected "raftsim-results", got "raftsim-trace"\n',
    ]);
  });

  it('merges the same build and config, and says which seeds no file ran', async () => {
    const r = await simInProcess(['merge', 'a', '--json'], box);
    expect(r.code).toBe(1);
    const merged = JSON.parse(r.stdout);
    expect(merged.missing).toEqual([[4, 6]]);
    expect(merged.complete).toBe(false);
    const human = await simInProcess(['merge', 'a'], box);
    expect(human.stdout).toMatch(/^missing +seeds 4\.\.6 were asked for but are in no file$/m);
  });

  it('the shard flags belong to a sweep', async () => {
    const r = await simInProcess(['--seed', '3', '--results', 'x'], box);
    expect([r.code, r.stderr]).toEqual([2, 'raftsim: --results belongs to a sweep: use it with --seeds\n']);
  });
});
