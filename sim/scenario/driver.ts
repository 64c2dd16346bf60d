// The scenario driver: runs a parsed scenario's statements against a live run, as a Director of the
// engine (sim/engine/director.ts). Targets and conditions are resolved from the simulator's ground
// truth between steps, never from the node's internals, so the same scenario means the same thing
// on any implementation. Every action becomes a fault or client op at the instant it is taken; the
// list of them is the run's schedule, which replays and shrinks like any other.
//
// The statements run as a generator: each wait yields, and the director resumes it when the wait is
// over. Script code only runs at a wake instant, before that instant's events, so that the recorded
// schedule (faults at those instants) replays the same run: a condition that becomes true after a
// step lets the script go on at the next millisecond.

import type { Director, DirectorControl } from '../engine/director.ts';
import { intBetween, type Random, stream } from '../engine/rng.ts';
import { SCRIPT_CLIENT_ID } from '../engine/runner.ts';
import type { NetworkConfig } from '../model/config.ts';
import type { Fault, ScheduledOp } from '../model/schedule.ts';
import type {
  Compare,
  Condition,
  NetworkChange,
  Quorum,
  Statement,
  Target,
  TargetTerm,
  ValueExpr,
} from './ast.ts';

/** A failed expectation or an action that could not be carried out: its line, its time, why. */
export interface ScenarioFailure {
  readonly line: number;
  readonly text: string;
  readonly timeMs: number;
  readonly message: string;
}

class Failed extends Error {
  readonly line: number;
  readonly text: string;
  constructor(s: { line: number; text: string }, message: string) {
    super(message);
    this.line = s.line;
    this.text = s.text;
  }
}

type Wait =
  | { readonly kind: 'time'; readonly atMs: number }
  | {
      readonly kind: 'until';
      readonly cond: Condition;
      readonly deadlineMs: number;
      /** What failing means, e.g. "expected one leader within 5000 ms" (null: the caller handles a timeout). */
      readonly failure: string | null;
      readonly at: { line: number; text: string };
    }
  | {
      readonly kind: 'for';
      readonly cond: Condition;
      readonly untilMs: number;
      readonly at: { line: number; text: string };
    };

/** 6.5840's one(): how long it waits for a submitted command to commit before trying again. */
const ONE_COMMIT_WAIT_MS = 2000;
/** ... and how long it sleeps when no server accepted the command. */
const ONE_NOBODY_WAIT_MS = 50;
/** A bound on the statements one run executes (nested repeats without waits must still end). */
export const MAX_STATEMENTS = 5_000_000;
/** The key a submitted value is written under (6.5840's commands are bare values). */
export const SUBMIT_KEY = 'cmd';

export class ScenarioDriver implements Director {
  /** When the script wants to go on next. */
  private scriptWakeMs = 0;
  watching = false;
  done = false;
  failure: ScenarioFailure | null = null;
  /** The faults and client ops the scenario took, in order: the run's schedule. */
  readonly faults: Fault[] = [];
  readonly ops: ScheduledOp[] = [];

  private ctl: DirectorControl | null = null;
  private readonly gen: Generator<Wait, void, void>;
  private wait: Wait | null = null;
  /** The condition of an `until` wait held after a step: go on at the wake. */
  private satisfied = false;
  private readonly rng: Random;
  private readonly nodes: number;
  private readonly vars = new Map<string, number[]>();
  private readonly counters = new Map<string, number>();
  /** At each mark: the messages sent so far, in all and per type, and the snapshots each node installed (by id - 1). */
  private readonly marks = new Map<
    string,
    { total: number; byType: Map<string, number>; installed: number[] }
  >();
  /** Where each submitted value landed (every index a node accepted it at). */
  private readonly landed = new Map<string, number[]>();
  /**
   * Where a value was seen applied (by a node whose log still held it): once compaction has
   * replaced that index on a node, the node counts as applying the value there when it has applied
   * the index, since state-machine safety (checked every step) says it applied the same entry.
   */
  private readonly appliedAt = new Map<string, number>();
  private readonly isolated = new Set<number>();
  private groups: number[][] | null = null;
  private network: NetworkConfig;
  /** The background workload: every client gets a new op when idle, looked at every `workloadEveryMs` (0: off). */
  private workloadEveryMs = 0;
  private workloadNextMs = Number.POSITIVE_INFINITY;
  private workloadOps = 0;
  private readonly clients: number;
  private readonly keys: number;
  private executed = 0;
  /** The statement being run, for a failure of a condition it judges. */
  private running: Statement | null = null;
  /** Whether the script has begun (at the first consult). */
  private started = false;

