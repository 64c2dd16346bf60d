import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each spawn costs about a second, so every CLI case is started at once in beforeAll and the
// tests only read the results.

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'raftsim-cli-'));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'sim/cli/main.ts', '--no-color', ...args],
      // INIT_CWD too: relative paths are resolved against it when set (as `npm test` sets it).
      { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, INIT_CWD: root } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** figure8.json with one change, written to the temp dir. */
// biome-ignore lint/suspicious/noExplicitAny: a fixture edited at arbitrary JSON paths
function corrupt(name: string, edit: (json: Record<string, any>) => unknown): string {
  const json = JSON.parse(readFileSync(join(root, 'scenarios/figure8.json'), 'utf8'));
  const file = join(dir, name);
  const edited = edit(json);
  writeFileSync(file, typeof edited === 'string' ? edited : JSON.stringify(json));
  return file;
}

const files = {
  truncated: corrupt('truncated.json', () =>
    readFileSync(join(root, 'scenarios/figure8.json'), 'utf8').slice(0, 300),
  ),
  version: corrupt('version.json', (j) => {
    j.version = 9;
  }),
  type: corrupt('type.json', (j) => {
    j.schedule.faults[2].atMs = 'soon';
  }),
  node: corrupt('node.json', (j) => {
    j.schedule.faults[2] = { atMs: 400, type: 'crash', node: 6 };
  }),
  stale: corrupt('stale.json', (j) => {
    // The recorded step is off by one: the replay must say so and fail.
    j.expectations[0].outcome.step += 1;
  }),
};

const cases = {
  figure8Bug: ['--replay', 'scenarios/figure8.json', '--bug', 'figure8', '--json'],
  figure8NoBug: ['--replay', 'scenarios/figure8.json'],
  staleLeader: ['--replay', 'scenarios/stale-leader.json', '--format', 'mermaid'],
  truncated: ['--replay', files.truncated],
  version: ['--replay', files.version],
  type: ['--replay', files.type],
  node: ['--replay', files.node],
  otherBugs: ['--replay', 'scenarios/figure8.json', '--bug', 'forget-vote'],
  stale: ['--replay', files.stale, '--bug', 'figure8', '--no-shrink', '--json'],
} as const;

const results = new Map<keyof typeof cases, Outcome>();
// --out writes into an existing directory only (a missing one is a usage error, exit 2).
mkdirSync(join(dir, 'out'));
const shrunkFile = join(dir, 'out', 'vote.json');
let seedRun: Outcome;
let shrunkReplay: Outcome;

beforeAll(async () => {
  const names = Object.keys(cases) as (keyof typeof cases)[];
  // A failing seed is shrunk and saved; the saved file is then replayed.
  const seedThenReplay = (async () => {
    seedRun = await cli([
      '--seed',
      '2',
      '--profile',
      'swarm',
      '--bug',
      'vote-no-log-check',
      '--out',
      shrunkFile,
      '--json',
    ]);
    shrunkReplay = await cli(['--replay', shrunkFile]);
  })();
  const outcomes = await Promise.all(names.map((n) => cli([...cases[n]])));
  for (let i = 0; i < names.length; i++) results.set(names[i]!, outcomes[i]!);
  await seedThenReplay;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function result(name: keyof typeof cases): Outcome {
  return results.get(name)!;
}

/** One line on stderr, naming the file, and exit code 2. */
function expectOneLine(name: keyof typeof cases, file: string, pattern: RegExp): void {
  const r = result(name);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('npm warn'));
  expect(lines).toHaveLength(1);
  expect(lines[0]!.startsWith(`raftsim: ${file}: `)).toBe(true);
  expect(lines[0]).toMatch(pattern);
}

describe('npm run sim -- --replay', () => {
  it('figure8 with --bug figure8 matches its recorded violation (exit 0, JSON)', () => {
    const r = result('figure8Bug');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      file: 'scenarios/figure8.json',
      bugs: ['figure8'],
      matched: true,
      expected: { status: 'violation', property: 'leader-completeness' },
      actual: { status: 'violation', property: 'leader-completeness' },
      difference: null,
    });
    expect(out.actual.step).toBe(out.expected.step);
  });

  it('figure8 without --bug matches "every property holds" (exit 0)', () => {
    const r = result('figure8NoBug');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/expected +every property holds/);
    expect(r.stdout).toContain('✓ matched');
  });

  it('stale-leader matches, and --format mermaid puts a diagram alone on stdout', () => {
    const r = result('staleLeader');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('sequenceDiagram\n')).toBe(true);
    expect(r.stdout).toMatch(/^ {2}S5->>S3: RequestVote t2 /m);
    expect(r.stdout).not.toMatch(/\bend\b/i);
    expect(r.stderr).toContain('✓ matched');
  });

  it('rejects truncated JSON in one line (exit 2)', () => {
    expectOneLine('truncated', files.truncated, /not valid JSON/);
  });

  it('rejects an unknown version in one line (exit 2)', () => {
    expectOneLine('version', files.version, /: version: unsupported trace version 9/);
  });

  it('rejects a wrong type in one line naming its path (exit 2)', () => {
    expectOneLine('type', files.type, /: schedule\.faults\[2\]\.atMs: .*expected number/);
  });

  it('rejects an unknown node in one line naming its path (exit 2)', () => {
    expectOneLine('node', files.node, /: schedule\.faults\[2\]\.node: must be a node id from 1 to 5/);
  });

  it('names the file and bug set when no expectation matches (exit 2)', () => {
    expectOneLine('otherBugs', 'scenarios/figure8.json', /no expectation for the bug set \[forget-vote\]/);
  });

  it('exits 1 and says what differs when the outcome is not the recorded one', () => {
    const r = result('stale');
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.matched).toBe(false);
    expect(out.difference).toMatch(
      /^expected leader-completeness violated at step \d+, but it was at another step: \d+$/,
    );
    expect(out.shrunk).toBeNull();
  });

  it('a failing --seed is shrunk and saved where --out says, and the file replays (exit 0)', () => {
    expect(seedRun.code, seedRun.stderr).toBe(1);
    const out = JSON.parse(seedRun.stdout);
    expect(out.violation.property).toBe('leader-completeness');
    expect(out.shrunk).toMatchObject({ file: shrunkFile, property: 'leader-completeness', seed: 2 });
    expect(out.shrunk.after.faults + out.shrunk.after.ops).toBeLessThan(
      out.shrunk.before.faults + out.shrunk.before.ops,
    );
    const saved = JSON.parse(readFileSync(shrunkFile, 'utf8'));
    expect(saved.expectations).toEqual([{ bugs: ['vote-no-log-check'], outcome: out.shrunk.outcome }]);
    expect(saved.meta.command).toContain('--seed 2 --profile swarm --bug vote-no-log-check');
    expect(shrunkReplay.code, shrunkReplay.stderr).toBe(0);
    expect(shrunkReplay.stdout).toContain('(bugs: vote-no-log-check)');
  });
});
