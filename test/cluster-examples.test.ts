// The cluster examples (examples/k8s/, examples/ci/) are kept honest: they parse as YAML, run the
// raftsim command with the shard count they say, and their shards, run here as local processes
// with the environment a Kubernetes Indexed Job gives each pod, merge to exactly what one
// machine's sweep of the same seeds gives.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { simInProcess } from './support/cli-in-process.ts';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = import.meta.resolve('tsx');
const BIN = join(ROOT, 'sim', 'cli', 'bin.ts');
const box = mkdtempSync(join(tmpdir(), 'raftsim-cluster-'));
afterAll(() => rmSync(box, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked by the assertions below.
type Yaml = any;
const yaml = (path: string): Yaml => parse(readFileSync(join(ROOT, path), 'utf8'));

/** The arguments of `npx raftsim ARGS || [ $? -eq 1 ]`: a shard whose finding is left to the merge. */
function shardArgs(line: string): string[] {
  const m = /^npx raftsim (.+) \|\| \[ \$\? -eq 1 \]$/.exec(line.trim());
  expect(m, line).not.toBeNull();
  // An Actions expression is one argument to the shell: `${{ matrix.shard }}/4`.
  return m![1]!.replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, 'MATRIX_SHARD').split(/\s+/);
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

/** `args` with each flag's value replaced, and `extra` appended. */
function withFlags(args: readonly string[], values: Record<string, string>, extra: string[]): string[] {
  const out = [...args];
  for (const [name, value] of Object.entries(values)) {
    const i = out.indexOf(name);
    expect(i, `${name} in ${args.join(' ')}`).toBeGreaterThanOrEqual(0);
    out[i + 1] = value;
  }
  return [...out, ...extra];
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** `raftsim ARGS` as a process of its own, from the scratch directory, with `env` added. */
function raftsim(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', TSX, BIN, ...args],
      {
        cwd: box,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1', INIT_CWD: box, ...env },
      },
      (error, stdout, stderr) => {
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      },
    );
  });
}

/**
 * What must be equal between a sharded sweep and the unsharded one: all but the files, the times,
 * and which seeds were shrunk (each shard shrinks its own first failure of each property; the
 * first of each property over the whole range, in `firstByProperty`, is shrunk either way).
 */
function comparable(merged: Record<string, unknown>): Record<string, unknown> {
  const { files: _f, wallMs: _w, distinct: _d, failures, ...rest } = merged;
  return { ...rest, failures: (failures as { shrunk: unknown }[]).map(({ shrunk: _s, ...f }) => f) };
}

async function merged(dir: string): Promise<Record<string, unknown>> {
  const r = await simInProcess(['merge', dir, '--json'], box);
  expect(r.thrown).toBeNull();
  expect([0, 1]).toContain(r.code);
  return JSON.parse(r.stdout);
}

// A small range with a catalogue bug on, so that there are failures to merge; one worker each.
const SEEDS = '1..40';
const BUG = ['--bug', 'vote-no-log-check', '--workers', '1', '--quiet', '--shrink-budget', '100'];