  constructor(
    body: readonly Statement[],
    seed: number,
    nodes: number,
    network: NetworkConfig,
    clients: { readonly count: number; readonly keys: number } = { count: 0, keys: 1 },
  ) {
    this.rng = stream(seed, 'scenario');
    this.clients = clients.count;
    this.keys = clients.keys;
    this.nodes = nodes;
    this.network = network;
    this.gen = this.run(body);
  }

  // ------------------------------------------------------------------------------------------
  // The Director contract

  /** The earlier of the script's wake and the workload's. */
  get wakeMs(): number {
    return Math.min(this.scriptWakeMs, this.workloadNextMs);
  }

  consult(ctl: DirectorControl, atWake: boolean): void {
    this.ctl = ctl;
    try {
      this.consultNow(ctl, atWake);
    } catch (error) {
      // A condition that cannot be judged (no leader to resolve, a mark not set): the waiting line fails.
      if (!(error instanceof Failed)) throw error;
      const w = this.wait;
      this.fail(error.line > 0 || w === null || w.kind === 'time' ? error : w.at, error.message);
    }
  }

  private consultNow(ctl: DirectorControl, atWake: boolean): void {
    if (atWake && ctl.nowMs >= this.workloadNextMs) this.feedWorkload();
    if (!this.started) {
      this.started = true;
      this.resume();
      return;
    }
    const w = this.wait;
    if (w === null) return;
    const now = ctl.nowMs;
    switch (w.kind) {
      case 'time':
        if (atWake && now >= w.atMs) this.resume();
        return;
      case 'until':
        if (atWake && now < this.scriptWakeMs) {
          // Woken for the workload: only a condition that holds now moves the script on.
          if (this.holds(w.cond)) {
            this.satisfied = true;
            this.watching = false;
            this.scriptWakeMs = now + 1;
          }
        } else if (atWake) {
          if (this.satisfied || this.holds(w.cond)) this.resume();
          else if (now >= w.deadlineMs) {
            if (w.failure === null) this.resume();
            else this.fail(w.at, `${w.failure}${this.observed(w.cond)}`);
          }
        } else if (this.holds(w.cond)) {
          this.satisfied = true;
          this.watching = false;
          this.scriptWakeMs = now + 1;
        }
        return;
      case 'for':
        if (!this.holds(w.cond))
          this.fail(w.at, `${describeCondition(w.cond)} stopped holding${this.observed(w.cond)}`);
        else if (atWake && now >= w.untilMs) this.resume();
        return;
    }
  }

  /** Every idle client gets its next op: a get, put or append on a random key, a fresh value. */
  private feedWorkload(): void {
    const ctl = this.ctl!;
    for (let client = 1; client <= this.clients; client++) {
      if (!ctl.clientIdle(client)) continue;
      const key = `k${intBetween(this.rng, 0, this.keys - 1)}`;
      const kind = intBetween(this.rng, 0, 2);
      this.workloadOps++;
      const value = `w${this.workloadOps}`;
      const op: ScheduledOp['op'] =
        kind === 0
          ? { type: 'get', key }
          : kind === 1
            ? { type: 'put', key, value }
            : { type: 'append', key, value };
      const scheduled: ScheduledOp = { client, atMs: ctl.nowMs, op };
      this.ops.push(scheduled);
      ctl.addOp(scheduled);
    }
    this.workloadNextMs = ctl.nowMs + this.workloadEveryMs;
  }

  private resume(): void {
    const ctl = this.ctl!;
    for (;;) {
      let step: IteratorResult<Wait, void>;
      try {
        step = this.gen.next();
      } catch (error) {
        if (error instanceof Failed) {
          // Thrown while judging a condition, it names no line: the statement being run does.
          this.fail(error.line > 0 || this.running === null ? error : this.running, error.message);
          return;
        }
        throw error;
      }
      if (step.done === true) {
        this.done = true;
        this.wait = null;
        return;
      }
      const w = step.value;
      this.wait = w;
      this.satisfied = false;
      const now = ctl.nowMs;
      switch (w.kind) {
        case 'time':
          if (w.atMs <= now) continue;
          this.scriptWakeMs = w.atMs;
          this.watching = false;
          return;
        case 'until':
          if (this.holds(w.cond)) continue;
          this.scriptWakeMs = Math.max(w.deadlineMs, now + 1);
          this.watching = true;
          return;
        case 'for':
          if (!this.holds(w.cond)) {
            this.fail(w.at, `${describeCondition(w.cond)} does not hold${this.observed(w.cond)}`);
            return;
          }
          this.scriptWakeMs = Math.max(w.untilMs, now + 1);
          this.watching = true;
          return;
      }
    }
  }

