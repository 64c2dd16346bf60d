// Reads Jepsen/Porcupine-style histories: one EDN map per line, lines in real-time order.
//
//   {:process 9, :type :invoke, :f :append, :key "0", :value "x 9 0 y"}
//   {:process 9, :type :ok, :f :append, :key "0", :value "x 9 0 y"}
//
// The reader accepts a strict subset of EDN on purpose (keywords, strings with escapes,
// integers, nil, vectors; commas are whitespace; one map per line), so that anything else
// is reported with its line instead of being guessed at.
//
// Meaning of the lines, converted to raftsim's own history (properties/history.ts):
// - The line number is the time: an op invoked on line 3 and completed on line 8 spans [3, 8].
// - `:invoke` opens an op for `:process`; a process has at most one op open. The next
//   `:ok`, `:fail` or `:info` line of that process closes it and must name the same `:f`
//   (and `:key`, if it gives one).
// - `:ok` get carries the value read (`nil` reads as ""). put/append carry their argument.
// - cas: `:value [expected new]` on the invoke (`nil` as expected means absent, i.e. "").
//   `:ok` means the cas succeeded; `:fail` means it definitely did not take effect. A cas
//   that ran and found another value should therefore be written `:fail`; it is then
//   dropped, like every `:fail`, and the checker does not verify that the comparison failed.
// - `:info` (and an `:invoke` still open at the end of the file) is pending: unknown
//   outcome, may take effect at any time after its invocation, or never.
// - `:key` is a string; an integer key is read as its decimal string.
// - Keys other than :process, :type, :f, :key and :value (Jepsen's :time, :index, ...) are
//   read and ignored.

import { AssertionError } from '../src/assert.ts';
import type { KvOp, KvResult } from '../src/raft/types.ts';
import type { History, HistoryOp } from './history.ts';

export type EdnValue =
  | { readonly kind: 'keyword'; readonly name: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'nil' }
  | { readonly kind: 'vector'; readonly items: readonly EdnValue[] };

/** A top-level map whose keys are keywords: `:process` is stored as `process`. */
export type EdnMap = ReadonlyMap<string, EdnValue>;

export type EdnLineResult = { ok: true; map: EdnMap } | { ok: false; message: string };

class EdnSyntaxError {
  constructor(readonly message: string) {}
}

const KEYWORD_CHAR = /[A-Za-z0-9*+!\-_?.<>=/]/;
const MAX_NESTING = 32;

/** Recursive descent over one line. Throws EdnSyntaxError (caught by `parseEdnLine`), never anything else. */
class LineReader {
  private pos = 0;
  constructor(private readonly text: string) {}

