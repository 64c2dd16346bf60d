import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { History, HistoryOp } from '../properties/history.ts';
import { runLincheck } from '../sim/cli/lincheck.ts';

const dir = mkdtempSync(join(tmpdir(), 'lincheck-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(...args: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runLincheck(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), color: false });
  return { code, out, err };
}

const edn = (...lines: string[]): string => `${lines.join('\n')}\n`;
const invoke = (p: number, f: string, value: string) =>
  `{:process ${p}, :type :invoke, :f :${f}, :key "k", :value ${value}}`;
const ok = (p: number, f: string, value: string) =>
  `{:process ${p}, :type :ok, :f :${f}, :key "k", :value ${value}}`;

const goodEdn = file(
  'good.edn',
  edn(invoke(1, 'put', '"a"'), invoke(2, 'get', 'nil'), ok(1, 'put', '"a"'), ok(2, 'get', '"a"')),
);
// The second read comes after a read of "a" and after the put returned, yet reads nothing.
const staleEdn = file(
  'stale.edn',
  edn(
    invoke(1, 'put', '"a"'),
    ok(1, 'put', '"a"'),
    invoke(2, 'get', 'nil'),
    ok(2, 'get', '"a"'),
    invoke(3, 'get', 'nil'),
    ok(3, 'get', 'nil'),
  ),
);
// Ten concurrent appends and a read of them in reverse order: far more than 5 steps of search.
const hardEdn = file(
  'hard.edn',
  edn(
    ...Array.from({ length: 10 }, (_, p) => invoke(p, 'append', `"${p};"`)),
    ...Array.from({ length: 10 }, (_, p) => ok(p, 'append', `"${p};"`)),
    invoke(20, 'get', 'nil'),
    ok(20, 'get', `"${Array.from({ length: 10 }, (_, p) => `${9 - p};`).join('')}"`),
  ),
);

const jsonOp = (o: Partial<HistoryOp> & Pick<HistoryOp, 'id' | 'op' | 'invokeMs'>): HistoryOp => ({
  client: o.id,
  returnMs: null,
  result: null,
  status: 'info',
  ...o,
});
const staleJson: History = {
  version: 1,
  ops: [
    jsonOp({
      id: 0,
      op: { type: 'put', key: 'x', value: '1' },
      invokeMs: 0,
      returnMs: 5,
      status: 'ok',
      result: { type: 'put' },
    }),
    jsonOp({
      id: 1,
      op: { type: 'get', key: 'x' },
      invokeMs: 6,
      returnMs: 8,
      status: 'ok',
      result: { type: 'get', value: null },
    }),
  ],
};
const staleJsonFile = file('stale.json', JSON.stringify(staleJson, null, 2));
const goodJsonFile = file(
  'good.json',
  JSON.stringify({
    ...staleJson,
    ops: [staleJson.ops[0], { ...staleJson.ops[1], result: { type: 'get', value: '1' } }],
  }),
);

describe('lincheck CLI: verdicts and exit codes', () => {
  it('exits 0 on a linearizable EDN history, with a one-line verdict', () => {
    const r = run(goodEdn);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/^linearizable: .*good\.edn \(2 ops, 1 keys, \d+ steps, [\d.]+ ms\)$/);
  });

  it('exits 1 on a violation and shows the witness: key, op with its times, prefix length', () => {
    const r = run(staleEdn);
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/^NOT linearizable: .*stale\.edn: key "k" \(/);
    expect(r.out[1]).toBe('  cannot be placed: op #2 by client 3: get("k") -> "", [5, 6]');
    expect(r.out[2]).toBe(
      '  after the longest linearizable prefix found for the key: 2 ops, leaving the value "a"',
    );
    expect(r.out.slice(3)).toEqual([
      '  its last 2 ops:',
      '    op #0 by client 1: put("k", "a") -> ok, [1, 2]',
      '    op #1 by client 2: get("k") -> "a", [3, 4]',
    ]);
  });

  it('exits 3 when the budget runs out, and decides with the default budget', () => {
    const r = run('--budget', '5', hardEdn);
    expect(r.code).toBe(3);
    expect(r.out[0]).toMatch(/^unknown: .*hard\.edn: search budget of 5 steps exhausted/);
    expect(run(hardEdn).code).toBe(0);
  });

  it('reads raftsim JSON histories, and prints one JSON object with --json', () => {
    expect(run(goodJsonFile).code).toBe(0);
    const hardJson: History = {
      version: 1,
      ops: [
        ...Array.from({ length: 10 }, (_, i) =>
          jsonOp({
            id: i,
            op: { type: 'append', key: 'h', value: `${i};` },
            invokeMs: 0,
            returnMs: 10,
            status: 'ok',
            result: { type: 'append' },
          }),
        ),
        jsonOp({
          id: 10,
          op: { type: 'get', key: 'h' },
          invokeMs: 11,
          returnMs: 12,
          status: 'ok',
          result: { type: 'get', value: Array.from({ length: 10 }, (_, i) => `${9 - i};`).join('') },
        }),
      ],
    };
    const hardJsonFile = file('hard.json', JSON.stringify(hardJson));
    expect(run('--budget', '5', hardJsonFile).code).toBe(3);
    expect(run(hardJsonFile).code).toBe(0);
    const r = run('--json', staleJsonFile);
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(1);
    const report = JSON.parse(r.out[0]!);
    expect(report).toMatchObject({
      format: 'json',
      ops: 2,
      keys: 1,
      verdict: 'violation',
      witness: { key: 'x', op: staleJson.ops[1], prefix: [staleJson.ops[0]], valueAfterPrefix: '1' },
    });
  });
});