  private fail(at: { line: number; text: string }, message: string): void {
    this.failure = {
      line: at.line,
      text: at.text,
      timeMs: this.ctl!.nowMs,
      message: `${message} (${this.stateText()})`,
    };
    this.done = true;
    this.watching = false;
  }

  // ------------------------------------------------------------------------------------------
  // Statements

  private *run(body: readonly Statement[]): Generator<Wait, void, void> {
    for (const s of body) yield* this.exec(s);
  }

  private *exec(s: Statement): Generator<Wait, void, void> {
    const ctl = this.ctl!;
    this.running = s;
    if (++this.executed > MAX_STATEMENTS)
      throw new Failed(s, `the scenario ran ${MAX_STATEMENTS} statements: a loop without end?`);
    switch (s.kind) {
      case 'crash':
      case 'restart':
      case 'campaign':
        for (const node of this.resolve(s.target, s)) this.apply({ atMs: 0, type: s.kind, node });
        return;
      case 'pause':
        for (const node of this.resolve(s.target, s))
          this.apply({ atMs: 0, type: 'pause', node, durationMs: s.durationMs });
        return;
      case 'isolate':
        for (const node of this.resolve(s.target, s)) this.isolated.add(node);
        this.applyPartition();
        return;
      case 'connect':
        for (const node of this.resolve(s.target, s)) this.isolated.delete(node);
        this.applyPartition();
        return;
      case 'partition': {
        const groups = s.groups.map((g) => this.resolve(g, s));
        const seen = new Set<number>();
        for (const g of groups)
          for (const id of g) {
            if (seen.has(id)) throw new Failed(s, `S${id} is in two groups`);
            seen.add(id);
          }
        this.groups = groups;
        this.applyPartition();
        return;
      }
      case 'heal':
        this.groups = null;
        this.isolated.clear();
        this.apply({ atMs: 0, type: 'heal' });
        return;
      case 'link': {
        const from = this.resolve(s.from, s);
        const to = this.resolve(s.to, s);
        for (const a of from)
          for (const b of to) {
            if (a === b) continue;
            this.apply({ atMs: 0, type: 'link', from: a, to: b, up: s.up });
            if (s.both) this.apply({ atMs: 0, type: 'link', from: b, to: a, up: s.up });
          }
        return;
      }
      case 'network':
        this.network = applyNetworkChanges(this.network, s.changes);
        this.apply({ atMs: 0, type: 'network', settings: this.network });
        return;
      case 'compaction':
        this.apply({ atMs: 0, type: 'compaction', settings: s.settings });
        return;
      case 'workload':
        if (s.everyMs === 0) {
          this.workloadEveryMs = 0;
          this.workloadNextMs = Number.POSITIVE_INFINITY;
        } else {
          if (this.clients === 0) throw new Failed(s, 'a workload needs clients (clients N in the header)');
          this.workloadEveryMs = s.everyMs;
          this.feedWorkload();
        }
        return;
      case 'membership': {
        const nodes = this.resolve(s.target, s);
        if (s.change === 'joint') {
          this.apply({ atMs: 0, type: 'membership', change: { type: 'joint', voters: nodes } });
          return;
        }
        for (const node of nodes)
          this.apply({ atMs: 0, type: 'membership', change: { type: s.change, node } });
        return;
      }
      case 'submit': {
        const value = this.valueOf(s.value);
        const accepted: number[] = [];
        for (const node of this.resolve(s.target, s)) {
          if (ctl.process(node) === null) continue;
          if (this.propose(node, value) > 0) {
            accepted.push(node);
            if (!s.every) break;
          }
        }
        if (s.as !== null) this.vars.set(s.as, accepted);
        if (accepted.length === 0 && s.mustAccept)
          throw new Failed(s, `no node of ${s.target.text} accepted ${value}`);
        return;
      }
      case 'one':
        yield* this.one(s);
        return;
      case 'client': {
        const to = s.at === null ? undefined : this.resolveOne(s.at, s);
        const op = s.op.type === 'get' ? s.op : { ...s.op, value: this.expand(s.op.value) };
        const scheduled: ScheduledOp =
          to === undefined
            ? { client: s.client, atMs: ctl.nowMs, op }
            : { client: s.client, atMs: ctl.nowMs, op, to };
        this.ops.push(scheduled);
        ctl.addOp(scheduled);
        return;
      }
      case 'wait': {
        const ms = s.minMs === s.maxMs ? s.minMs : intBetween(this.rng, s.minMs, s.maxMs);
        yield { kind: 'time', atMs: ctl.nowMs + ms };
        return;
      }
      case 'wait-until':
        yield {
          kind: 'until',
          cond: s.cond,
          deadlineMs: ctl.nowMs + s.withinMs,
          failure: s.orContinue
            ? null
            : `waited ${s.withinMs} ms for ${describeCondition(s.cond)}: it did not happen`,
          at: s,
        };
        return;
      case 'expect':
        switch (s.mode) {
          case 'now':
            if (!this.holds(s.cond))
              throw new Failed(s, `expected ${describeCondition(s.cond)}${this.observed(s.cond)}`);
            return;
          case 'within':
            yield {
              kind: 'until',
              cond: s.cond,
              deadlineMs: ctl.nowMs + s.ms,
              failure: `expected ${describeCondition(s.cond)} within ${s.ms} ms: timed out`,
              at: s,
            };
            return;
          case 'for':
            yield { kind: 'for', cond: s.cond, untilMs: ctl.nowMs + s.ms, at: s };
            return;
        }
        return;
      case 'let':
        this.vars.set(s.name, this.resolve(s.target, s));
        return;
      case 'mark':
        this.marks.set(s.name, {
          total: ctl.messagesSent,
          byType: new Map(ctl.messagesSentByType()),
          installed: this.allIds().map((id) => ctl.snapshotsInstalled(id)),
        });
        return;
      case 'repeat':
        for (let i = 1; i <= s.times; i++) {
          if (s.counter !== null) this.counters.set(s.counter, i);
          for (const inner of s.body) yield* this.exec(inner);
        }
        this.running = s;
        return;
      case 'if': {
        const branch = this.holds(s.cond) ? s.then : s.otherwise;
        for (const inner of branch) yield* this.exec(inner);
        return;
      }
    }
  }

