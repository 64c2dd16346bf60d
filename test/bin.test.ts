import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The `raftsim` bin runs compiled JavaScript (package.json `bin`, built by `prepare`). Built here
// into a scratch package of its own, so that the test sees exactly what `npm ci` builds, worker
// threads included (they load compiled modules, without tsx).

const ROOT = resolve(import.meta.dirname, '..');
const pkg = mkdtempSync(join(tmpdir(), 'raftsim-bin-'));
const bin = join(pkg, 'dist', 'sim', 'cli', 'bin.js');
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

beforeAll(() => {
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], { cwd: ROOT });
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  writeFileSync(
    join(pkg, 'small.edn'),
    '{:process 1, :type :invoke, :f :put, :key "k", :value "a"}\n' +
      '{:process 1, :type :ok, :f :put, :key "k", :value "a"}\n',
  );
}, 120_000);

const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    cwd: pkg,
    encoding: 'utf8',
    env: { ...process.env, INIT_CWD: pkg },
  });

describe('the raftsim bin', () => {
  it('is what package.json names, with a node shebang', () => {
    const json = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(json.bin).toEqual({ raftsim: 'dist/sim/cli/bin.js' });
    expect(json.scripts.prepare).toBe('npm run build');
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });
  it('--version prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    const r = run('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });
  it('lincheck is a subcommand', () => {
    const r = run('lincheck', 'small.edn');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^linearizable: small\.edn/);
  });
  it('runs a 2-worker sweep on compiled worker threads, and --json is pipeable (one object)', () => {
    const r = run('--seeds', '1..4', '--workers', '2', '--profile', 'fixed', '--time', '2s', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ seeds: 4, ok: true, workers: 2 });
  });
  it('shrinks on a compiled worker thread', () => {
    const r = run('--seed', '2', '--bug', 'vote-no-log-check', '--out', 'shrunk.json', '--quiet');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^saved +shrunk\.json/m);
  });
  it('merges shard results and fuzzes (a module loaded on demand) from the compiled build', () => {
    for (const shard of ['0/2', '1/2']) {
      const r = run(
        '--seeds',
        '1..4',
        '--shard',
        shard,
        '--workers',
        '1',
        '--profile',
        'fixed',
        '--time',
        '2s',
        '--results',
        'res',
      );
      expect(r.status, r.stderr).toBe(0);
    }
    const merged = run('merge', 'res');
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^verdict +✓ all 4 seeds held every property$/m);
    // Outside a git checkout, the commit is unknown unless RAFTSIM_COMMIT names it.
    expect(merged.stdout).toMatch(/^build +raftsim \S+, commit unknown$/m);
    const fuzz = run(
      'fuzz',
      '--max-seeds',
      '2',
      '--start',
      '1',
      '--workers',
      '1',
      '--quiet',
      '--results',
      'fz',
    );
    expect(fuzz.status, fuzz.stderr).toBe(0);
    expect(fuzz.stdout).toMatch(/^verdict +✓ no failure in 2 fresh seeds$/m);
  });
});
