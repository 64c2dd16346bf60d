import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSafetyCheckers } from '../properties/index.ts';
import { generateSchedule, runSeed } from '../sim/explore/generate.ts';
import { runSchedule } from '../sim/explore/run.ts';
import { defaultConfig, type SimConfig } from '../sim/model/config.ts';

const config: SimConfig = { ...defaultConfig(), timeMs: 10_000 };
const traceOf = (seed: number) => {
  const lines: string[] = [];
  const result = runSeed(seed, config, {
    onTrace: (line) => lines.push(line),
    checkers: createSafetyCheckers(),
  });
  return { result, lines };
};
const summary = (r: ReturnType<typeof runSeed>) => {
  const { traceHash: _hash, ...rest } = r;
  return rest;
};

describe('determinism', () => {
  it('gives the same trace hash and result for the same seed and config, twice in one process', () => {
    const a = traceOf(7);
    const b = traceOf(7);
    expect(a.result.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    expect(b.lines).toEqual(a.lines);
    expect(summary(b.result)).toEqual(summary(a.result));
  });

  it('hashes exactly the emitted lines, one per step', () => {
    const { result, lines } = traceOf(3);
    expect(lines).toHaveLength(result.events);
    const hash = createHash('sha256');
    for (const line of lines) hash.update(`${line}\n`);
    expect(result.traceHash).toBe(hash.digest('hex'));
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first).slice(0, 3)).toEqual(['step', 't', 'ev']);
  });

  it('gives different traces for different seeds', () => {
    const hashes = new Set([1, 2, 3, 4].map((seed) => traceOf(seed).result.traceHash));
    expect(hashes.size).toBe(4);
  });

  it('is the same run whether the schedule is generated or read back from JSON', () => {
    const schedule = generateSchedule(5, config);
    const fromJson = JSON.parse(JSON.stringify(schedule));
    const a = runSchedule(schedule, { onTrace: () => {} });
    const b = runSchedule(fromJson, { onTrace: () => {} });
    expect(b.traceHash).toBe(a.traceHash);
  });

  it('formats nothing and hashes nothing without a trace callback', () => {
    expect(runSeed(7, config).traceHash).toBeNull();
  });

  it('gives the same trace hash in a second process', () => {
    const root = resolve(import.meta.dirname, '..');
    const dir = mkdtempSync(join(tmpdir(), 'raftsim-determinism-'));
    try {
      const script = join(dir, 'hash.ts');
      const runner = pathToFileURL(join(root, 'sim/explore/generate.ts')).href;
      const configUrl = pathToFileURL(join(root, 'sim/model/config.ts')).href;
      const checkersUrl = pathToFileURL(join(root, 'properties/index.ts')).href;
      writeFileSync(
        script,
        [
          `import { runSeed } from ${JSON.stringify(runner)};`,
          `import { defaultConfig } from ${JSON.stringify(configUrl)};`,
          `import { createSafetyCheckers } from ${JSON.stringify(checkersUrl)};`,
          'const config = { ...defaultConfig(), timeMs: 10_000 };',
          'const r = runSeed(7, config, { onTrace: () => {}, checkers: createSafetyCheckers() });',
          'process.stdout.write(String(r.traceHash));',
        ].join('\n'),
      );
      const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8' });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(child.stdout).toBe(traceOf(7).result.traceHash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