  /** 6.5840's one(): offer the value around until a leader takes it and it commits on the quorum. */
  private *one(s: Extract<Statement, { kind: 'one' }>): Generator<Wait, void, void> {
    const ctl = this.ctl!;
    const value = this.valueOf(s.value);
    const endMs = ctl.nowMs + s.withinMs;
    let start = 0;
    while (ctl.nowMs < endMs) {
      let index = 0;
      for (let k = 0; k < this.nodes && index === 0; k++) {
        start = (start % this.nodes) + 1;
        if (this.isolated.has(start) || ctl.process(start) === null) continue;
        index = this.propose(start, value);
      }
      if (index === 0) {
        yield { kind: 'time', atMs: ctl.nowMs + ONE_NOBODY_WAIT_MS };
        continue;
      }
      const cond: Condition = { kind: 'committed', value: { kind: 'text', text: value }, where: s.where };
      const at = { line: s.line, text: s.text };
      yield {
        kind: 'until',
        cond,
        deadlineMs: Math.min(endMs, ctl.nowMs + ONE_COMMIT_WAIT_MS),
        failure: null,
        at,
      };
      // Committed stays committed (lastApplied is durable), so holding now is holding at the wake.
      if (this.holds(cond)) return;
      if (!s.retry)
        throw new Failed(
          s,
          `one(${value}) failed to reach agreement: index ${index} did not commit on ${quorumText(s.where)} in time`,
        );
    }
    throw new Failed(s, `one(${value}) failed to reach agreement within ${s.withinMs} ms`);
  }

  // ------------------------------------------------------------------------------------------
  // Actions

  private apply(fault: Fault): void {
    const f = { ...fault, atMs: this.ctl!.nowMs } as Fault;
    this.faults.push(f);
    this.ctl!.apply(f);
  }

