// The scenario language's parser: one statement per line, blocks closed by `end`, `#` comments.
// Every error is a value naming the file and line (`figure8.scn:12: ...`), never an exception.

import type { KvOp } from '../../src/raft/types.ts';
import { type CompactionConfig, MAX_COMPACTION_ENTRIES } from '../model/config.ts';
import type {
  Compare,
  Condition,
  NetworkChange,
  OutcomeExpectation,
  Quorum,
  Scenario,
  Statement,
  Target,
  TargetTerm,
  ValueExpr,
} from './ast.ts';

export class ScenarioSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

/** The default bound on a run (config.timeMs) when the file says none. */
export const DEFAULT_TIME_MS = 120_000;
/** 6.5840's one() gives up after 10 s. */
export const DEFAULT_ONE_WITHIN_MS = 10_000;
const MAX_REPEAT = 100_000;
const NAME = /^[a-z][a-z0-9_]*$/;
const NETWORK_FIELDS = ['delayMsMin', 'delayMsMax', 'dropRate', 'dupRate', 'longDelayRate', 'longDelayMsMax'];

/** Parses a scenario file's text. Returns the scenario, or the first error as `file:line: message`. */
export function parseScenario(file: string, text: string): Scenario | string {
  try {
    return new Parser(file, text).scenario();
  } catch (error) {
    if (error instanceof ScenarioSyntaxError) return `${file}:${error.line}: ${error.message}`;
    throw error;
  }
}

interface Line {
  readonly no: number;
  readonly words: string[];
  readonly text: string;
}

/** A duration: `500ms`, `5s`, `1.5s`; integer milliseconds. */
function parseDuration(word: string | undefined, line: number): number {
  const m = word === undefined ? null : /^(\d+(?:\.\d+)?)(ms|s)$/.exec(word);
  if (m === null)
    throw new ScenarioSyntaxError(line, `expected a duration such as 500ms or 5s, got ${show(word)}`);
  const ms = m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]);
  if (!Number.isInteger(ms))
    throw new ScenarioSyntaxError(line, `${word} is not a whole number of milliseconds`);
  return ms;
}

function parseIntWord(word: string | undefined, line: number, what: string, min = 0): number {
  if (word === undefined || !/^\d+$/.test(word) || Number(word) < min)
    throw new ScenarioSyntaxError(line, `expected ${what} (an integer >= ${min}), got ${show(word)}`);
  return Number(word);
}

function show(word: string | undefined): string {
  return word === undefined ? 'the end of the line' : `'${word}'`;
}

class Parser {
  private readonly file: string;
  private readonly lines: Line[] = [];
  private pos = 0;
  private readonly comment: string[] = [];
  private readonly names = new Set<string>();
  private readonly marks = new Set<string>();

