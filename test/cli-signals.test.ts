import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'sim', 'cli', 'main.ts');
const work = mkdtempSync(join(tmpdir(), 'raftsim-signals-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts a long sweep in `work`, waits until it has reported some seeds (a progress line every
 * 100 ms, see RAFTSIM_PROGRESS_MS) and sends it `signal`.
 */
function interruptSweep(args: string[], signal: NodeJS.Signals): Promise<Ended> {
  return interruptWhen(['--seeds', '1..100000', '--workers', '1', ...args], /^seeds /gm, signal);
}

/** Runs the CLI in `work` and sends `signal` once stderr has shown `mark` twice. */
function interruptWhen(args: string[], mark: RegExp, signal: NodeJS.Signals): Promise<Ended> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), CLI, '--no-color', ...args],
      {
        cwd: work,
        env: { ...process.env, RAFTSIM_PROGRESS_MS: '100', INIT_CWD: work },
      },
    );
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      // Two progress lines: the sweep is under way and has finished seeds.
      if (!sent && (stderr.match(mark) ?? []).length >= 2) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('signals during one run', () => {
  it('SIGINT while a --trace is being written: exit 130, neither the temporary file nor the trace is left', async () => {
    const dir = mkdtempSync(join(work, 'one-'));
    const r = await new Promise<Ended>((done, fail) => {
      const child = spawn(
        process.execPath,
        // Ten virtual hours: long enough to be interrupted while the trace is written.
        [
          '--import',
          import.meta.resolve('tsx'),
          CLI,
          '--no-color',
          '--seed',
          '1',
          '--clients',
          '0',
          '--time',
          '600m',
          '--trace',
          't.jsonl',
        ],
        // Relative paths are the user's (INIT_CWD under npm): here, the test's directory.
        { cwd: dir, env: { ...process.env, INIT_CWD: dir } },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const poll = setInterval(() => {
        if (readdirSync(dir).some((f) => f.includes('.tmp'))) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 20);
      child.on('error', fail);
      child.on('close', (code) => {
        clearInterval(poll);
        done({ code, stdout, stderr });
      });
    });
    expect(r.code).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});

describe('signals during a sweep', () => {
  it('SIGINT: stops the workers, prints the partial summary, leaves no temp file, exits 130', async () => {
    const r = await interruptSweep(['--bug', 'vote-no-log-check', '--no-shrink'], 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/^seeds +[\d,]+ of 100,000 run/m);
    expect(r.stdout).toContain('interrupted by SIGINT');
    // The failures found so far, each with its replay command.
    expect(r.stdout).toMatch(/replay +npm run sim -- --seed \d+ --profile swarm --bug vote-no-log-check/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(readdirSync(work).filter((f) => f.includes('.tmp'))).toEqual([]);
  }, 60_000);
  it('SIGTERM with --json: the partial object says interrupted, exits 143', async () => {
    const r = await interruptSweep(['--json', '--no-shrink'], 'SIGTERM');
    expect(r.code).toBe(143);
    const out = JSON.parse(r.stdout) as {
      interrupted: boolean;
      signal: string;
      seeds: number;
      requested: number;
    };
    expect(out).toMatchObject({ interrupted: true, signal: 'SIGTERM', requested: 100_000 });
    expect(out.seeds).toBeGreaterThan(0);
    expect(out.seeds).toBeLessThan(100_000);
  }, 60_000);
  it('SIGINT during a shrink: the failure and its replay line were printed first; the best trace so far is saved', async () => {
    const out = join(work, 'best.json');
    const r = await interruptWhen(
      ['--seed', '1', '--profile', 'swarm', '--bug', 'vote-no-log-check', '--out', out],
      /^shrinking /gm,
      'SIGINT',
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(
      /^found +leader-completeness violated in seed 1; replay: npm run sim -- --seed 1 --profile swarm --bug vote-no-log-check$/m,
    );
    expect(r.stdout).toContain('interrupted by SIGINT: the best so far');
    expect(readdirSync(work)).toContain('best.json');
    // The saved trace still shows the failure.
    const { readTraceFile } = await import('../sim/model/trace-file.ts');
    const { replayExpectation } = await import('../sim/explore/replay.ts');
    const trace = readTraceFile(out);
    expect(replayExpectation(trace, out, trace.expectations[0]!).matched).toBe(true);
    expect(readdirSync(work).filter((f) => f.includes('.tmp'))).toEqual([]);
  }, 60_000);
  it('SIGTERM during a shrink with --json: one object, interrupted, the best trace saved, exit 143', async () => {
    const out = join(work, 'best-json.json');
    const r = await interruptWhen(
      ['--seed', '1', '--profile', 'swarm', '--bug', 'vote-no-log-check', '--out', out, '--json'],
      /^shrinking /gm,
      'SIGTERM',
    );
    expect(r.code).toBe(143);
    const o = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(o).toMatchObject({
      interrupted: true,
      signal: 'SIGTERM',
      replay: expect.stringContaining('--seed 1'),
    });
    expect(o.shrunk).toMatchObject({ file: out, interrupted: true, complete: false });
  }, 60_000);
});