describe('lincheck CLI: bad input is one line on stderr, exit 2', () => {
  const bad = (name: string, text: string) => {
    const path = file(name, text);
    const r = run(path);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    return { path, line: r.err[0]! };
  };

  it('names the file and line of a completion without an open invocation', () => {
    const { path, line } = bad('unpaired.edn', edn(invoke(1, 'put', '"a"'), ok(3, 'get', 'nil')));
    expect(line).toBe(`lincheck: ${path}:2: :ok for process 3 has no open :invoke`);
  });

  it('names the line of a second invocation while one is open', () => {
    const { path, line } = bad('twice.edn', edn(invoke(1, 'put', '"a"'), '', invoke(1, 'get', 'nil')));
    expect(line).toBe(`lincheck: ${path}:3: :invoke for process 1 while its :put from line 1 is still open`);
  });

  it('names the line of an unknown op', () => {
    const { path, line } = bad('unknown.edn', edn(invoke(1, 'put', '"a"'), invoke(2, 'incr', '1')));
    expect(line).toMatch(new RegExp(`^lincheck: ${path}:2: unknown :f :incr`));
  });

  it('names the line and column of a malformed line', () => {
    const { path, line } = bad(
      'malformed.edn',
      edn(invoke(1, 'put', '"a"'), ok(1, 'put', '"a"'), '{:process 2, :type'),
    );
    expect(line).toMatch(new RegExp(`^lincheck: ${path}:3: .*column`));
  });

  it('names the JSON path of an invalid field', () => {
    const broken = structuredClone(staleJson) as unknown as { ops: Array<Record<string, unknown>> };
    broken.ops[1]!.returnMs = 'soon';
    const { path, line } = bad('broken.json', JSON.stringify(broken));
    expect(line).toMatch(new RegExp(`^lincheck: ${path}: ops\\[1\\]\\.returnMs: `));
  });

  it('names the JSON path of an inconsistent op, and rejects JSON that does not parse', () => {
    const early = structuredClone(staleJson);
    early.ops[1]!.returnMs = 2;
    expect(bad('early.json', JSON.stringify(early)).line).toContain(
      'ops[1].returnMs: is before invokeMs (6)',
    );
    expect(bad('truncated.json', '{"version": 1, "ops": [').line).toContain('not valid JSON');
    expect(bad('version.json', JSON.stringify({ ...staleJson, version: 2 })).line).toContain('version: ');
  });

  it('rejects unknown flags, a bad budget, and a missing file', () => {
    for (const args of [
      ['--frobnicate', goodEdn],
      ['--budget', '-3', goodEdn],
      ['--budget', '1e6', goodEdn],
      [],
    ]) {
      const r = run(...args);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^lincheck: /);
    }
    const missing = run(join(dir, 'nope.edn'));
    expect(missing.err).toEqual([`lincheck: ${join(dir, 'nope.edn')}: no such file`]);
  });
});

describe('lincheck CLI as a process', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const spawn = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'sim/cli/lincheck.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('sets the exit code and prints no stack trace', () => {
    const good = spawn(goodEdn);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^linearizable: /);
    expect(spawn(staleEdn).status).toBe(1);
    const bad = spawn(file('bad.edn', edn(ok(3, 'get', 'nil'))));
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(':1: :ok for process 3 has no open :invoke');
  });
});
