import type { HistoryOp } from '../../properties/history.ts';
import { AssertionError, assert } from '../../src/assert.ts';
import type { KvOp, KvResult, NodeId } from '../../src/raft/types.ts';
import { type SimConfig, serverCount } from '../model/config.ts';
import type { ScheduledOp } from '../model/schedule.ts';
import type { SimEvent } from './events.ts';
import type { EventQueue } from './queue.ts';
import { Redirects } from './redirects.ts';
import { intBetween, type Random, stream } from './rng.ts';

export type { HistoryOp } from '../../properties/history.ts';

/** The liveness probe's client id; it is not part of the history. */
export const PROBE_CLIENT = 0;
export const PROBE_OP: KvOp = { type: 'put', key: '__probe', value: 'probe' };

/** One client: the op it is working on and how it is trying to get it done. */
class ClientState {
  readonly id: number;
  /** The client channel's delays and the first guess at the leader come from here. */
  readonly rng: Random;
  /** Where the next request goes: the node the client believes leads. */
  leader: NodeId;
  /** With sticky routing: the node every new op starts at (the first guess, moved on a timeout). */
  home: NodeId;
  /** This client's ops, in the order it issues them. */
  readonly ops: ScheduledOp[] = [];
  nextOp = 0;

  active = false;
  seq = 0;
  op: KvOp = PROBE_OP;
  /** The history record of the active op (null for the probe). */
  record: HistoryOp | null = null;
  /**
   * Bumped at every new attempt and when an op ends, so that stale timeouts and backoffs
   * are recognised by comparing numbers.
   */
  attempt = 0;
  /** A request of the current attempt is out and unanswered. */
  awaiting = false;
  /** Node the current attempt went to. */
  target: NodeId = 0;
  /** Some attempt of the active op timed out: it may have taken effect. */
  uncertain = false;
  /** The NotLeader answers that sent this client where it is now, since its last answer or timeout. */
  readonly redirects = new Redirects();

  constructor(id: number, rng: Random, nodes: number) {
    this.id = id;
    this.rng = rng;
    this.leader = intBetween(rng, 1, nodes);
    this.home = this.leader;
  }
}

export interface ClientStats {
  /** History ops by final status (the probe is not counted). */
  ok: number;
  fail: number;
  info: number;
  /** Requests sent to nodes, by all clients including the probe, retries included. */
  requests: number;
  /** NotLeader answers received. */
  redirects: number;
  /** Requests that timed out. */
  timeouts: number;
}

/**
 * The workload: clients that send key-value requests to whoever they believe leads, follow
 * NotLeader hints, time out and retry with the same seq at the next node, give up at the op
 * deadline, and record every invocation and response as a history for the linearizability
 * checker. The client channel (client ↔ node) has its own delays from each client's stream
 * and is not cut by partitions between nodes.
 */
export class ClientPool {
  readonly history: HistoryOp[] = [];
  /**
   * Whether ops are kept in `history` (for the linearizability check, --history, views). A long run
   * that checks no history need not hold one record per op; ids count on either way.
   */
  keepHistory = true;
  private opsInvoked = 0;
  readonly stats: ClientStats = { ok: 0, fail: 0, info: 0, requests: 0, redirects: 0, timeouts: 0 };
  /** When the probe got its answer; null until then. */
  probeOkMs: number | null = null;

  private readonly clients: ClientState[] = [];
  private readonly queue: EventQueue<SimEvent>;
  private readonly nodes: number;
  private readonly config: SimConfig;
  private readonly randomRouting: boolean;
  private readonly stickyRouting: boolean;

  constructor(seed: number, config: SimConfig, ops: readonly ScheduledOp[], queue: EventQueue<SimEvent>) {
    this.queue = queue;
    // Every server, spares included: a promoted spare can lead.
    this.nodes = serverCount(config);
    this.config = config;
    this.randomRouting = config.clientsCfg.routing === 'random';
    this.stickyRouting = config.clientsCfg.routing === 'sticky';
    for (let c = 0; c <= config.clients; c++) {
      this.clients.push(new ClientState(c, stream(seed, 'client', c), config.nodes));
    }
    for (const scheduled of ops) {
      const client = this.clients[scheduled.client];
      assert(
        client !== undefined && scheduled.client !== PROBE_CLIENT,
        () => `op for unknown client ${scheduled.client}`,
      );
      client.ops.push(scheduled);
    }
  }