describe('examples/k8s: an Indexed Job that shards a sweep, and the Job that merges it', () => {
  const job = yaml('examples/k8s/sweep-job.yaml');
  const merge = yaml('examples/k8s/merge-job.yaml');
  const container = job.spec.template.spec.containers[0];
  const count = Number(container.env.find((e: Yaml) => e.name === 'RAFTSIM_SHARDS').value);
  const args = shardArgs(container.args[0]);
  const mount = container.volumeMounts[0].mountPath;
  let single: Record<string, unknown>;
  let sharded: Record<string, unknown>;
  let shardRuns: Ran[];

  beforeAll(async () => {
    shardRuns = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        raftsim(withFlags(args, { '--seeds': SEEDS, '--results': 'k8s', '--workers': '1' }, BUG), {
          JOB_COMPLETION_INDEX: String(index),
          RAFTSIM_SHARDS: String(count),
        }),
      ),
    );
    const one = await raftsim(['--seeds', SEEDS, '--results', 'single', ...BUG]);
    expect(one.code, one.stderr).toBe(1);
    single = await merged('single');
    sharded = await merged('k8s');
  }, 300_000);

  it('is an Indexed Job whose completions, parallelism and RAFTSIM_SHARDS agree', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    expect(count).toBeGreaterThan(1);
    expect(job.spec.completions).toBe(count);
    expect(job.spec.parallelism).toBe(count);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    // A shard that failed fails the same way again: that ends the Job instead of a retry.
    expect(job.spec.podFailurePolicy.rules[0]).toEqual({
      action: 'FailJob',
      onExitCodes: { containerName: container.name, operator: 'In', values: [1] },
    });
  });

  it('runs a raftsim sweep into the shared volume; the merge Job reads that volume', () => {
    expect(container.command).toEqual(['sh', '-c']);
    expect(flag(args, '--seeds')).toMatch(/^\d+\.\.\d+$/);
    expect(flag(args, '--results')).toBe(mount);
    // The index is the pod's: a fixed --shard would make every pod run the same block.
    expect(args).not.toContain('--shard');
    const mergeContainer = merge.spec.template.spec.containers[0];
    expect(mergeContainer.command).toEqual([
      'npx',
      'raftsim',
      'merge',
      mergeContainer.volumeMounts[0].mountPath,
    ]);
    expect(merge.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(
      job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName,
    );
  });

  it('each pod runs its own block, and the shards merge to exactly the one-machine sweep', () => {
    for (const [index, r] of shardRuns.entries()) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(
        new RegExp(`^shard +shard ${index}/${count}: seeds \\d+\\.\\.\\d+ of 1\\.\\.40$`, 'm'),
      );
    }
    expect(sharded.files).toHaveLength(count);
    expect((sharded.failures as unknown[]).length).toBeGreaterThan(0);
    expect(comparable(sharded)).toStrictEqual(comparable(single));
    expect(sharded.missing).toEqual([]);
    // Each shard shrinks its own first failure of a property; the one-machine sweep's are among them.
    const ids = (x: Record<string, unknown>) => (x.distinct as { id: string }[]).map((d) => d.id);
    expect(ids(sharded)).toEqual(expect.arrayContaining(ids(single)));
  });

  it('a shard missing from the merge shows (the comparison can fail)', async () => {
    const r = await simInProcess(
      ['merge', 'k8s/shard-0-of-4.results.json', 'k8s/shard-2-of-4.results.json', '--json'],
      box,
    );
    const partial = JSON.parse(r.stdout);
    expect(partial.missing).toEqual([
      [11, 20],
      [31, 40],
    ]);
    expect(comparable(partial)).not.toStrictEqual(comparable(single));
  });
});

describe('examples/ci: a GitHub Actions matrix that shards a sweep, and a job that merges it', () => {
  const workflow = yaml('examples/ci/raftsim-sweep.yml');
  const sweep = workflow.jobs.sweep;
  const shardStep = sweep.steps.find((s: Yaml) => typeof s.run === 'string' && s.run.includes('raftsim'));
  const args = shardArgs(shardStep.run);
  const shardText = flag(args, '--shard')!;
  const count = Number(/^MATRIX_SHARD\/(\d+)$/.exec(shardText)?.[1]);

  it('runs shard i/n for every matrix value i of 0..n-1', () => {
    expect(count).toBeGreaterThan(1);
    expect(sweep.strategy.matrix.shard).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(sweep.strategy['fail-fast']).toBe(false);
    expect(flag(args, '--seeds')).toMatch(/^\d+\.\.\d+$/);
  });

  it('uploads each shard results directory, and the merge job merges what it downloads', () => {
    const results = flag(args, '--results')!;
    const upload = sweep.steps.find((s: Yaml) => String(s.uses).startsWith('actions/upload-artifact'));
    expect(upload.with.path.replace(/\/$/, '')).toBe(results);
    const merge = workflow.jobs.merge;
    expect(merge.needs).toBe('sweep');
    const download = merge.steps.find((s: Yaml) => String(s.uses).startsWith('actions/download-artifact'));
    expect(download.with['merge-multiple']).toBe(true);
    const mergeStep = merge.steps.find(
      (s: Yaml) => typeof s.run === 'string' && s.run.includes('raftsim merge'),
    );
    expect(mergeStep.run).toBe(`npx raftsim merge ${download.with.path}`);
  });

  it('its shard commands, one per matrix value, merge to the one-machine sweep', async () => {
    for (let shard = 0; shard < count; shard++) {
      const r = await simInProcess(
        withFlags(args, { '--seeds': SEEDS, '--shard': `${shard}/${count}`, '--results': 'ci' }, BUG),
        box,
      );
      expect(r.code, r.stderr).toBe(1);
    }
    const single = await merged('single');
    expect(comparable(await merged('ci'))).toStrictEqual(comparable(single));
  }, 300_000);
});
