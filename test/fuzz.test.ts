// raftsim fuzz: fresh seeds in order, a corpus of distinct failures, a state that resumes exactly
// where it stopped, and a canary that says when the harness stops catching a catalogue bug. The
// sessions here are bounded by --max-seeds, so that what they run is fixed; one --for session
// checks that a wall-time budget ends a session cleanly.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CanaryState, canaryStatus, type FuzzState, parseFuzzState } from '../sim/explore/fuzz.ts';
import { simInProcess } from './support/cli-in-process.ts';

const box = mkdtempSync(join(tmpdir(), 'raftsim-fuzz-'));
afterAll(() => rmSync(box, { recursive: true, force: true }));

const CANARY = ['--canary', 'vote-no-log-check', '--canary-every', '5'];
const BASE = ['--start', '1', '--workers', '1', '--quiet', ...CANARY];

async function fuzz(args: string[]) {
  const r = await simInProcess(['fuzz', ...args], box);
  expect(r.thrown).toBeNull();
  return r;
}

function state(dir: string): FuzzState {
  const file = join(dir, 'fuzz.json');
  return parseFuzzState(readFileSync(join(box, file), 'utf8'), file);
}

/** A state without what depends on the wall clock or on how the seeds were split into sessions. */
function comparable(s: FuzzState): Record<string, unknown> {
  const { wallMs: _w, sessions: _s, ...rest } = s;
  return rest;
}

describe('raftsim fuzz', () => {
  it('finds the canary, and two resumed sessions equal one session of the same seeds', async () => {
    const whole = await fuzz(['--max-seeds', '30', '--results', 'whole', ...BASE, '--json']);
    expect(whole.code, whole.stderr).toBe(0);
    const report = JSON.parse(whole.stdout);
    expect(report.canaryStatus).toBe('found');
    expect(report.canary.found).toBeGreaterThan(0);
    expect(report.canary.runs).toBe(6);
    expect(report.session).toMatchObject({ seeds: 30, stopped: 'max-seeds' });

    const first = await fuzz(['--max-seeds', '12', '--results', 'split', ...BASE]);
    expect(first.code, first.stderr).toBe(0);
    expect(state('split').nextSeed).toBe(13);
    const second = await fuzz(['--max-seeds', '18', '--results', 'split', ...BASE]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /^fuzz +18 seeds this session \(seed budget spent\); 30 in all, seeds 1\.\.30, 2 sessions$/m,
    );
    expect(second.stdout).toMatch(
      /^canary +vote-no-log-check found in \d+ of 6 canary runs \(one per 5 seeds\), last in seed \d+$/m,
    );
    expect(state('split').sessions).toBe(2);
    expect(comparable(state('split'))).toStrictEqual(comparable(state('whole')));
  }, 120_000);

  it('keeps one shrunk trace per distinct failure, and each replays', async () => {
    const r = await fuzz([
      '--max-seeds',
      '6',
      '--start',
      '1',
      '--workers',
      '1',
      '--quiet',
      '--bug',
      'vote-no-log-check',
      '--shrink-budget',
      '60',
      '--results',
      'found',
    ]);
    expect(r.code, r.stderr).toBe(1);
    const s = state('found');
    expect(s.corpus.length).toBeGreaterThan(0);
    expect(s.corpus.reduce((n, e) => n + e.seeds, 0)).toBe(s.failed);
    expect(new Set(s.corpus.map((e) => `${e.property} ${e.signature}`)).size).toBe(s.corpus.length);
    for (const e of s.corpus) {
      expect(r.stdout).toContain(`replay  npm run sim -- --replay found/${e.file}`);
      const replay = await simInProcess(['--replay', join('found', e.file), '--quiet'], box);
      expect(replay.code, replay.stdout + replay.stderr).toBe(0);
      expect(replay.stdout).toMatch(/✓ matched the recorded outcome/);
    }
  }, 120_000);

  it('reports a canary it never finds, with exit 3 (the harness checking itself can fail)', async () => {
    // No faults at all: forget-vote only shows when a node restarts, so the canary never bites.
    const r = await fuzz([
      '--max-seeds',
      '40',
      '--start',
      '1',
      '--workers',
      '1',
      '--quiet',
      '--profile',
      'fixed',
      '--time',
      '2s',
      '--crashes',
      'off',
      '--partitions',
      'off',
      '--pauses',
      'off',
      '--canary',
      'forget-vote',
      '--canary-every',
      '2',
      '--results',
      'blind',
    ]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(
      /^canary +forget-vote NOT FOUND in 20 canary runs: the harness may not catch durability as it should$/m,
    );
  }, 120_000);

  it('says a canary is lost when it stops being found for much longer than its usual gap', () => {
    const canary = (runs: number, found: number, sinceFound: number): CanaryState => ({
      bug: 'b',
      property: 'election-safety',
      every: 20,
      settings: { mode: 'swarm', overrides: {}, bugs: ['b'] },
      runs,
      found,
      lastFoundSeed: found === 0 ? null : 1,
      sinceFound,
    });
    expect(canaryStatus(canary(5, 0, 5))).toBe('not-yet');
    expect(canaryStatus(canary(20, 0, 20))).toBe('never-found');
    expect(canaryStatus(canary(100, 50, 19))).toBe('found');
    expect(canaryStatus(canary(100, 50, 20))).toBe('lost');
    // A rare canary (one find in 10 runs) gets five of its gaps: 50 runs.
    expect(canaryStatus(canary(200, 20, 49))).toBe('found');
    expect(canaryStatus(canary(200, 20, 50))).toBe('lost');
  });

  it('ends a session when its wall-time budget is spent, and saves where it stopped', async () => {
    const r = await fuzz(['--for', '2s', '--results', 'timed', ...BASE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.session.stopped).toBe('budget');
    expect(state('timed').nextSeed).toBe(1 + report.session.seeds);
  }, 120_000);

  it('refuses to resume with other settings, and bad flags, in one line (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--max-seeds', '1', '--results', 'whole', ...BASE, '--bug', 'figure8'],
        /^raftsim: whole\/fuzz\.json: this fuzz was started with other settings \(profile swarm, bugs: none, .*, not profile swarm, bugs: figure8, .*\); resume it with the same, or use another --results directory$/,
      ],
      [
        ['--max-seeds', '1', '--results', 'whole', '--start', '1', '--workers', '1'],
        /^raftsim: whole\/fuzz\.json: this fuzz was started with --canary vote-no-log-check --canary-every 5; /,
      ],
      [['--results', 'x'], /^raftsim: fuzz: give a budget: --for DURATION \(8h\) or --max-seeds N$/],
      [
        ['--for', '8', '--results', 'x'],
        /^raftsim: --for: '8' is not a duration such as 90s, 30m, 8h or 2d, at most 30d$/,
      ],
      [['--for', '1h'], /^raftsim: fuzz: --results DIR is required/],
      [['--for', '1h', '--results', 'x', '--canary', 'nope'], /^raftsim: --canary: unknown bug 'nope'/],
      [
        ['--for', '1h', '--results', 'x', '--canary-every', '5'],
        /^raftsim: --canary-every needs --canary BUG$/,
      ],
    ];
    for (const [args, line] of cases) {
      const r = await fuzz(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd()).toMatch(line);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(box, 'x'))).toBe(false);
  });
});