  private propose(node: number, value: string): number {
    const f: Fault = {
      atMs: this.ctl!.nowMs,
      type: 'propose',
      node,
      op: { type: 'put', key: SUBMIT_KEY, value },
    };
    this.faults.push(f);
    const index = this.ctl!.apply(f);
    if (index > 0) {
      const list = this.landed.get(value) ?? [];
      list.push(index);
      this.landed.set(value, list);
    }
    return index;
  }

  /** The network as the scenario's isolate / connect / partition / heal statements left it. */
  private applyPartition(): void {
    if (this.groups === null && this.isolated.size === 0) {
      this.apply({ atMs: 0, type: 'heal' });
      return;
    }
    const all: number[] = [];
    for (let id = 1; id <= this.ctl!.servers; id++) all.push(id);
    const groups = (this.groups ?? [all])
      .map((g) => g.filter((id) => !this.isolated.has(id)))
      .filter((g) => g.length > 0);
    this.apply({ atMs: 0, type: 'partition', groups });
  }

  private valueOf(v: ValueExpr): string {
    if (v.kind === 'random') return String(intBetween(this.rng, 0, 1_000_000_000));
    return this.expand(v.text);
  }

  /** Text with each `{counter}` replaced by the repeat counter's current value. */
  private expand(text: string): string {
    return text.replace(/\{([^}]*)\}/g, (_, name: string) => String(this.counters.get(name) ?? 0));
  }

  // ------------------------------------------------------------------------------------------
  // Ground truth: targets

  private allIds(): number[] {
    const ids: number[] = [];
    for (let id = 1; id <= this.ctl!.servers; id++) ids.push(id);
    return ids;
  }

  private upIds(): number[] {
    return this.allIds().filter((id) => this.ctl!.process(id) !== null);
  }

  /** The leader as the simulator sees it: of the running nodes that lead, the one of the highest term. */
  private leaderId(among: readonly number[] = this.allIds()): number {
    let best = 0;
    let bestTerm = -1;
    for (const id of among) {
      const p = this.ctl!.process(id);
      if (p === null || p.role !== 'leader') continue;
      if (p.currentTerm > bestTerm) {
        best = id;
        bestTerm = p.currentTerm;
      }
    }
    return best;
  }

  private resolveOne(t: Target, at: { line: number; text: string }): number {
    const ids = this.resolve(t, at);
    if (ids.length !== 1) throw new Failed(at, `${t.text} is ${ids.length} nodes, not one`);
    return ids[0]!;
  }

  private resolve(t: Target, at: { line: number; text: string }): number[] {
    let set = this.term(t.first, at);
    for (const { op, term } of t.rest) {
      const other = this.term(term, at);
      set = op === '+' ? [...new Set([...set, ...other])] : set.filter((id) => !other.includes(id));
    }
    return set.sort((a, b) => a - b);
  }

  private term(t: TargetTerm, at: { line: number; text: string }): number[] {
    const ctl = this.ctl!;
    switch (t.kind) {
      case 'leader': {
        const id = this.leaderId();
        if (id === 0) throw new Failed(at, 'there is no leader');
        return [id];
      }
      case 'followers': {
        const leader = this.leaderId();
        return this.allIds().filter((id) => id !== leader);
      }
      case 'some-followers': {
        const leader = this.leaderId();
        const followers = this.allIds().filter((id) => id !== leader);
        if (followers.length < t.count) throw new Failed(at, `there are only ${followers.length} followers`);
        return this.draw(followers, t.count);
      }
      case 'any': {
        const pool =
          t.among === 'all'
            ? this.allIds()
            : t.among === 'up'
              ? this.upIds()
              : t.among === 'down'
                ? this.allIds().filter((id) => ctl.process(id) === null)
                : this.allIds().filter((id) => !this.isolated.has(id));
        if (pool.length === 0)
          throw new Failed(at, `there is no ${t.among === 'all' ? '' : `${t.among} `}node`);
        return this.draw(pool, 1);
      }
      case 'all':
        return this.allIds();
      case 'up':
        return this.upIds();
      case 'down':
        return this.allIds().filter((id) => ctl.process(id) === null);
      case 'connected':
        return this.allIds().filter((id) => !this.isolated.has(id));
      case 'isolated':
        return this.allIds().filter((id) => this.isolated.has(id));
      case 'longest-log': {
        let best = 0;
        let bestLen = -1;
        for (const id of this.upIds()) {
          const len = ctl.process(id)!.lastIndex;
          if (len > bestLen) {
            best = id;
            bestLen = len;
          }
        }
        if (best === 0) throw new Failed(at, 'no node is up');
        return [best];
      }
      case 'node':
        if (t.id > ctl.servers) throw new Failed(at, `there is no S${t.id} (${ctl.servers} servers)`);
        return [t.id];
      case 'var': {
        const v = this.vars.get(t.name);
        if (v === undefined) throw new Failed(at, `$${t.name} is used before it was set`);
        return v;
      }
      case 'pick': {
        const pool = this.term(t.from, at);
        if (pool.length < t.count) throw new Failed(at, `cannot pick ${t.count} of ${pool.length} nodes`);
        return this.draw(pool, t.count);
      }
    }
  }

  /** `count` distinct nodes drawn from the scenario's stream, in the pool's order. */
  private draw(pool: readonly number[], count: number): number[] {
    const left = [...pool];
    const out: number[] = [];
    for (let k = 0; k < count; k++) out.push(left.splice(intBetween(this.rng, 0, left.length - 1), 1)[0]!);
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Ground truth: conditions

  /** The nodes a leader condition looks at: the scenario's connected, running nodes by default (6.5840's). */
  private amongIds(t: Target | null): number[] {
    if (t === null)
      return this.allIds().filter((id) => !this.isolated.has(id) && this.ctl!.process(id) !== null);
    return this.resolve(t, { line: 0, text: t.text });
  }

  private holds(c: Condition): boolean {
    const ctl = this.ctl!;
    switch (c.kind) {
      case 'one-leader': {
        const among = this.amongIds(c.among);
        const leader = this.leaderId(among);
        if (leader === 0) return false;
        const term = ctl.process(leader)!.currentTerm;
        let count = 0;
        for (const id of among) {
          const p = ctl.process(id);
          if (p !== null && p.role === 'leader' && p.currentTerm === term) count++;
        }
        return count === 1;
      }
      case 'no-leader':
        return this.leaderId(this.amongIds(c.among)) === 0;
      case 'leader-exists':
        return this.leaderId() !== 0;
      case 'terms-agree': {
        let term = -1;
        for (const id of this.amongIds(c.among)) {
          const p = ctl.process(id);
          if (p === null) continue;
          if (term === -1) term = p.currentTerm;
          else if (p.currentTerm !== term) return false;
        }
        return true;
      }
      case 'leads':
        return this.resolve(c.target, { line: 0, text: c.target.text }).some((id) => {
          const p = ctl.process(id);
          return p !== null && p.role === 'leader';
        });
      case 'committed': {
        const value = this.valueOf(c.value);
        const best = this.committedCount(value);
        switch (c.where.kind) {
          case 'count':
            return best.count >= c.where.count;
          case 'all':
            return best.count >= this.nodes;
          case 'target': {
            const want = this.resolve(c.where.target, { line: 0, text: c.where.target.text });
            return want.every((id) => best.on.includes(id));
          }
        }
        return false;
      }
      case 'not-committed':
        return this.committedCount(this.valueOf(c.value)).count === 0;
      case 'holds': {
        const value = this.valueOf(c.value);
        const indices = this.landed.get(value) ?? [];
        return this.resolve(c.target, { line: 0, text: c.target.text }).every((id) =>
          indices.some((index) => isValueAt(ctl, id, index, value)),
        );
      }
      case 'logs-agree': {
        let last = -1;
        let lastTerm = -1;
        for (const id of this.amongIds(c.among)) {
          const p = ctl.process(id);
          if (p === null) continue;
          if (last === -1) {
            last = p.lastIndex;
            lastTerm = p.termAt(last) ?? -1;
          } else if (p.lastIndex !== last || p.termAt(last) !== lastTerm) return false;
        }
        return true;
      }
      case 'client-idle':
        return ctl.clientIdle(c.client);
      case 'messages': {
        const mark = this.marks.get(c.mark);
        if (mark === undefined)
          throw new Failed({ line: 0, text: '' }, `mark ${c.mark} has not been set yet`);
        if (c.type === null) return compare(ctl.messagesSent - mark.total, c.cmp, c.count);
        const now = ctl.messagesSentByType().get(c.type) ?? 0;
        return compare(now - (mark.byType.get(c.type) ?? 0), c.cmp, c.count);
      }
      case 'size':
        return compare(this.resolve(c.target, { line: 0, text: c.target.text }).length, c.cmp, c.count);
      case 'chance':
        return this.rng() < c.p;
      case 'installed':
        return this.resolve(c.target, { line: 0, text: c.target.text }).every(
          (id) => this.installedSince(id, c.mark) > 0,
        );
      case 'log-tail':
      case 'snapshot-index':
        return this.resolve(c.target, { line: 0, text: c.target.text }).every((id) =>
          compare(this.perNodeValue(c.kind, id), c.cmp, c.count),
        );
      case 'index': {
        const index = this.indexOf(c.value);
        if (index === 0) return false;
        const ref = c.ref.value === null ? 0 : this.indexOf(c.ref.value);
        if (c.ref.value !== null && ref === 0) return false;
        return compare(index, c.cmp, ref + c.ref.offset);
      }
      case 'not':
        return !this.holds(c.cond);
      case 'and':
        return this.holds(c.left) && this.holds(c.right);
    }
  }

  /** What a failed condition saw, where a number says more than the cluster line does. */
  private observed(c: Condition): string {
    const ctl = this.ctl!;
    switch (c.kind) {
      case 'messages': {
        const mark = this.marks.get(c.mark);
        if (mark === undefined) return '';
        const n =
          c.type === null
            ? ctl.messagesSent - mark.total
            : (ctl.messagesSentByType().get(c.type) ?? 0) - (mark.byType.get(c.type) ?? 0);
        return `: ${n} sent`;
      }
      case 'committed':
      case 'not-committed': {
        const { count, on } = this.committedCount(this.valueOf(c.value));
        return `: applied on ${count} node${count === 1 ? '' : 's'}${count > 0 ? ` (${on.map((id) => `S${id}`).join(', ')})` : ''}`;
      }
      case 'index':
        return `: it landed at ${this.indexOf(c.value) || 'no index'}${c.ref.value === null ? '' : `, the other at ${this.indexOf(c.ref.value) || 'no index'}`}`;
      case 'size':
        return `: ${this.resolve(c.target, { line: 0, text: c.target.text }).length}`;
      case 'installed':
        return `: ${this.resolve(c.target, { line: 0, text: c.target.text })
          .map((id) => `S${id} ${this.installedSince(id, c.mark)}`)
          .join(', ')}`;
      case 'log-tail':
      case 'snapshot-index':
        return `: ${this.resolve(c.target, { line: 0, text: c.target.text })
          .map((id) => `S${id} ${this.perNodeValue(c.kind, id)}`)
          .join(', ')}`;
      default:
        return '';
    }
  }

  /** Snapshots the node installed from a leader since the mark (null: since the start). */
  private installedSince(id: number, mark: string | null): number {
    const now = this.ctl!.snapshotsInstalled(id);
    if (mark === null) return now;
    const at = this.marks.get(mark);
    if (at === undefined) throw new Failed({ line: 0, text: '' }, `mark ${mark} has not been set yet`);
    return now - (at.installed[id - 1] ?? 0);
  }

  /** From the node's disk, so that a crashed node counts too (6.5840 measures the persisted state). */
  private perNodeValue(kind: 'log-tail' | 'snapshot-index', id: number): number {
    const ctl = this.ctl!;
    const snapshotIndex = ctl.snapshotIndex(id);
    return kind === 'snapshot-index' ? snapshotIndex : ctl.durableLastIndex(id) - snapshotIndex;
  }

  /** The index a value last landed at; 0 when no node accepted it yet. */
  private indexOf(v: ValueExpr): number {
    const list = this.landed.get(this.valueOf(v)) ?? [];
    return list[list.length - 1] ?? 0;
  }

  /** The index the value landed at that the most nodes applied, with those nodes (6.5840's nCommitted). */
  private committedCount(value: string): { count: number; on: number[] } {
    const ctl = this.ctl!;
    let best: number[] = [];
    for (const index of this.landed.get(value) ?? []) {
      const on: number[] = [];
      for (let id = 1; id <= ctl.servers; id++) {
        if (ctl.lastApplied(id) >= index && isValueAt(ctl, id, index, value))
          this.appliedAt.set(value, index);
      }
      const confirmed = this.appliedAt.get(value) === index;
      for (let id = 1; id <= ctl.servers; id++) {
        if (ctl.lastApplied(id) < index) continue;
        if (isValueAt(ctl, id, index, value) || (confirmed && index <= ctl.snapshotIndex(id))) on.push(id);
      }
      if (on.length > best.length) best = on;
    }
    return { count: best.length, on: best };
  }

  /** The cluster in one line, for failure reports: each node's role and term, or down. */
  private stateText(): string {
    const ctl = this.ctl!;
    return this.allIds()
      .map((id) => {
        const p = ctl.process(id);
        if (p === null) return `S${id} down`;
        const iso = this.isolated.has(id) ? ' isolated' : '';
        return `S${id} ${p.role} t${p.currentTerm} log ${p.lastIndex} commit ${p.commitIndex}${iso}`;
      })
      .join(', ');
  }
}