  /** Schedules every client's first op. */
  start(): void {
    for (let c = 1; c < this.clients.length; c++) {
      const first = this.clients[c]!.ops[0];
      if (first !== undefined) this.queue.push(first.atMs, { kind: 'client-op', client: c });
    }
  }

  /**
   * An op added during the run (a scenario's client action, sim/scenario/): due at once when the
   * client is idle with nothing queued before it, else after the ops before it, as in a schedule.
   */
  addOp(scheduled: ScheduledOp, nowMs: number): void {
    const c = this.client(scheduled.client);
    assert(scheduled.client !== PROBE_CLIENT, 'the probe takes no ops');
    c.ops.push(scheduled);
    if (!c.active && c.nextOp === c.ops.length - 1)
      this.queue.push(Math.max(scheduled.atMs, nowMs), { kind: 'client-op', client: c.id });
  }

  /** Schedules the liveness probe: one put, retried until it succeeds. */
  startProbe(atMs: number): void {
    this.clients[PROBE_CLIENT]!.ops.push({ client: PROBE_CLIENT, atMs, op: PROBE_OP });
    this.queue.push(atMs, { kind: 'client-op', client: PROBE_CLIENT });
  }

  private client(id: number): ClientState {
    const c = this.clients[id];
    if (c === undefined) throw new AssertionError(`no client ${id}`);
    return c;
  }

  private delayMs(c: ClientState): number {
    return intBetween(c.rng, this.config.network.delayMsMin, this.config.network.delayMsMax);
  }

  /** True when a client timer event no longer matters (its attempt or op is over). */
  isStale(ev: SimEvent): boolean {
    switch (ev.kind) {
      case 'client-send': {
        const c = this.client(ev.client);
        return !c.active || c.attempt !== ev.attempt;
      }
      case 'client-timeout': {
        const c = this.client(ev.client);
        return !c.active || c.attempt !== ev.attempt || !c.awaiting;
      }
      case 'client-deadline': {
        const c = this.client(ev.client);
        return !c.active || c.seq !== ev.seq;
      }
      default:
        return false;
    }
  }

  /** The client's next op is due: invoke it. */
  onOpDue(id: number, nowMs: number): void {
    const c = this.client(id);
    assert(!c.active, () => `client ${id} invoked an op while one is active`);
    const scheduled = c.ops[c.nextOp++];
    assert(scheduled !== undefined, () => `client ${id} has no op left`);
    c.active = true;
    c.seq++;
    c.op = scheduled.op;
    c.uncertain = false;
    c.attempt++;
    // Behind a load balancer a new op starts anywhere; the probe always asks the leader it knows.
    if (this.randomRouting && id !== PROBE_CLIENT) c.leader = intBetween(c.rng, 1, this.nodes);
    // A pinned session: back to the same node whoever leads (it redirects, the client follows).
    if (this.stickyRouting && id !== PROBE_CLIENT) c.leader = c.home;
    // A scripted scenario may say where the first attempt goes.
    if (scheduled.to !== undefined) c.leader = scheduled.to;
    if (id !== PROBE_CLIENT) {
      const record: HistoryOp = {
        id: this.opsInvoked++,
        client: id,
        op: scheduled.op,
        invokeMs: nowMs,
        returnMs: null,
        result: null,
        // Until an answer arrives the outcome is unknown; an op still open when the run ends stays so.
        status: 'info',
      };
      c.record = record;
      if (this.keepHistory) this.history.push(record);
      this.queue.push(nowMs + this.config.clientsCfg.opDeadlineMs, {
        kind: 'client-deadline',
        client: id,
        seq: c.seq,
      });
    }
    this.send(c, nowMs);
  }

  /** A backoff ended: send the current attempt. */
  onSend(id: number, nowMs: number): void {
    this.send(this.client(id), nowMs);
  }

  private send(c: ClientState, nowMs: number): void {
    c.target = c.leader;
    c.awaiting = true;
    this.stats.requests++;
    this.queue.push(nowMs + this.delayMs(c), {
      kind: 'request',
      client: c.id,
      seq: c.seq,
      attempt: c.attempt,
      node: c.target,
      op: c.op,
    });
    this.queue.push(nowMs + this.config.clientsCfg.requestTimeoutMs, {
      kind: 'client-timeout',
      client: c.id,
      attempt: c.attempt,
    });
  }

