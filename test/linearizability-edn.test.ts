import { describe, expect, it } from 'vitest';
import { parseEdnHistory, parseEdnLine } from '../properties/edn.ts';
import { validateHistory } from '../properties/history.ts';
import { checkLinearizability } from '../properties/linearizability.ts';

const lines = (...ls: string[]): string => `${ls.join('\n')}\n`;

describe('parseEdnLine', () => {
  it('reads keywords, strings with escapes, integers, nil and vectors; commas are whitespace', () => {
    const r = parseEdnLine('{:a :kw, :b "q\\"\\\\\\n\\u0041", :c -12 :d nil, :e [1, "x" nil [:y]]}');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.map.get('a')).toEqual({ kind: 'keyword', name: 'kw' });
    expect(r.map.get('b')).toEqual({ kind: 'string', value: 'q"\\\nA' });
    expect(r.map.get('c')).toEqual({ kind: 'int', value: -12 });
    expect(r.map.get('d')).toEqual({ kind: 'nil' });
    expect(r.map.get('e')).toEqual({
      kind: 'vector',
      items: [
        { kind: 'int', value: 1 },
        { kind: 'string', value: 'x' },
        { kind: 'nil' },
        { kind: 'vector', items: [{ kind: 'keyword', name: 'y' }] },
      ],
    });
  });

  it.each([
    ['{:a "x}', /unterminated string \(column 5\)/],
    ['{:a 1', /missing \}/],
    ['{"a" 1}', /map keys must be keywords/],
    ['{:a}', /:a has no value/],
    ['{:a 1 :a 2}', /:a appears twice/],
    ['{:a 1.5}', /expected an integer/],
    ['{:a true}', /unexpected "t"/],
    ['{:a {:b 1}}', /nested maps are not supported/],
    ['{:a "\\q"}', /unknown escape \\q/],
    ['{:a 1} x', /unexpected text after the map/],
    ['[:a 1]', /expected a map/],
    ['{:a 99999999999999999999}', /too large/],
  ])('rejects %s', (text, message) => {
    const r = parseEdnLine(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe('parseEdnHistory', () => {
  it('pairs invocations with completions per process, using line numbers as times', () => {
    const r = parseEdnHistory(
      lines(
        '{:process 1, :type :invoke, :f :put, :key "k", :value "a"}',
        '{:process 2, :type :invoke, :f :get, :key "k", :value nil}',
        '{:process 1, :type :ok, :f :put, :key "k", :value "a"}',
        '',
        '{:process 2, :type :ok, :f :get, :key "k", :value "a"}',
        '{:process 3, :type :invoke, :f :append, :key 7, :value "b"}',
      ),
    );
    expect(r).toEqual({
      ok: true,
      history: {
        version: 1,
        ops: [
          {
            id: 0,
            client: 1,
            op: { type: 'put', key: 'k', value: 'a' },
            invokeMs: 1,
            returnMs: 3,
            result: { type: 'put' },
            status: 'ok',
          },
          {
            id: 1,
            client: 2,
            op: { type: 'get', key: 'k' },
            invokeMs: 2,
            returnMs: 5,
            result: { type: 'get', value: 'a' },
            status: 'ok',
          },
          // Still open at the end: pending.
          {
            id: 2,
            client: 3,
            op: { type: 'append', key: '7', value: 'b' },
            invokeMs: 6,
            returnMs: null,
            result: null,
            status: 'info',
          },
        ],
      },
    });
    // What the EDN reader builds is a valid raftsim history.
    if (r.ok) expect(validateHistory(JSON.parse(JSON.stringify(r.history))).ok).toBe(true);
  });

  it('reads cas as [expected new]: :ok succeeded, :fail did not take effect; :info is pending', () => {
    const r = parseEdnHistory(
      lines(
        '{:process 0, :type :invoke, :f :cas, :key "k", :value [nil "a"]}',
        '{:process 0, :type :ok, :f :cas, :key "k", :value [nil "a"]}',
        '{:process 0, :type :invoke, :f :cas, :key "k", :value ["z" "b"]}',
        '{:process 0, :type :fail, :f :cas, :key "k"}',
        '{:process 0, :type :invoke, :f :put, :key "k", :value "c"}',
        '{:process 0, :type :info, :f :put, :key "k"}',
        '{:process 0, :type :invoke, :f :get, :key "k", :value nil}',
        '{:process 0, :type :ok, :f :get, :key "k", :value nil}',
      ),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [cas, failed, info, get] = r.history.ops;
    expect(cas).toMatchObject({
      op: { type: 'cas', expected: '', value: 'a' },
      status: 'ok',
      result: { ok: true },
    });
    expect(failed).toMatchObject({ status: 'fail', returnMs: 4, result: null });
    expect(info).toMatchObject({ status: 'info', returnMs: null, result: null });
    expect(get).toMatchObject({ status: 'ok', result: { type: 'get', value: null } });
    // The get read nil although the cas to "a" returned before it: whether or not the pending
    // put took effect, no value it could see is empty.
    expect(checkLinearizability(r.history).verdict).toBe('violation');
  });

  it.each([
    [['{:process 3, :type :ok, :f :get, :key "k", :value nil}'], 1, ':ok for process 3 has no open :invoke'],
    [
      ['{:process 3, :type :invoke, :f :get, :key "k"}', '{:process 3, :type :invoke, :f :get, :key "k"}'],
      2,
      ':invoke for process 3 while its :get from line 1 is still open',
    ],
    [
      ['{:process 3, :type :invoke, :f :get, :key "k"}', '{:process 3, :type :ok, :f :put, :key "k"}'],
      2,
      ':ok for process 3 is a :put but its :invoke (line 1) is a :get',
    ],
    [
      ['{:process 3, :type :invoke, :f :get, :key "k"}', '{:process 3, :type :ok, :f :get, :key "j"}'],
      2,
      'names key "j" but its :invoke (line 1) names "k"',
    ],
    [['{:process 1, :type :invoke, :f :delete, :key "k"}'], 1, 'unknown :f :delete'],
    [['{:process 1, :type :start, :f :get, :key "k"}'], 1, 'unknown :type :start'],
    [['{:type :invoke, :f :get, :key "k"}'], 1, 'missing :process'],
    [['{:process 1, :type :invoke, :f :put, :key "k"}'], 1, ':put needs a string :value'],
    [['{:process 1, :type :invoke, :f :cas, :key "k", :value ["a"]}'], 1, ':cas needs :value [expected new]'],
    [['{:process 1, :type :invoke, :f :get}'], 1, ':invoke has no :key'],
    [['', '  ', '{:process 1 :type :invoke'], 3, 'unterminated map'],
  ])('rejects %j at line %i', (input, line, message) => {
    const r = parseEdnHistory(lines(...input));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.line).toBe(line);
    expect(r.message).toContain(message);
  });
});