/** Whether the node's durable log holds the submitted value at this index. */
function isValueAt(ctl: DirectorControl, id: number, index: number, value: string): boolean {
  const cmd = ctl.durableEntry(id, index)?.command;
  return (
    cmd !== undefined &&
    cmd.kind === 'kv' &&
    cmd.clientId === SCRIPT_CLIENT_ID &&
    cmd.op.type === 'put' &&
    cmd.op.value === value
  );
}

function compare(a: number, cmp: Compare, b: number): boolean {
  switch (cmp) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>=':
      return a >= b;
    case '>':
      return a > b;
  }
}

function quorumText(q: Quorum): string {
  switch (q.kind) {
    case 'count':
      return `${q.count} nodes`;
    case 'all':
      return 'all nodes';
    case 'target':
      return q.target.text;
  }
}

function valueText(v: ValueExpr): string {
  return v.kind === 'random' ? 'random' : v.text;
}

export function describeCondition(c: Condition): string {
  switch (c.kind) {
    case 'one-leader':
      return `one leader${c.among === null ? '' : ` among ${c.among.text}`}`;
    case 'no-leader':
      return `no leader${c.among === null ? '' : ` among ${c.among.text}`}`;
    case 'leader-exists':
      return 'a leader';
    case 'terms-agree':
      return `terms agree${c.among === null ? '' : ` among ${c.among.text}`}`;
    case 'leads':
      return `${c.target.text} leads`;
    case 'committed':
      return `${valueText(c.value)} committed on ${quorumText(c.where)}`;
    case 'not-committed':
      return `${valueText(c.value)} not committed`;
    case 'holds':
      return `${c.target.text} holds ${valueText(c.value)}`;
    case 'logs-agree':
      return `logs agree${c.among === null ? '' : ` among ${c.among.text}`}`;
    case 'client-idle':
      return `client ${c.client} idle`;
    case 'messages':
      return `messages${c.type === null ? '' : ` of ${c.type}`} since ${c.mark} ${c.cmp} ${c.count}`;
    case 'size':
      return `size ${c.target.text} ${c.cmp} ${c.count}`;
    case 'chance':
      return `chance ${c.p}`;
    case 'installed':
      return `${c.target.text} installed a snapshot${c.mark === null ? '' : ` since ${c.mark}`}`;
    case 'log-tail':
      return `log tail of ${c.target.text} ${c.cmp} ${c.count}`;
    case 'snapshot-index':
      return `snapshot index of ${c.target.text} ${c.cmp} ${c.count}`;
    case 'index':
      return `index ${valueText(c.value)} ${c.cmp} ${c.ref.value === null ? '' : `index ${valueText(c.ref.value)} + `}${c.ref.offset}`;
    case 'not':
      return `not (${describeCondition(c.cond)})`;
    case 'and':
      return `${describeCondition(c.left)} and ${describeCondition(c.right)}`;
  }
}

/** The presets follow 6.5840's labrpc: unreliable drops a tenth and delays up to 27 ms; long reordering holds replies up to 2 s. */
export function applyNetworkChanges(n: NetworkConfig, changes: readonly NetworkChange[]): NetworkConfig {
  let out: NetworkConfig = n;
  for (const c of changes) {
    if (c.kind === 'set') {
      out = { ...out, [c.field]: c.value };
      continue;
    }
    switch (c.preset) {
      case 'reliable':
        out = { ...out, dropRate: 0, dupRate: 0, longDelayRate: 0 };
        break;
      case 'unreliable':
        out = { ...out, dropRate: 0.1, delayMsMax: Math.max(out.delayMsMax, 27) };
        break;
      case 'long-reordering':
        out = { ...out, longDelayRate: 0.3, longDelayMsMax: Math.max(out.longDelayMsMax, 2000) };
        break;
    }
  }
  if (out.longDelayMsMax < out.delayMsMax) out = { ...out, longDelayMsMax: out.delayMsMax };
  return out;
}
