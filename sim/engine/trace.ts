import { createHash, type Hash } from 'node:crypto';
import type { Message } from '../../src/raft/types.ts';
import { describeFault } from '../model/faults.ts';
import type { SimEvent } from './events.ts';

/**
 * One JSON line per step, for replay diffs and the determinism hash. Only built when the caller
 * asked for a trace: the fast path formats nothing. Records are plain objects whose keys are
 * always inserted in the same order, so JSON.stringify gives the same bytes for the same run.
 */
export class Tracer {
  private readonly hash: Hash = createHash('sha256');
  private readonly onLine: (line: string) => void;
  lines = 0;

  constructor(onLine: (line: string) => void) {
    this.onLine = onLine;
  }

  emit(record: TraceRecord): void {
    const line = JSON.stringify(record);
    this.hash.update(line);
    this.hash.update('\n');
    this.lines++;
    this.onLine(line);
  }

  /** Hex sha256 over every emitted line, each followed by a newline. */
  digest(): string {
    return this.hash.digest('hex');
  }
}

export type TraceRecord = Record<string, unknown>;

/** The salient fields of a message, in a fixed order. */
export function messageFields(m: Message): TraceRecord {
  switch (m.type) {
    case 'RequestVote': {
      const fields: TraceRecord = {
        type: m.type,
        from: m.from,
        to: m.to,
        term: m.term,
        lastLogIndex: m.lastLogIndex,
        lastLogTerm: m.lastLogTerm,
        preVote: m.preVote,
      };
      if (m.transfer === true) fields.transfer = true;
      return fields;
    }
    case 'RequestVoteReply':
      return {
        type: m.type,
        from: m.from,
        to: m.to,
        term: m.term,
        voteGranted: m.voteGranted,
        preVote: m.preVote,
      };
    case 'AppendEntries':
      return {
        type: m.type,
        from: m.from,
        to: m.to,
        term: m.term,
        prevLogIndex: m.prevLogIndex,
        prevLogTerm: m.prevLogTerm,
        entries: m.entries.length,
        leaderCommit: m.leaderCommit,
      };
    case 'AppendEntriesReply':
      return {
        type: m.type,
        from: m.from,
        to: m.to,
        term: m.term,
        success: m.success,
        matchIndex: m.matchIndex,
        conflictIndex: m.conflictIndex,
      };
    case 'InstallSnapshot':
      return {
        type: m.type,
        from: m.from,
        to: m.to,
        term: m.term,
        lastIncludedIndex: m.lastIncludedIndex,
        lastIncludedTerm: m.lastIncludedTerm,
        offset: m.offset,
        bytes: m.data.length,
        done: m.done,
      };
    case 'InstallSnapshotReply':
      return {
        type: m.type,
        from: m.from,
        to: m.to,
        term: m.term,
        lastIncludedIndex: m.lastIncludedIndex,
        offset: m.offset,
        installed: m.installed,
      };
    case 'TimeoutNow':
      return { type: m.type, from: m.from, to: m.to, term: m.term };
  }
}

/** A fault as a trace field, and its one-line description: defined per kind in faults.ts. */
export { describeFault, faultFields } from '../model/faults.ts';

// ---------------------------------------------------------------------------------------------
// Human-readable one-liners for violation reports (built only when a report is).

export function describeMessage(m: Message): string {
  const head = `${m.type} S${m.from}→S${m.to} t${m.term}`;
  switch (m.type) {
    case 'RequestVote':
      return `${head}${m.preVote ? ' pre' : ''}${m.transfer === true ? ' transfer' : ''} last ${m.lastLogIndex}/t${m.lastLogTerm}`;
    case 'RequestVoteReply':
      return `${head}${m.preVote ? ' pre' : ''} ${m.voteGranted ? 'granted' : 'refused'}`;
    case 'AppendEntries':
      return `${head} prev ${m.prevLogIndex}/t${m.prevLogTerm} +${m.entries.length} commit ${m.leaderCommit}`;
    case 'AppendEntriesReply':
      return m.success
        ? `${head} ok match ${m.matchIndex}`
        : `${head} reject conflict ${m.conflictIndex}/t${m.conflictTerm}`;
    case 'InstallSnapshot':
      return `${head} snapshot ${m.lastIncludedIndex}/t${m.lastIncludedTerm} bytes ${m.offset}..${m.offset + m.data.length} of ${m.size}${m.done ? ' done' : ''}`;
    case 'InstallSnapshotReply':
      return m.installed
        ? `${head} installed ${m.lastIncludedIndex}`
        : `${head} snapshot ${m.lastIncludedIndex} wants offset ${m.offset}`;
    case 'TimeoutNow':
      return head;
  }
}

/** What happened to an event, recorded per step in the recent-events ring. */
export const Outcome = {
  done: 0,
  /** A message's link was cut when it arrived. */
  blocked: 1,
  /** The destination was crashed. */
  lost: 2,
  /** The destination was paused: held until it resumes. */
  held: 3,
  /** The event had no effect (a fault on a node in the wrong state, a stale answer). */
  noEffect: 4,
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

const OUTCOME_TEXT = [
  '',
  ' — dropped: link cut',
  ' — lost: node down',
  ' — held: node paused',
  ' — no effect',
];

export function describeEvent(ev: SimEvent): string {
  switch (ev.kind) {
    case 'deliver':
      return `deliver ${describeMessage(ev.message)}`;
    case 'timer':
      return `timer S${ev.node}`;
    case 'fault':
      // A scenario's action has no place in a schedule's fault list (index -1).
      return ev.index < 0
        ? `scenario: ${describeFault(ev.fault)}`
        : `fault #${ev.index} ${describeFault(ev.fault)}`;
    case 'resume':
      return `resume S${ev.node}`;
    case 'client-op':
      return ev.client === 0 ? 'probe starts' : `client ${ev.client} invokes its next op`;
    case 'client-send':
      return `client ${ev.client} resends`;
    case 'request':
      return `request c${ev.client}#${ev.seq} ${ev.op.type} ${ev.op.key} reaches S${ev.node}`;
    case 'reply': {
      const hint = ev.leaderHint === 0 ? 'no leader known' : `hint S${ev.leaderHint}`;
      const what = ev.result === null ? `NotLeader(${hint})` : ev.result.type;
      return `reply to c${ev.client}#${ev.seq} from S${ev.node}: ${what}`;
    }
    case 'client-timeout':
      return `client ${ev.client} times out`;
    case 'client-deadline':
      return `client ${ev.client} gives up on #${ev.seq}`;
    case 'probe-deadline':
      return 'liveness deadline';
    case 'admin-poll':
      return 'admin asks again';
  }
}

/** `#1234 t=5678ms deliver ... [S2 leader t3 commit 7]`. */
export function describeStep(
  step: number,
  timeMs: number,
  ev: SimEvent,
  outcome: number,
  nodeAfter: string,
): string {
  return `#${step} t=${timeMs}ms ${describeEvent(ev)}${OUTCOME_TEXT[outcome] ?? ''}${nodeAfter}`;
}
