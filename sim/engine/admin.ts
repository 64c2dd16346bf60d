import { assert } from '../../src/assert.ts';
import type { ChangeResult, NodeId } from '../../src/raft/types.ts';
import type { AdminChange } from '../model/faults.ts';
import { Redirects } from './redirects.ts';

/** One membership operation as the admin client saw it: the membership part of the run's history. */
export interface AdminRecord {
  readonly change: AdminChange;
  /** When the schedule asked for it. */
  readonly invokeMs: number;
  /** When it ended ('ok' or 'fail'); null while pending. */
  endMs: number | null;
  /**
   * 'ok': a leader answered 'done' (the change is in effect and committed, or the transfer
   * happened); 'fail': a leader answered 'invalid' before any attempt started it; 'info': 'invalid'
   * after an attempt had started it (it may have taken effect in part); 'pending': not ended when
   * the run did.
   */
  status: 'ok' | 'fail' | 'info' | 'pending';
  /** Times a node was asked. */
  attempts: number;
  /** Some attempt was answered 'started'. */
  started: boolean;
  /** For 'fail'/'info': what the node said was wrong. */
  why?: string;
  /** The last answer was 'busy' because the learner to promote is still catching up. */
  catchingUp: boolean;
}

/**
 * The administrator: one client that works through the schedule's membership operations one at
 * a time, in order. It asks the node it believes leads, follows NotLeader hints, and asks again
 * every `pollMs` until the answer is 'done' or 'invalid' — asking twice is harmless by the
 * contract of ChangeResult, so a request lost to a crash or a deposed leader is simply asked again.
 * It has no deadline: a change still pending after the faults end is a liveness failure
 * (sim/engine/runner.ts; stuckSince says what is excused), not something to give up on.
 *
 * The admin talks to nodes directly (no client channel): its requests are not what is under test.
 */
export class AdminClient {
  readonly history: AdminRecord[] = [];
  /** Bumped whenever a poll is scheduled, so that an older poll event is recognised as stale. */
  gen = 0;
  private next = 0;
  private leader: NodeId = 1;
  /** The NotLeader answers since the last other answer, to notice stale hints (see Redirects). */
  private readonly redirects = new Redirects();
  /** Where the next round-robin guess starts: advances past every server in turn. */
  private roundRobin: NodeId = 1;
  private readonly servers: number;
  readonly pollMs: number;

  constructor(servers: number, pollMs: number) {
    assert(servers >= 1, 'an admin client needs servers to talk to');
    assert(pollMs >= 1, () => `admin poll interval ${pollMs} ms`);
    this.servers = servers;
    this.pollMs = pollMs;
  }

  /** The operation being worked on, if any. */
  get active(): AdminRecord | null {
    return this.history[this.next] ?? null;
  }

  /** The node to ask next. */
  get target(): NodeId {
    return this.leader;
  }

  /** The schedule asks for `change`. True when it is now the active operation (ask at once). */
  request(change: AdminChange, nowMs: number): boolean {
    this.history.push({
      change,
      invokeMs: nowMs,
      endMs: null,
      status: 'pending',
      attempts: 0,
      started: false,
      catchingUp: false,
    });
    return this.history.length - 1 === this.next;
  }

  /** The target is down or paused: try the next server after a poll interval. */
  unreachable(): void {
    this.leader = this.nextGuess();
  }

  /** The next server in turn, when there is no hint worth following. */
  private nextGuess(): NodeId {
    this.roundRobin = (this.roundRobin % this.servers) + 1;
    return this.roundRobin;
  }

  /**
   * A node's answer. Returns what to do next: 'poll' (ask again after pollMs), 'now' (ask the
   * hinted leader at once), 'next' (the active operation ended; start the next one if any).
   */
  onAnswer(from: NodeId, result: ChangeResult, nowMs: number): 'poll' | 'now' | 'next' {
    const rec = this.active;
    assert(rec !== null, 'an answer with no admin operation active');
    rec.attempts++;
    rec.catchingUp = result.status === 'busy' && result.catchingUp === true;
    if (result.status !== 'not-leader') this.redirects.clear();
    switch (result.status) {
      case 'started':
        rec.started = true;
        this.leader = from;
        return 'poll';
      case 'busy':
        this.leader = from;
        return 'poll';
      case 'done':
        return this.end(rec, 'ok', nowMs);
      case 'invalid':
        rec.why = result.why;
        return this.end(rec, rec.started ? 'info' : 'fail', nowMs);
      case 'not-leader':
        if (this.redirects.follow(from, result.leaderHint)) {
          this.leader = result.leaderHint;
          return 'now';
        }
        this.leader = this.nextGuess();
        return 'poll';
    }
  }

  /**
   * The first operation asked for before `beforeMs` and not ended: what liveness requires to have
   * finished — unless it waits for a learner to catch up. Catching up takes as long as the log
   * and the batch size make it (a learner thousands of entries behind, one entry per round trip),
   * so no fixed bound can be promised for it; the thesis (§4.2.1) leaves a change whose new server
   * is too slow to the administrator. Such an operation is reported, not failed.
   */
  stuckSince(beforeMs: number): AdminRecord | null {
    const rec = this.history[this.next];
    if (rec === undefined || rec.invokeMs >= beforeMs || rec.catchingUp) return null;
    return rec;
  }

  private end(rec: AdminRecord, status: 'ok' | 'fail' | 'info', nowMs: number): 'next' {
    rec.status = status;
    rec.endMs = nowMs;
    this.next++;
    return 'next';
  }
}