  constructor(file: string, text: string) {
    this.file = file;
    const raw = text.split('\n');
    let leading = true;
    for (let i = 0; i < raw.length; i++) {
      const full = raw[i]!.replace(/\r$/, '');
      const trimmed = full.trim();
      if (trimmed.startsWith('#')) {
        if (leading) this.comment.push(trimmed.replace(/^#\s?/, ''));
        continue;
      }
      const code = trimmed.replace(/\s+#.*$/, '');
      if (code === '') continue;
      leading = false;
      this.lines.push({ no: i + 1, words: code.split(/\s+/), text: code });
    }
  }

  scenario(): Scenario {
    let seed = 1;
    let nodes = 5;
    let clients = 0;
    let timeMs = DEFAULT_TIME_MS;
    let compaction: CompactionConfig | null = null;
    const settings: { path: string; value: number | boolean | string; line: number }[] = [];
    const seen = new Set<string>();
    // The header: settings of the run, before the first statement.
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos]!;
      const [head, a, b, ...extra] = l.words;
      if (
        head !== 'seed' &&
        head !== 'nodes' &&
        head !== 'clients' &&
        head !== 'time' &&
        head !== 'set' &&
        head !== 'compaction'
      )
        break;
      this.pos++;
      if (head !== 'set') {
        if (seen.has(head)) throw new ScenarioSyntaxError(l.no, `${head} is given twice`);
        seen.add(head);
        if (b !== undefined) throw new ScenarioSyntaxError(l.no, `unexpected '${b}' after ${head}`);
      }
      switch (head) {
        case 'seed':
          seed = parseIntWord(a, l.no, 'a seed');
          if (seed > 2 ** 32 - 1) throw new ScenarioSyntaxError(l.no, 'the seed must be below 2^32');
          break;
        case 'nodes':
          nodes = parseIntWord(a, l.no, 'a node count', 1);
          break;
        case 'clients':
          clients = parseIntWord(a, l.no, 'a client count');
          break;
        case 'time':
          timeMs = parseDuration(a, l.no);
          break;
        case 'compaction':
          compaction = parseCompaction(a, l.no);
          break;
        case 'set': {
          if (a === undefined || !/^[a-zA-Z]+(\.[a-zA-Z]+)*$/.test(a))
            throw new ScenarioSyntaxError(
              l.no,
              `expected a config field such as raft.heartbeatMs, got ${show(a)}`,
            );
          if (b === undefined) throw new ScenarioSyntaxError(l.no, `set ${a} needs a value`);
          if (extra.length > 0)
            throw new ScenarioSyntaxError(l.no, `unexpected '${extra[0]}' after the value`);
          settings.push({ path: a, value: settingValue(b), line: l.no });
          break;
        }
      }
    }
    const outcomes: OutcomeExpectation[] = [];
    const body = this.block(outcomes, true);
    if (this.pos < this.lines.length) {
      const l = this.lines[this.pos]!;
      throw new ScenarioSyntaxError(l.no, `'${l.words[0]}' without a block to close`);
    }
    return {
      file: this.file,
      seed,
      nodes,
      clients,
      timeMs,
      compaction,
      settings,
      body,
      outcomes,
      comment: this.comment.join(' '),
    };
  }

  /** Statements up to `end` / `else` (not consumed) or the end of the file. */
  private block(outcomes: OutcomeExpectation[], top: boolean): Statement[] {
    const out: Statement[] = [];
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos]!;
      const head = l.words[0]!;
      if (head === 'end' || head === 'else') return out;
      this.pos++;
      if (head === 'expect' && (l.words[1] === 'ok' || l.words[1] === 'violation')) {
        if (!top)
          throw new ScenarioSyntaxError(
            l.no,
            'an outcome expectation (expect ok / violation) belongs at the top level',
          );
        outcomes.push(this.outcome(l));
        continue;
      }
      out.push(this.statement(l, outcomes));
    }
    return out;
  }

  private closeBlock(opener: Line): void {
    const l = this.lines[this.pos];
    if (l === undefined || l.words[0] !== 'end')
      throw new ScenarioSyntaxError(opener.no, `'${opener.words[0]}' is never closed by 'end'`);
    if (l.words.length > 1) throw new ScenarioSyntaxError(l.no, `unexpected '${l.words[1]}' after end`);
    this.pos++;
  }

  private outcome(l: Line): OutcomeExpectation {
    const w = l.words;
    let i = 2;
    let outcome: OutcomeExpectation['outcome'];
    if (w[1] === 'ok') outcome = { status: 'ok' };
    else {
      const property = w[2];
      if (property === undefined || property === 'with')
        throw new ScenarioSyntaxError(l.no, 'expect violation needs a property, e.g. leader-completeness');
      outcome = { status: 'violation', property };
      i = 3;
    }
    let bugs: string[] | null = null;
    if (w[i] === 'with') {
      bugs = (w[i + 1] ?? '').split(',').filter((b) => b !== '');
      if (bugs.length === 0) throw new ScenarioSyntaxError(l.no, 'expected bug names after with');
      i += 2;
    }
    if (w[i] !== undefined) throw new ScenarioSyntaxError(l.no, `unexpected '${w[i]}'`);
    return { line: l.no, bugs, outcome };
  }

  private statement(l: Line, outcomes: OutcomeExpectation[]): Statement {
    const c = new Cursor(l, this);
    const head = c.next('a statement');
    const base = { line: l.no, text: l.text };
    let s: Statement;
    switch (head) {
      case 'crash':
      case 'restart':
      case 'campaign':
      case 'isolate':
      case 'connect':
        s = { ...base, kind: head, target: c.target() };
        break;
      case 'pause': {
        const target = c.target(['for']);
        c.expectWord('for');
        s = { ...base, kind: 'pause', target, durationMs: parseDuration(c.next('a duration'), l.no) };
        break;
      }
      case 'partition': {
        const groups = [c.target(['|'])];
        while (c.peek() === '|') {
          c.next('|');
          groups.push(c.target(['|']));
        }
        s = { ...base, kind: 'partition', groups };
        break;
      }
      case 'heal':
        s = { ...base, kind: 'heal' };
        break;
      case 'cut':
      case 'restore': {
        const from = c.target(['->', '<->']);
        const arrow = c.next('-> or <->');
        if (arrow !== '->' && arrow !== '<->')
          throw new ScenarioSyntaxError(l.no, `expected -> or <->, got '${arrow}'`);
        s = { ...base, kind: 'link', from, to: c.target(), up: head === 'restore', both: arrow === '<->' };
        break;
      }
      case 'network':
        s = { ...base, kind: 'network', changes: this.networkChanges(c) };
        break;
      case 'compaction':
        s = {
          ...base,
          kind: 'compaction',
          settings: parseCompaction(c.next('size:N, applied:N or off'), l.no),
        };
        break;
      case 'workload': {
        const w = c.next('on or off');
        if (w === 'off') s = { ...base, kind: 'workload', everyMs: 0 };
        else if (w === 'on') {
          let everyMs = 50;
          if (c.peek() === 'every') {
            c.next('every');
            everyMs = parseDuration(c.next('a duration'), l.no);
            if (everyMs < 1) throw new ScenarioSyntaxError(l.no, 'every must be at least 1ms');
          }
          s = { ...base, kind: 'workload', everyMs };
        } else throw new ScenarioSyntaxError(l.no, `expected on or off after workload, got '${w}'`);
        break;
      }
      case 'add': {
        c.expectWord('learner');
        s = { ...base, kind: 'membership', change: 'add-learner', target: c.target() };
        break;
      }
      case 'promote':
      case 'remove':
        s = { ...base, kind: 'membership', change: head, target: c.target() };
        break;
      case 'joint': {
        c.expectWord('voters');
        s = { ...base, kind: 'membership', change: 'joint', target: c.target() };
        break;
      }
      case 'transfer': {
        c.expectWord('leadership');
        c.expectWord('to');
        s = { ...base, kind: 'membership', change: 'transfer', target: c.target() };
        break;
      }
      case 'submit': {
        const value = c.value();
        c.expectWord('to');
        const every = c.peek() === 'every';
        if (every) c.next('every');
        const target = c.target(['as', 'or']);
        let as: string | null = null;
        let mustAccept = true;
        while (c.peek() !== undefined) {
          const w = c.next('as NAME or "or skip"');
          if (w === 'as') as = this.defineName(c.next('a name'), l.no);
          else if (w === 'or' && c.peek() === 'skip') {
            c.next('skip');
            mustAccept = false;
          } else throw new ScenarioSyntaxError(l.no, `unexpected '${w}'`);
        }
        s = { ...base, kind: 'submit', value, target, every, as, mustAccept };
        break;
      }
      case 'one': {
        const value = c.value();
        let where: Quorum = { kind: 'all' };
        let retry = false;
        let withinMs = DEFAULT_ONE_WITHIN_MS;
        while (c.peek() !== undefined) {
          const w = c.next('on, retry or within');
          if (w === 'on') where = c.quorum();
          else if (w === 'retry') retry = true;
          else if (w === 'within') withinMs = parseDuration(c.next('a duration'), l.no);
          else throw new ScenarioSyntaxError(l.no, `unexpected '${w}' (expected on, retry or within)`);
        }
        s = { ...base, kind: 'one', value, where, retry, withinMs };
        break;
      }
      case 'client': {
        const client = parseIntWord(c.next('a client id'), l.no, 'a client id', 1);
        const type = c.next('get, put or append');
        const key = c.next('a key');
        // Submitted values live under this key, outside every client's history.
        if (key === 'cmd')
          throw new ScenarioSyntaxError(l.no, "the key 'cmd' holds submitted values: clients use other keys");
        let op: KvOp;
        if (type === 'get') op = { type: 'get', key };
        else if (type === 'put' || type === 'append') {
          const value = c.value();
          if (value.kind === 'random')
            throw new ScenarioSyntaxError(l.no, 'a client writes a value of its own, not random');
          op = { type, key, value: value.text };
        } else throw new ScenarioSyntaxError(l.no, `expected get, put or append, got '${type}'`);
        let at: Target | null = null;
        if (c.peek() === 'at') {
          c.next('at');
          at = c.target();
        }
        s = { ...base, kind: 'client', client, op, at };
        break;
      }
      case 'wait': {
        if (c.peek() === 'until') {
          c.next('until');
          const cond = c.condition(['within']);
          c.expectWord('within');
          const withinMs = parseDuration(c.next('a duration'), l.no);
          let orContinue = false;
          if (c.peek() === 'or') {
            c.next('or');
            c.expectWord('continue');
            orContinue = true;
          }
          s = { ...base, kind: 'wait-until', cond, withinMs, orContinue };
        } else if (c.peek() === 'random') {
          c.next('random');
          const range = c.next('a range such as 0..500ms');
          const m = /^(\d+)\.\.(\d+(?:ms|s))$/.exec(range);
          if (m === null)
            throw new ScenarioSyntaxError(l.no, `expected a range such as 0..500ms, got '${range}'`);
          const unit = m[2]!.endsWith('ms') ? 'ms' : 's';
          const minMs = parseDuration(`${m[1]}${unit}`, l.no);
          const maxMs = parseDuration(m[2], l.no);
          if (maxMs < minMs) throw new ScenarioSyntaxError(l.no, `the range ${range} is empty`);
          s = { ...base, kind: 'wait', minMs, maxMs };
        } else {
          const ms = parseDuration(c.next('a duration'), l.no);
          s = { ...base, kind: 'wait', minMs: ms, maxMs: ms };
        }
        break;
      }
      case 'expect': {
        const cond = c.condition(['within', 'for']);
        let mode: 'now' | 'within' | 'for' = 'now';
        let ms = 0;
        const w = c.peek();
        if (w === 'within' || w === 'for') {
          c.next(w);
          mode = w;
          ms = parseDuration(c.next('a duration'), l.no);
        }
        s = { ...base, kind: 'expect', cond, mode, ms };
        break;
      }
      case 'let': {
        const name = this.defineName(c.next('a name'), l.no);
        c.expectWord('=');
        s = { ...base, kind: 'let', name, target: c.target() };
        break;
      }
      case 'mark': {
        const name = c.next('a name');
        if (!NAME.test(name)) throw new ScenarioSyntaxError(l.no, `'${name}' is not a name (a-z, 0-9, _)`);
        this.marks.add(name);
        s = { ...base, kind: 'mark', name };
        break;
      }
      case 'repeat': {
        const times = parseIntWord(c.next('a count'), l.no, 'a count', 1);
        if (times > MAX_REPEAT) throw new ScenarioSyntaxError(l.no, `repeat at most ${MAX_REPEAT} times`);
        let counter: string | null = null;
        if (c.peek() === 'as') {
          c.next('as');
          counter = this.defineName(c.next('a name'), l.no);
        }
        c.done();
        const body = this.block(outcomes, false);
        this.closeBlock(l);
        return { ...base, kind: 'repeat', times, counter, body };
      }
      case 'if': {
        const cond = c.condition([]);
        c.done();
        const then = this.block(outcomes, false);
        let otherwise: Statement[] = [];
        if (this.lines[this.pos]?.words[0] === 'else') {
          this.pos++;
          otherwise = this.block(outcomes, false);
        }
        this.closeBlock(l);
        return { ...base, kind: 'if', cond, then, otherwise };
      }
      default:
        throw new ScenarioSyntaxError(l.no, `unknown statement '${head}'`);
    }
    c.done();
    return s;
  }

  private networkChanges(c: Cursor): NetworkChange[] {
    const changes: NetworkChange[] = [];
    while (c.peek() !== undefined) {
      const w = c.next('a network setting');
      if (w === 'reliable' || w === 'unreliable' || w === 'long-reordering') {
        changes.push({ kind: 'preset', preset: w });
        continue;
      }
      const m = /^([a-zA-Z]+)=(\d+(?:\.\d+)?)$/.exec(w);
      if (m === null || !NETWORK_FIELDS.includes(m[1]!))
        throw new ScenarioSyntaxError(
          c.lineNo,
          `expected reliable, unreliable, long-reordering or FIELD=NUMBER with FIELD one of ${NETWORK_FIELDS.join(', ')}, got '${w}'`,
        );
      changes.push({ kind: 'set', field: m[1]!, value: Number(m[2]) });
    }
    if (changes.length === 0) throw new ScenarioSyntaxError(c.lineNo, 'network needs a setting');
    return changes;
  }

  private defineName(name: string, line: number): string {
    if (!NAME.test(name)) throw new ScenarioSyntaxError(line, `'${name}' is not a name (a-z, 0-9, _)`);
    this.names.add(name);
    return name;
  }

  isName(name: string): boolean {
    return this.names.has(name);
  }

  isMark(name: string): boolean {
    return this.marks.has(name);
  }
}