  readTopLevelMap(): EdnMap {
    this.skipWhitespace();
    if (this.text[this.pos] !== '{') this.fail('expected a map starting with {');
    this.pos++;
    const map = new Map<string, EdnValue>();
    for (;;) {
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated map: missing }');
      if (c === '}') {
        this.pos++;
        break;
      }
      const keyAt = this.pos;
      const key = this.readValue(0);
      if (key.kind !== 'keyword') this.failAt(keyAt, 'map keys must be keywords');
      this.skipWhitespace();
      if (this.text[this.pos] === '}' || this.pos >= this.text.length) {
        this.failAt(keyAt, `:${key.name} has no value`);
      }
      const value = this.readValue(0);
      if (map.has(key.name)) this.failAt(keyAt, `:${key.name} appears twice`);
      map.set(key.name, value);
    }
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('unexpected text after the map');
    return map;
  }

  private readValue(depth: number): EdnValue {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === undefined) this.fail('expected a value');
    if (c === ':') return this.readKeyword();
    if (c === '"') return this.readString();
    if (c === '[') return this.readVector(depth);
    if (c === '-' || c === '+' || (c >= '0' && c <= '9')) return this.readInteger();
    if (this.text.startsWith('nil', this.pos) && !KEYWORD_CHAR.test(this.text[this.pos + 3] ?? ' ')) {
      this.pos += 3;
      return { kind: 'nil' };
    }
    if (c === '{') return this.fail('nested maps are not supported');
    return this.fail(`unexpected ${JSON.stringify(c)}`);
  }

  private readKeyword(): EdnValue {
    const start = ++this.pos;
    while (this.pos < this.text.length && KEYWORD_CHAR.test(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail('empty keyword');
    return { kind: 'keyword', name: this.text.slice(start, this.pos) };
  }

  private readString(): EdnValue {
    const start = this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.failAt(start, 'unterminated string');
      this.pos++;
      if (c === '"') return { kind: 'string', value: out };
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      switch (e) {
        case '"':
        case '\\':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          const hex = this.text.slice(this.pos, this.pos + 4);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex))
            this.failAt(this.pos - 2, 'bad \\u escape: expected 4 hex digits');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          this.failAt(this.pos - 2, `unknown escape \\${e ?? ''}`);
      }
    }
  }

  private readVector(depth: number): EdnValue {
    if (depth >= MAX_NESTING) this.fail('vectors nested too deeply');
    const start = this.pos++;
    const items: EdnValue[] = [];
    for (;;) {
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === undefined) this.failAt(start, 'unterminated vector: missing ]');
      if (c === ']') {
        this.pos++;
        return { kind: 'vector', items };
      }
      items.push(this.readValue(depth + 1));
    }
  }

  private readInteger(): EdnValue {
    const m = /^[-+]?\d+/.exec(this.text.slice(this.pos, this.pos + 40));
    const next = this.text[this.pos + (m?.[0].length ?? 0)];
    if (m === null || (next !== undefined && KEYWORD_CHAR.test(next))) this.fail('expected an integer');
    const value = Number(m[0]);
    if (!Number.isSafeInteger(value)) this.fail(`integer ${m[0]} is too large`);
    this.pos += m[0].length;
    return { kind: 'int', value };
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c !== ' ' && c !== ',' && c !== '\t' && c !== '\r' && c !== '\n') return;
      this.pos++;
    }
  }

  private fail(message: string): never {
    return this.failAt(this.pos, message);
  }

  private failAt(pos: number, message: string): never {
    throw new EdnSyntaxError(`${message} (column ${pos + 1})`);
  }
}

/** Parses one line holding one EDN map with keyword keys. */
export function parseEdnLine(text: string): EdnLineResult {
  try {
    return { ok: true, map: new LineReader(text).readTopLevelMap() };
  } catch (e) {
    if (e instanceof EdnSyntaxError) return { ok: false, message: e.message };
    throw e;
  }
}

export type EdnHistoryResult = { ok: true; history: History } | { ok: false; line: number; message: string };

class HistoryLineError {
  constructor(readonly message: string) {}
}

const OP_NAMES = ['get', 'put', 'append', 'cas'] as const;
type OpName = (typeof OP_NAMES)[number];
const EVENT_TYPES = ['invoke', 'ok', 'fail', 'info'] as const;

type OpenOp = { readonly op: HistoryOp; readonly f: OpName; readonly line: number };

/** Converts a whole EDN history to raftsim's format. Errors name the (1-based) line. */
export function parseEdnHistory(text: string): EdnHistoryResult {
  const ops: HistoryOp[] = [];
  const openByProcess = new Map<number, OpenOp>();
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const parsed = parseEdnLine(line);
    if (!parsed.ok) return { ok: false, line: lineNo, message: parsed.message };
    try {
      applyEvent(parsed.map, lineNo, ops, openByProcess);
    } catch (e) {
      if (e instanceof HistoryLineError) return { ok: false, line: lineNo, message: e.message };
      throw e;
    }
  }
  // An op still open at the end never returned: it stays pending (status 'info').
  return { ok: true, history: { version: 1, ops } };
}

