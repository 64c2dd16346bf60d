// What one run leaves for the user: --history (read back by lincheck, same verdict as the run's
// own check), --save (replays with exit 0), --trace, and the traceHash --json always reports.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { historyText } from '../sim/cli/run-files.ts';
import { lincheckInProcess, simInProcess } from './support/cli-in-process.ts';

const root = resolve(import.meta.dirname, '..');
const box = mkdtempSync(join(tmpdir(), 'raftsim-run-files-'));
afterAll(() => rmSync(box, { recursive: true, force: true }));

let n = 0;
function caseDir(): string {
  const dir = join(box, `case-${n++}`);
  mkdirSync(dir);
  return dir;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed --json output
function json(stdout: string): Record<string, any> {
  return JSON.parse(stdout);
}

describe('--history: the client history, as lincheck reads it', () => {
  it('a clean run: lincheck reads the file and agrees it is linearizable', async () => {
    const dir = caseDir();
    const run = await simInProcess(['--seed', '3', '--time', '3s', '--json', '--history', 'h.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const out = json(run.stdout);
    expect(out.linearizability.verdict).toBe('ok');
    const check = lincheckInProcess(['h.json', '--json'], dir);
    expect(check.code, check.stderr).toBe(0);
    const verdict = json(check.stdout);
    expect(verdict.verdict).toBe('ok');
    expect(verdict.format).toBe('json');
    // Every client op the run counted is in the file (the liveness probe is not a client op).
    const ops = out.clientOps.ok + out.clientOps.failed + out.clientOps.timedOut;
    expect(verdict.ops).toBeGreaterThanOrEqual(ops);
    expect(verdict.ops).toBeGreaterThan(0);
  });

  it('a stale read: lincheck on the file finds the violation the run found', async () => {
    const dir = caseDir();
    const scenario = join(root, 'scenarios/stale-leader-reads-unsafe-local.json');
    const run = await simInProcess(['--replay', scenario, '--json', '--history', 'h.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run.stdout).actual.property).toBe('linearizability');
    const check = lincheckInProcess(['h.json', '--json'], dir);
    expect(check.code, check.stdout).toBe(1);
    expect(json(check.stdout).verdict).toBe('violation');
  });

  it('is the same bytes for the same seed', async () => {
    const dir = caseDir();
    const args = ['--seed', '11', '--time', '2s', '--profile', 'swarm'];
    await simInProcess([...args, '--history', 'a.json', '--save', 'a.trace.json'], dir);
    await simInProcess([...args, '--history', 'b.json', '--save', 'b.trace.json'], dir);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
    const schedule = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')).schedule;
    expect(schedule('a.trace.json')).toEqual(schedule('b.trace.json'));
  });

  it('an empty history is still a file lincheck reads', () => {
    expect(JSON.parse(historyText([]))).toEqual({ version: 1, ops: [] });
  });
});

describe('--save: any run as a trace file that replays', () => {
  it('a passing run replays with exit 0 and the same trace hash', async () => {
    const dir = caseDir();
    const run = await simInProcess(['--seed', '5', '--time', '3s', '--json', '--save', 's.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const replay = await simInProcess(['--replay', 's.json', '--json'], dir);
    expect(replay.code, replay.stderr).toBe(0);
    const r = json(replay.stdout);
    expect(r.matched).toBe(true);
    expect(r.expected).toEqual({ status: 'ok' });
    expect(r.traceHash).toBe(json(run.stdout).traceHash);
    expect(readdirSync(dir)).toEqual(['s.json']);
  });

  it('a failing run (no shrink) replays with exit 0: the same violation at the same step', async () => {
    const dir = caseDir();
    const args = ['--seed', '22', '--profile', 'swarm', '--bug', 'accept-stale-term-append'];
    const run = await simInProcess([...args, '--no-shrink', '--json', '--save', 'f.json'], dir);
    expect(run.code, run.stderr).toBe(1);
    const v = json(run.stdout).violation;
    const replay = await simInProcess(['--replay', 'f.json', '--json'], dir);
    expect(replay.code, replay.stderr).toBe(0);
    const r = json(replay.stdout);
    expect(r.bugs).toEqual(['accept-stale-term-append']);
    expect(r.actual).toMatchObject({ status: 'violation', property: v.property, step: v.step });
    expect(readdirSync(dir)).toEqual(['f.json']);
  });

  it('a replay can be saved again, and the copy replays too', async () => {
    const dir = caseDir();
    const scenario = join(root, 'scenarios/figure8.json');
    const first = await simInProcess(['--replay', scenario, '--bug', 'figure8', '--save', 'copy.json'], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('saved    copy.json  (replay it: npm run sim -- --replay copy.json)');
    const again = await simInProcess(['--replay', 'copy.json'], dir);
    expect(again.code, again.stderr).toBe(0);
  });
});

describe('traceHash in --json', () => {
  it('is reported without --trace, and equals the sha256 of the --trace file', async () => {
    const dir = caseDir();
    const plain = await simInProcess(['--seed', '9', '--time', '2s', '--json'], dir);
    const traced = await simInProcess(['--seed', '9', '--time', '2s', '--json', '--trace', 't.jsonl'], dir);
    const hash = json(plain.stdout).traceHash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(json(traced.stdout).traceHash).toBe(hash);
    const file = readFileSync(join(dir, 't.jsonl'));
    expect(createHash('sha256').update(file).digest('hex')).toBe(hash);
    expect(readdirSync(dir)).toEqual(['t.jsonl']);
  });
});

describe('relative paths are the user’s, not the package root’s', () => {
  it('`npm run sim -- --trace here.jsonl` from another directory writes there', async () => {
    const dir = caseDir();
    const result = await new Promise<{ code: number; stderr: string }>((done) => {
      execFile(
        'npm',
        [
          '--prefix',
          root,
          'run',
          '--silent',
          'sim',
          '--',
          '--seed',
          '1',
          '--time',
          '1s',
          '--trace',
          'here.jsonl',
        ],
        { cwd: dir, encoding: 'utf8', timeout: 60_000 },
        (error, _stdout, stderr) => done({ code: error === null ? 0 : Number(error.code), stderr }),
      );
    });
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['here.jsonl']);
    expect(readdirSync(root)).not.toContain('here.jsonl');
  });
});