/** `size:N`, `applied:N` (config.compaction's trigger and entries) or `off`. */
function parseCompaction(word: string | undefined, line: number): CompactionConfig | null {
  if (word === 'off') return null;
  const m = word === undefined ? null : /^(size|applied):(\d+)$/.exec(word);
  const entries = m === null ? 0 : Number(m[2]);
  if (m === null || entries < 1 || entries > MAX_COMPACTION_ENTRIES)
    throw new ScenarioSyntaxError(
      line,
      `expected size:N, applied:N (N from 1 to ${MAX_COMPACTION_ENTRIES}) or off, got ${show(word)}`,
    );
  return { trigger: m[1] as CompactionConfig['trigger'], entries };
}

function settingValue(word: string): number | boolean | string {
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
  return word;
}

const COMPARES: readonly Compare[] = ['<', '<=', '==', '!=', '>=', '>'];

/** Reads one line's words left to right. */
class Cursor {
  private readonly words: string[];
  private i = 0;
  readonly lineNo: number;
  private readonly parser: Parser;

  constructor(l: Line, parser: Parser) {
    this.words = l.words;
    this.lineNo = l.no;
    this.parser = parser;
  }

  peek(): string | undefined {
    return this.words[this.i];
  }

  next(what: string): string {
    const w = this.words[this.i];
    if (w === undefined)
      throw new ScenarioSyntaxError(this.lineNo, `expected ${what}, got the end of the line`);
    this.i++;
    return w;
  }

