import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSchedule } from '../sim/explore/generate.ts';
import { defaultConfig } from '../sim/model/config.ts';
import {
  formatPath,
  makeTraceFile,
  parseTraceFile,
  readTraceFile,
  sameBugSet,
  serializeTraceFile,
  type TraceFile,
  TraceFileError,
  writeFileAtomic,
  writeTraceFile,
} from '../sim/model/trace-file.ts';

const FILE = 'cases/t.json';

function sample(): TraceFile {
  const base = defaultConfig();
  const config = {
    ...base,
    nodes: 3,
    clients: 2,
    timeMs: 60_000,
    clientsCfg: { ...base.clientsCfg, opIntervalMsMean: 5000 },
  };
  return makeTraceFile({
    comment: 'a sample',
    schedule: generateSchedule(5, config),
    expectations: [
      {
        bugs: ['vote-no-log-check'],
        outcome: { status: 'violation', property: 'leader-completeness', step: 17, timeMs: 900 },
      },
      { bugs: [], outcome: { status: 'ok' } },
    ],
    meta: { raftsimVersion: '0.1.0', command: 'npm run sim -- --seed 5' },
  });
}

/** The sample as plain JSON to corrupt. */
// biome-ignore lint/suspicious/noExplicitAny: a fixture edited at arbitrary JSON paths
function sampleJson(): Record<string, any> {
  return JSON.parse(serializeTraceFile(sample()));
}

/** The one-line error for `text`, or a failure if it parses. */
function errorOf(text: string): string {
  try {
    parseTraceFile(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFileError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message.startsWith(`${FILE}: `)).toBe(true);
    return message;
  }
  throw new Error('expected the trace to be rejected');
}

describe('trace file format', () => {
  it('round-trips a trace through its text', () => {
    const trace = sample();
    expect(trace.schedule.faults.length).toBeGreaterThan(2);
    expect(parseTraceFile(serializeTraceFile(trace), FILE)).toEqual(trace);
  });

  it('serialises the same trace to the same bytes, one fault per line', () => {
    const text = serializeTraceFile(sample());
    expect(serializeTraceFile(sample())).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    const faultLines = text.split('\n').filter((l) => l.trimStart().startsWith('{"atMs": '));
    expect(faultLines).toHaveLength(sample().schedule.faults.length);
    expect(text.indexOf('"format"')).toBeLessThan(text.indexOf('"schedule"'));
  });

  it('rejects truncated JSON, naming the file', () => {
    const text = serializeTraceFile(sample());
    expect(errorOf(text.slice(0, text.length / 2))).toMatch(/^cases\/t\.json: not valid JSON: /);
  });

  it('rejects another version before looking at anything else', () => {
    const json = sampleJson();
    json.version = 2;
    delete json.schedule;
    expect(errorOf(JSON.stringify(json))).toBe(
      'cases/t.json: version: unsupported trace version 2; this raftsim reads version 1',
    );
  });

  it('rejects a file of another format', () => {
    expect(errorOf('{"hello": 1}')).toBe('cases/t.json: format: expected "raftsim-trace", got nothing');
    expect(errorOf('[1, 2]')).toMatch(/\(top level\)/);
  });

  it('names the JSON path of a wrong type', () => {
    const json = sampleJson();
    json.schedule.config.nodes = '3';
    expect(errorOf(JSON.stringify(json))).toMatch(
      /^cases\/t\.json: schedule\.config\.nodes: .*expected number/,
    );
  });

  it('names the JSON path of a missing field', () => {
    const json = sampleJson();
    delete json.schedule.ops[1].op.key;
    expect(errorOf(JSON.stringify(json))).toMatch(/^cases\/t\.json: schedule\.ops\[1\]\.op\.key: /);
  });

  it('rejects a node id beyond the cluster', () => {
    const json = sampleJson();
    json.schedule.faults[0] = { atMs: 0, type: 'crash', node: 9 };
    expect(errorOf(JSON.stringify(json))).toBe(
      'cases/t.json: schedule.faults[0].node: must be a node id from 1 to 3',
    );
  });

  it("reads a scenario's compaction fault, and names a bad one", () => {
    const ok = sampleJson();
    ok.schedule.faults[0] = { atMs: 0, type: 'compaction', settings: null };
    expect(parseTraceFile(JSON.stringify(ok), FILE).schedule.faults[0]).toEqual(ok.schedule.faults[0]);
    const bad = sampleJson();
    bad.schedule.faults[0] = { atMs: 0, type: 'compaction', settings: { trigger: 'never', entries: 3 } };
    expect(errorOf(JSON.stringify(bad))).toMatch(
      /^cases\/t\.json: schedule\.faults\[0\]\.settings\.trigger: /,
    );
    const zero = sampleJson();
    zero.schedule.faults[0] = { atMs: 0, type: 'compaction', settings: { trigger: 'size', entries: 0 } };
    expect(errorOf(JSON.stringify(zero))).toBe(
      'cases/t.json: schedule.faults[0].settings.entries: must be an integer from 1 to 1000000',
    );
  });

  it('rejects an unknown fault type and an unknown field', () => {
    const json = sampleJson();
    json.schedule.faults[0] = { atMs: 0, type: 'meteor', node: 1 };
    expect(errorOf(JSON.stringify(json))).toMatch(/^cases\/t\.json: schedule\.faults\[0\]\.type: /);
    const extra = sampleJson();
    extra.schedule.config.network.dropRte = 0;
    expect(errorOf(JSON.stringify(extra))).toMatch(/^cases\/t\.json: schedule\.config\.network: .*dropRte/);
  });

  it('rejects an unknown bug and two expectations for one bug set', () => {
    const json = sampleJson();
    json.expectations[0].bugs = ['no-such-bug'];
    expect(errorOf(JSON.stringify(json))).toBe(
      "cases/t.json: expectations[0].bugs[0]: unknown bug 'no-such-bug'",
    );
    const twice = sampleJson();
    twice.expectations[1].bugs = ['vote-no-log-check'];
    expect(errorOf(JSON.stringify(twice))).toMatch(
      /expectations\[1\]\.bugs: the bug set \[vote-no-log-check\] has two/,
    );
  });

  it('formats zod paths like JSON paths', () => {
    expect(formatPath(['schedule', 'faults', 3, 'node'])).toBe('schedule.faults[3].node');
    expect(formatPath([])).toBe('(top level)');
  });

  it('compares bug sets whatever their order', () => {
    expect(sameBugSet(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(sameBugSet(['a'], ['a', 'b'])).toBe(false);
    expect(sameBugSet([], [])).toBe(true);
  });
});

describe('trace file I/O', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftsim-trace-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically into a new directory and leaves no temporary file', () => {
    const file = join(dir, 'nested', 'deeper', 'x.json');
    writeTraceFile(file, sample());
    expect(readdirSync(join(dir, 'nested', 'deeper'))).toEqual(['x.json']);
    expect(readTraceFile(file)).toEqual(sample());
    writeFileAtomic(file, 'replaced\n');
    expect(readFileSync(file, 'utf8')).toBe('replaced\n');
    expect(readdirSync(join(dir, 'nested', 'deeper'))).toEqual(['x.json']);
  });

  it('reports a missing file in one line', () => {
    const file = join(dir, 'absent.json');
    expect(() => readTraceFile(file)).toThrow(`${file}: no such file`);
  });
});
