import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every command README.md and `--help` show must do what their text says: each one is run here
// (in a scratch directory where `scenarios/` is the project's) and its exit code and a key line
// are checked. A command added to the docs without an expectation below fails the first test.

const ROOT = resolve(import.meta.dirname, '..');
const TSX = import.meta.resolve('tsx');
const work = mkdtempSync(join(tmpdir(), 'raftsim-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Expect {
  readonly code: number;
  /** A line the output (stdout, or the file the command redirects to) must contain. */
  readonly line: RegExp;
  /**
   * What is run instead, when the documented command is too heavy for a test: the same flags on a
   * smaller input. Said here so that the substitution is visible.
   */
  readonly instead?: string;
}

const EXPECTED: Readonly<Record<string, Expect>> = {
  'npm run sim -- --seed 42': { code: 0, line: /^verdict +✓ all properties held$/m },
  'npm run sim -- --seeds 1..1000': {
    code: 0,
    line: /^verdict +✓ all 20 seeds held every property$/m,
    instead: 'npm run sim -- --seeds 1..20 --workers 1',
  },
  'npm run sim -- --seed 2 --bug vote-no-log-check': {
    code: 1,
    line: /^✗ VIOLATION leader-completeness at step/m,
  },
  'npm run sim -- --replay scenarios/membership-single-server-bug.json --bug change-before-term-commit': {
    code: 0,
    line: /^ {2}leader S2 of term 2 appended \{S2,S3,S4\} learners \{S5\} at index 4 before any entry of its term committed/m,
  },
  'npm run sim -- --seeds 1..300 --bug change-before-term-commit': {
    code: 1,
    line: /^ {2}membership-safety: seed 13$/m,
    instead: 'npm run sim -- --seeds 12..13 --bug change-before-term-commit --workers 1 --no-shrink',
  },
  'npm run sim -- --seed 42 --membership 6': { code: 0, line: /^members +\d+ operations: \d+ done/m },
  'npm run sim -- --replay scenarios/snapshot-catch-up.json': {
    code: 0,
    line: /^verdict +✓ matched the recorded outcome$/m,
  },
  'npm run sim -- --seed 42 --compaction size:8': { code: 0, line: /compaction=size:8/m },
  'npm run sim -- --replay scenarios/snapshot-catch-up.json --bug snapshot-forgets-term': {
    code: 0,
    line: /^ +S3's snapshot through index 3 says its last entry has term 0; index 3 was committed as \[t1 c2#1 put k2 v0\] by S3$/m,
  },
  'npm run sim -- --list-bugs': {
    code: 0,
    line: /^ +shown by: npm run sim -- --replay scenarios\/bugs\/figure8\.json$/m,
  },
  'npm run sim -- --seed 7 --json': { code: 0, line: /^\{"seed":7,.*"ok":true/m },
  'npm run sim -- --seed 7 --trace run.jsonl': { code: 0, line: /^verdict +✓ all properties held$/m },
  'npm run sim -- --seed 2 --profile swarm --bug vote-no-log-check': {
    code: 1,
    line: /^saved +failures\/leader-completeness-seed2\.json/m,
  },
  'npm run sim -- --replay failures/leader-completeness-seed2.json': {
    code: 0,
    line: /^verdict +✓ matched the recorded outcome$/m,
  },
  'npm run sim -- --replay scenarios/figure8.json --bug figure8 --format text': {
    code: 0,
    line: /^verdict +✓ matched the recorded outcome$/m,
  },
  'npm run --silent sim -- --replay scenarios/figure8.json --format mermaid > figure8.mmd': {
    code: 0,
    line: /^sequenceDiagram$/m,
  },
  'npm run sim -- --seed 230 --profile swarm --bug figure8': {
    code: 1,
    line: /^✗ VIOLATION leader-completeness at step/m,
  },
  'npm run sim -- scenario scenarios/': { code: 0, line: /^scenarios: \d+ passed, 0 failed$/m },
  'npm run sim -- scenario scenarios/figure8.scn --bug figure8': {
    code: 0,
    line: /^ok {4}scenarios\/figure8\.scn \[bug figure8\]: leader-completeness violated, as expected/m,
  },
  'npm run sim -- view scenarios/figure8.json --bug figure8': {
    code: 0,
    line: /^wrote figure8\.html \(\d+ KB, open it in a browser\): 116 steps, leader-completeness violated/m,
  },
  'npm run sim -- --seed 42 --format html': {
    code: 0,
    line: /^view +raftsim-seed42\.html \(\d+\.\d MB, open it in a browser\)$/m,
  },
  'npm run sim -- view scenarios/figure8.json --bug figure8 --format mermaid --from 0.8s --nodes 1,5': {
    code: 0,
    line: /^ {2}%% window 800–end, nodes S1 S5$/m,
  },
  'npm run lincheck -- history.json': { code: 0, line: /linearizable/ },
  'npm run lincheck -- history.edn': { code: 0, line: /linearizable/ },
  'npx raftsim --version': { code: 0, line: /^\d+\.\d+\.\d+$/m },
  'npm run sim -- conform --impl examples/student-raft/index.ts': {
    code: 0,
    line: /^verdict +✓ conforms in everything that applied$/m,
    instead: 'npm run sim -- conform --impl examples/student-raft/index.ts --sweep 4 --workers 1',
  },
  'npm run sim -- conform --impl-cmd "python3 examples/py-raft/node.py"': {
    code: 0,
    line: /^verdict +✓ conforms in everything that applied$/m,
    instead: 'npm run sim -- conform --impl-cmd "python3 examples/py-raft/node.py" --sweep 1 --workers 1',
  },
  'npx raftsim lincheck history.edn': { code: 0, line: /^linearizable: history\.edn/m },
  'npx raftsim --seeds 1..10000 --shard 0/4 --results results': {
    code: 0,
    line: /^results +results\/shard-0-of-4\.results\.json$/m,
    instead: 'npx raftsim --seeds 1..12 --shard 0/4 --results results --workers 1',
  },
  'npx raftsim merge results': {
    code: 0,
    line: /^missing +seeds 4\.\.12 were asked for but are in no file$/m,
  },
  'npx raftsim explore --for 10m': {
    code: 0,
    line: /^ +no violation found$/m,
    instead: 'npx raftsim explore --runs 3 --seed 1',
  },
  'npm run sim -- explore --runs 40 --seed 3 --bug vote-no-log-check --stop-on-failure': {
    code: 1,
    line: /^ +leader-completeness in run \d+: failures\/leader-completeness-explore3-/m,
  },
  'npx raftsim fuzz --for 8h --results fuzz --canary vote-no-log-check': {
    code: 0,
    line: /^canary +vote-no-log-check found in \d+ of 2 canary runs/m,
    instead:
      'npx raftsim fuzz --max-seeds 10 --start 1 --workers 1 --results fuzz --canary vote-no-log-check --canary-every 5',
  },
};

/** `npm run sim|lincheck` and `npx raftsim` commands of README.md, in order, without their comments. */
function readmeCommands(): string[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return text
    .split('\n')
    .filter((l) => /^ {4}(npm run (--silent )?(sim|lincheck) |npx raftsim )/.test(l))
    .map((l) => l.replace(/\s+#.*$/, '').trim());
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], script = join(ROOT, 'sim', 'cli', 'main.ts')): Promise<Ran> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', TSX, script, ...args],
      { cwd: work, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', INIT_CWD: work } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Runs a documented command the way npm would, from the scratch directory. */
async function runDocumented(command: string): Promise<Ran> {
  const redirect = /^(.*?)\s+>\s+(\S+)$/.exec(command);
  const line = redirect === null ? command : redirect[1]!;
  const bin = /^npx raftsim (.*)$/.exec(line);
  // The bin's entry, from the sources (test/bin.test.ts runs the compiled one).
  if (bin !== null) return cli(bin[1]!.split(/\s+/), join(ROOT, 'sim', 'cli', 'bin.ts'));
  const m = /^npm run (?:--silent )?(sim|lincheck) -- (.*)$/.exec(line);
  if (m === null) throw new Error(`not a command this test knows how to run: ${command}`);
  // Quoted arguments stay one argument, as a shell reads them.
  const args = m[2]!.match(/"[^"]*"|'[^']*'|\S+/g)!.map((a) => a.replace(/^(["'])(.*)\1$/, '$2'));
  const ran = m[1] === 'sim' ? await cli(args) : await cli(args, join(ROOT, 'sim', 'cli', 'lincheck.ts'));
  if (redirect !== null) {
    writeFileSync(join(work, redirect[2]!), ran.stdout);
    return { ...ran, stdout: readFileSync(join(work, redirect[2]!), 'utf8') };
  }
  return ran;
}

const HELP_EXAMPLES: string[] = [];
const results = new Map<string, Ran>();

beforeAll(async () => {
  symlinkSync(join(ROOT, 'scenarios'), join(work, 'scenarios'));
  symlinkSync(join(ROOT, 'examples'), join(work, 'examples'));
  mkdirSync(join(work, 'failures'));
  writeFileSync(
    join(work, 'history.json'),
    JSON.stringify({
      version: 1,
      ops: [
        {
          id: 0,
          client: 1,
          op: { type: 'put', key: 'x', value: '1' },
          invokeMs: 0,
          returnMs: 5,
          status: 'ok',
          result: { type: 'put' },
        },
        {
          id: 1,
          client: 2,
          op: { type: 'get', key: 'x' },
          invokeMs: 6,
          returnMs: 9,
          status: 'ok',
          result: { type: 'get', value: '1' },
        },
      ],
    }),
  );
  writeFileSync(
    join(work, 'history.edn'),
    '{:process 1, :type :invoke, :f :put, :key "k", :value "a"}\n' +
      '{:process 1, :type :ok, :f :put, :key "k", :value "a"}\n' +
      '{:process 2, :type :invoke, :f :get, :key "k", :value nil}\n' +
      '{:process 2, :type :ok, :f :get, :key "k", :value "a"}\n',
  );
  const help = await cli(['--help']);
  const after = help.stdout.split('Examples:')[1] ?? '';
  for (const l of after.split('\n')) if (/^ {2}npm run /.test(l)) HELP_EXAMPLES.push(l.trim());
  // In documentation order: a replay of failures/... needs the run that saved it first.
  const commands = [...new Set([...readmeCommands(), ...HELP_EXAMPLES])];
  for (const command of commands) {
    const e = EXPECTED[command];
    if (e === undefined) continue;
    results.set(command, await runDocumented(e.instead ?? command));
  }
}, 600_000);

describe('documented commands do what their text says', () => {
  it('every command in README.md and --help has an expectation here', () => {
    expect(HELP_EXAMPLES.length).toBeGreaterThanOrEqual(4);
    const missing = [...readmeCommands(), ...HELP_EXAMPLES].filter((c) => EXPECTED[c] === undefined);
    expect(missing).toEqual([]);
  });
  for (const [command, e] of Object.entries(EXPECTED)) {
    it(`${command}${e.instead === undefined ? '' : ` (run as: ${e.instead})`}`, () => {
      const r = results.get(command);
      expect(r, 'the command is no longer documented: drop its expectation').toBeDefined();
      expect(r!.stderr, r!.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
      expect(r!.code, `${r!.stdout}\n${r!.stderr}`).toBe(e.code);
      expect(`${r!.stdout}\n${r!.stderr}`).toMatch(e.line);
    });
  }
});