  expectWord(word: string): void {
    const w = this.next(`'${word}'`);
    if (w !== word) throw new ScenarioSyntaxError(this.lineNo, `expected '${word}', got '${w}'`);
  }

  done(): void {
    const w = this.words[this.i];
    if (w !== undefined) throw new ScenarioSyntaxError(this.lineNo, `unexpected '${w}'`);
  }

  value(): ValueExpr {
    const w = this.next('a value');
    if (w === 'random') return { kind: 'random' };
    if (!/^[A-Za-z0-9_.{}-]+$/.test(w))
      throw new ScenarioSyntaxError(
        this.lineNo,
        `a value is letters, digits, _ . - and {counter}, got '${w}'`,
      );
    for (const m of w.matchAll(/\{([^}]*)\}/g)) {
      if (!this.parser.isName(m[1]!))
        throw new ScenarioSyntaxError(this.lineNo, `{${m[1]}} names no repeat counter defined above`);
    }
    return { kind: 'text', text: w };
  }

  /** A target: terms joined by + and -, up to a stop word. */
  target(stops: readonly string[] = []): Target {
    const start = this.i;
    const first = this.term();
    const rest: { op: '+' | '-'; term: TargetTerm }[] = [];
    for (;;) {
      const w = this.peek();
      if (w !== '+' && w !== '-') break;
      this.i++;
      rest.push({ op: w, term: this.term() });
    }
    const w = this.peek();
    if (w !== undefined && !stops.includes(w) && stops.length > 0 && !['+', '-'].includes(w))
      throw new ScenarioSyntaxError(this.lineNo, `unexpected '${w}' after the target`);
    return { first, rest, text: this.words.slice(start, this.i).join(' ') };
  }

  private term(): TargetTerm {
    const w = this.next('a target (leader, followers, any follower, S1, ...)');
    const sId = /^S(\d+)$/.exec(w);
    if (sId !== null) {
      const id = Number(sId[1]);
      if (id < 1) throw new ScenarioSyntaxError(this.lineNo, `${w} is not a node`);
      return { kind: 'node', id };
    }
    if (w.startsWith('$')) {
      const name = w.slice(1);
      if (!this.parser.isName(name))
        throw new ScenarioSyntaxError(this.lineNo, `${w} names nothing defined by let above`);
      return { kind: 'var', name };
    }
    switch (w) {
      case 'leader':
        return { kind: 'leader' };
      case 'followers':
        return { kind: 'followers' };
      case 'all':
        return { kind: 'all' };
      case 'up':
        return { kind: 'up' };
      case 'down':
        return { kind: 'down' };
      case 'connected':
        return { kind: 'connected' };
      case 'isolated':
        return { kind: 'isolated' };
      case 'longest': {
        this.expectWord('log');
        return { kind: 'longest-log' };
      }
      case 'any': {
        const what = this.next('follower, node, up node, down node or connected node');
        if (what === 'follower') return { kind: 'some-followers', count: 1 };
        if (what === 'node') return { kind: 'any', among: 'all' };
        if (what === 'up' || what === 'down' || what === 'connected') {
          this.expectWord('node');
          return { kind: 'any', among: what };
        }
        throw new ScenarioSyntaxError(this.lineNo, `expected follower or node after any, got '${what}'`);
      }
      default: {
        if (/^\d+$/.test(w)) {
          const count = Number(w);
          if (this.peek() === 'of') {
            this.next('of');
            if (count < 1) throw new ScenarioSyntaxError(this.lineNo, 'pick at least 1 node');
            return { kind: 'pick', count, from: this.term() };
          }
          const what = this.next('follower(s)');
          if ((what === 'follower' && count === 1) || (what === 'followers' && count >= 1))
            return { kind: 'some-followers', count };
          throw new ScenarioSyntaxError(
            this.lineNo,
            `expected '${count === 1 ? 'follower' : 'followers'}' after ${count}`,
          );
        }
        throw new ScenarioSyntaxError(this.lineNo, `unknown target '${w}'`);
      }
    }
  }

  quorum(stops: readonly string[] = []): Quorum {
    const w = this.peek();
    if (w === 'all') {
      this.i++;
      return { kind: 'all' };
    }
    if (w !== undefined && /^\d+$/.test(w)) {
      this.i++;
      return { kind: 'count', count: Number(w) };
    }
    return { kind: 'target', target: this.target(['retry', 'within', 'for', 'and', ...stops]) };
  }

  /** A condition, or several joined by `and` (`not` binds tighter). */
  condition(stops: readonly string[]): Condition {
    const left = this.primary([...stops, 'and']);
    if (this.peek() !== 'and') return left;
    this.next('and');
    return { kind: 'and', left, right: this.condition(stops) };
  }

  private primary(stops: readonly string[]): Condition {
    const w = this.next('a condition');
    switch (w) {
      case 'not': {
        if (this.peek() === 'committed') {
          this.next('committed');
          return { kind: 'not-committed', value: this.value() };
        }
        return { kind: 'not', cond: this.primary(stops) };
      }
      case 'one':
      case 'no': {
        this.expectWord('leader');
        let among: Target | null = null;
        if (this.peek() === 'among') {
          this.next('among');
          among = this.target(stops);
        }
        return w === 'one' ? { kind: 'one-leader', among } : { kind: 'no-leader', among };
      }
      case 'leader': {
        if (this.peek() !== 'exists') return this.targetCondition();
        this.next('exists');
        return { kind: 'leader-exists' };
      }
      case 'logs': {
        this.expectWord('agree');
        let among: Target | null = null;
        if (this.peek() === 'among') {
          this.next('among');
          among = this.target(stops);
        }
        return { kind: 'logs-agree', among };
      }
      case 'client': {
        const client = parseIntWord(this.next('a client id'), this.lineNo, 'a client id', 1);
        this.expectWord('idle');
        return { kind: 'client-idle', client };
      }
      case 'terms': {
        this.expectWord('agree');
        let among: Target | null = null;
        if (this.peek() === 'among') {
          this.next('among');
          among = this.target(stops);
        }
        return { kind: 'terms-agree', among };
      }
      case 'committed': {
        const value = this.value();
        let where: Quorum = { kind: 'count', count: 1 };
        if (this.peek() === 'on') {
          this.next('on');
          where = this.quorum(stops);
        }
        return { kind: 'committed', value, where };
      }
      case 'messages': {
        let type: string | null = null;
        if (this.peek() === 'of') {
          this.next('of');
          type = this.next('a message type');
          if (!/^[A-Z][A-Za-z]+$/.test(type))
            throw new ScenarioSyntaxError(
              this.lineNo,
              `expected a message type such as AppendEntries, got '${type}'`,
            );
        }
        this.expectWord('since');
        const mark = this.next('a mark');
        if (!this.parser.isMark(mark)) throw new ScenarioSyntaxError(this.lineNo, `no mark '${mark}' above`);
        const cmp = this.compare();
        return {
          kind: 'messages',
          type,
          mark,
          cmp,
          count: parseIntWord(this.next('a count'), this.lineNo, 'a count'),
        };
      }
      case 'size': {
        const target = this.target([...COMPARES]);
        const cmp = this.compare();
        return {
          kind: 'size',
          target,
          cmp,
          count: parseIntWord(this.next('a count'), this.lineNo, 'a count'),
        };
      }
      case 'index': {
        const value = this.value();
        const cmp = this.compare();
        let ref: { value: ValueExpr | null; offset: number };
        if (this.peek() === 'index') {
          this.next('index');
          const other = this.value();
          let offset = 0;
          const sign = this.peek();
          if (sign === '+' || sign === '-') {
            this.next(sign);
            const k = parseIntWord(this.next('an offset'), this.lineNo, 'an offset');
            offset = sign === '+' ? k : -k;
          }
          ref = { value: other, offset };
        } else ref = { value: null, offset: parseIntWord(this.next('an index'), this.lineNo, 'an index') };
        return { kind: 'index', value, cmp, ref };
      }
      case 'log': {
        // `log tail of T <= N`: entries past the snapshot, on every node of T.
        this.expectWord('tail');
        return this.perNode('log-tail');
      }
      case 'snapshot': {
        this.expectWord('index');
        return this.perNode('snapshot-index');
      }
      case 'chance': {
        const p = this.next('a probability');
        if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(p))
          throw new ScenarioSyntaxError(this.lineNo, `expected a probability from 0 to 1, got '${p}'`);
        return { kind: 'chance', p: Number(p) };
      }
      default:
        return this.targetCondition();
    }
  }

  /** `TARGET leads`, `TARGET holds V`, `TARGET installed a snapshot [since M]`: the target's first word was just read. */
  private targetCondition(): Condition {
    const w = this.words[this.i - 1];
    this.i--;
    const target = this.target(['leads', 'holds', 'installed']);
    if (this.peek() === 'leads') {
      this.next('leads');
      return { kind: 'leads', target };
    }
    if (this.peek() === 'holds') {
      this.next('holds');
      return { kind: 'holds', target, value: this.value() };
    }
    if (this.peek() === 'installed') {
      this.next('installed');
      this.expectWord('a');
      this.expectWord('snapshot');
      let mark: string | null = null;
      if (this.peek() === 'since') {
        this.next('since');
        mark = this.next('a mark');
        if (!this.parser.isMark(mark)) throw new ScenarioSyntaxError(this.lineNo, `no mark '${mark}' above`);
      }
      return { kind: 'installed', target, mark };
    }
    throw new ScenarioSyntaxError(
      this.lineNo,
      `unknown condition '${w}' (one leader, no leader, leader exists, terms agree, logs agree, committed V, not committed V, TARGET leads, TARGET holds V, TARGET installed a snapshot, log tail of T, snapshot index of T, client N idle, index V CMP index W + K, messages since M, size T, chance P, not C)`,
    );
  }

  /** `of T CMP N`, judged on every node of T. */
  private perNode(kind: 'log-tail' | 'snapshot-index'): Condition {
    this.expectWord('of');
    const target = this.target([...COMPARES]);
    const cmp = this.compare();
    return { kind, target, cmp, count: parseIntWord(this.next('a count'), this.lineNo, 'a count') };
  }

  private compare(): Compare {
    const w = this.next('a comparison (<, <=, ==, !=, >=, >)');
    if (!(COMPARES as readonly string[]).includes(w))
      throw new ScenarioSyntaxError(this.lineNo, `expected a comparison (<, <=, ==, !=, >=, >), got '${w}'`);
    return w as Compare;
  }
}