  /** A node answers a request: the answer travels back over the client channel. */
  reply(
    client: number,
    seq: number,
    attempt: number,
    node: NodeId,
    result: KvResult | null,
    leaderHint: NodeId,
    nowMs: number,
  ): void {
    const c = this.client(client);
    this.queue.push(nowMs + this.delayMs(c), {
      kind: 'reply',
      client,
      seq,
      attempt,
      node,
      result,
      leaderHint,
    });
  }

  /**
   * An answer reached the client. Returns what it did with it: 'ok' (the op completed),
   * 'redirect' (NotLeader: retry elsewhere after a backoff) or 'stale' (an answer to an op or
   * attempt that is over).
   */
  onReply(
    id: number,
    seq: number,
    attempt: number,
    node: NodeId,
    result: KvResult | null,
    leaderHint: NodeId,
    nowMs: number,
  ): 'ok' | 'redirect' | 'stale' {
    const c = this.client(id);
    if (!c.active || c.seq !== seq) return 'stale';
    if (result !== null) {
      // Any attempt's result is the op's result: every attempt carries the same (client, seq).
      c.leader = node;
      c.redirects.clear();
      if (c.record !== null) {
        c.record.status = 'ok';
        c.record.returnMs = nowMs;
        c.record.result = result;
        this.stats.ok++;
      } else if (this.probeOkMs === null) {
        this.probeOkMs = nowMs;
      }
      this.endOp(c, nowMs);
      return 'ok';
    }
    // A refusal of an older attempt says nothing about the one in flight.
    if (attempt !== c.attempt || !c.awaiting) return 'stale';
    this.stats.redirects++;
    c.awaiting = false;
    c.leader = c.redirects.follow(node, leaderHint) ? leaderHint : this.nextNode(node);
    c.attempt++;
    this.queue.push(nowMs + this.config.clientsCfg.retryBackoffMs, {
      kind: 'client-send',
      client: id,
      attempt: c.attempt,
    });
    return 'redirect';
  }

  /** No answer in time: the request may or may not have been applied. Retry at the next node. */
  onTimeout(id: number, nowMs: number): void {
    const c = this.client(id);
    this.stats.timeouts++;
    c.uncertain = true;
    c.leader = this.nextNode(c.target);
    // The pinned node did not answer: the load balancer moves the session on.
    if (c.target === c.home) c.home = c.leader;
    c.redirects.clear();
    c.attempt++;
    this.send(c, nowMs);
  }

  /**
   * The op deadline passed: give up. If every attempt was refused, the op certainly did not
   * take effect ('fail'); otherwise its outcome is unknown ('info').
   */
  onDeadline(id: number, nowMs: number): 'fail' | 'info' {
    const c = this.client(id);
    const record = c.record;
    assert(record !== null, 'the probe has no deadline');
    const definite = !c.uncertain && !c.awaiting;
    if (definite) {
      record.status = 'fail';
      record.returnMs = nowMs;
      this.stats.fail++;
    } else {
      this.stats.info++;
    }
    this.endOp(c, nowMs);
    return definite ? 'fail' : 'info';
  }

  private endOp(c: ClientState, nowMs: number): void {
    c.active = false;
    c.awaiting = false;
    c.record = null;
    c.attempt++;
    const next = c.ops[c.nextOp];
    if (next !== undefined) this.queue.push(Math.max(next.atMs, nowMs), { kind: 'client-op', client: c.id });
  }

  private nextNode(node: NodeId): NodeId {
    return (node % this.nodes) + 1;
  }

  /** At the end of the run: ops still open stay 'info' (unknown outcome). */
  finish(): void {
    for (let id = 1; id < this.clients.length; id++) {
      const c = this.clients[id]!;
      if (c.active && c.record !== null) this.stats.info++;
    }
  }

  /** True when the client has no op under way and none waiting to start. */
  isIdle(id: number): boolean {
    const c = this.client(id);
    return !c.active && c.nextOp >= c.ops.length;
  }

  /** The seq and op of a client's active op, for reports. */
  activeOp(id: number): { seq: number; op: KvOp } | null {
    const c = this.client(id);
    return c.active ? { seq: c.seq, op: c.op } : null;
  }
}