function applyEvent(map: EdnMap, lineNo: number, ops: HistoryOp[], openByProcess: Map<number, OpenOp>): void {
  const process = requireField(map, 'process');
  if (process.kind !== 'int' || process.value < 0) lineError(':process must be a non-negative integer');
  const type = keywordField(map, 'type', EVENT_TYPES);
  const f = keywordField(map, 'f', OP_NAMES);
  const key = keyField(map);
  const open = openByProcess.get(process.value);

  if (type === 'invoke') {
    if (open !== undefined) {
      lineError(
        `:invoke for process ${process.value} while its :${open.f} from line ${open.line} is still open`,
      );
    }
    if (key === undefined) lineError(':invoke has no :key');
    const op: HistoryOp = {
      id: ops.length,
      client: process.value,
      op: invokedOp(f, key, map.get('value')),
      invokeMs: lineNo,
      returnMs: null,
      result: null,
      status: 'info',
    };
    ops.push(op);
    openByProcess.set(process.value, { op, f, line: lineNo });
    return;
  }

  if (open === undefined) lineError(`:${type} for process ${process.value} has no open :invoke`);
  if (open.f !== f) {
    lineError(
      `:${type} for process ${process.value} is a :${f} but its :invoke (line ${open.line}) is a :${open.f}`,
    );
  }
  if (key !== undefined && key !== open.op.op.key) {
    lineError(
      `:${type} for process ${process.value} names key ${JSON.stringify(key)} but its :invoke (line ${open.line}) ` +
        `names ${JSON.stringify(open.op.op.key)}`,
    );
  }
  openByProcess.delete(process.value);
  switch (type) {
    case 'ok':
      open.op.status = 'ok';
      open.op.returnMs = lineNo;
      open.op.result = completedResult(f, map.get('value'));
      return;
    case 'fail':
      open.op.status = 'fail';
      open.op.returnMs = lineNo;
      return;
    case 'info':
      // Unknown outcome: pending to the end of the history, whatever the line says.
      return;
    default:
      unreachableType(type);
  }
}

function invokedOp(f: OpName, key: string, value: EdnValue | undefined): KvOp {
  switch (f) {
    case 'get':
      if (value !== undefined && value.kind !== 'nil') lineError(':invoke of :get must have :value nil');
      return { type: 'get', key };
    case 'put':
      return { type: 'put', key, value: stringValue(value, ':put needs a string :value') };
    case 'append':
      return { type: 'append', key, value: stringValue(value, ':append needs a string :value') };
    case 'cas': {
      const shape = ':cas needs :value [expected new] with two strings (expected may be nil)';
      if (value?.kind !== 'vector' || value.items.length !== 2) lineError(shape);
      const [expected, next] = value.items;
      const expectedString = expected?.kind === 'nil' ? '' : stringValue(expected, shape);
      return { type: 'cas', key, expected: expectedString, value: stringValue(next, shape) };
    }
    default:
      return unreachableType(f);
  }
}

function completedResult(f: OpName, value: EdnValue | undefined): KvResult {
  switch (f) {
    case 'get':
      if (value === undefined || value.kind === 'nil') return { type: 'get', value: null };
      return { type: 'get', value: stringValue(value, ':ok of :get needs a string or nil :value') };
    case 'put':
      return { type: 'put' };
    case 'append':
      return { type: 'append' };
    case 'cas':
      return { type: 'cas', ok: true };
    default:
      return unreachableType(f);
  }
}

function requireField(map: EdnMap, name: string): EdnValue {
  const v = map.get(name);
  if (v === undefined) lineError(`missing :${name}`);
  return v;
}

function keywordField<const T extends readonly string[]>(map: EdnMap, name: string, allowed: T): T[number] {
  const v = requireField(map, name);
  if (v.kind !== 'keyword') lineError(`:${name} must be a keyword`);
  if (!allowed.includes(v.name)) {
    lineError(`unknown :${name} :${v.name} (expected one of ${allowed.map((a) => `:${a}`).join(', ')})`);
  }
  return v.name as T[number];
}

function keyField(map: EdnMap): string | undefined {
  const v = map.get('key');
  if (v === undefined) return undefined;
  if (v.kind === 'string') return v.value;
  if (v.kind === 'int') return String(v.value);
  return lineError(':key must be a string or an integer');
}

function stringValue(v: EdnValue | undefined, message: string): string {
  if (v?.kind !== 'string') lineError(message);
  return v.value;
}

function lineError(message: string): never {
  throw new HistoryLineError(message);
}

function unreachableType(x: never): never {
  throw new AssertionError(`unreachable: ${String(x)}`);
}
