// Human views of one run, built from the runner's trace lines (one JSON object per step) and the
// run's outcome: a step list (`--format text`) and a Mermaid sequence diagram (`--format mermaid`).
// Built only on request, after the run: nothing here is on a hot path.

import type { HistoryOp } from '../../properties/history.ts';
import type { ViolationReport } from '../engine/runner.ts';
import { serverCount } from '../model/config.ts';
import { describeFault, type FaultType, type FieldsOf, isFaultType } from '../model/faults.ts';
import type { Schedule } from '../model/schedule.ts';
import type { ExpectedOutcome } from '../model/trace-file.ts';
import { formatLogs } from './report.ts';
import { parseTraceLines, type StepRecord } from './step-record.ts';
import { describeWindow, inWindow, isWholeRun, type ViewWindow, WHOLE_RUN } from './window.ts';

export { parseTraceLines, type StepRecord };

function describeMsg(m: NonNullable<StepRecord['msg']>): string {
  const t = `t${m.term}`;
  switch (m.type) {
    case 'RequestVote':
      return `RequestVote ${t}${m.preVote === true ? ' pre' : ''} last ${m.lastLogIndex}/t${m.lastLogTerm}`;
    case 'RequestVoteReply':
      return `vote ${m.voteGranted === true ? 'granted' : 'refused'} ${t}${m.preVote === true ? ' pre' : ''}`;
    case 'AppendEntries':
      return `AppendEntries ${t} prev ${m.prevLogIndex}/t${m.prevLogTerm} +${m.entries} commit ${m.leaderCommit}`;
    case 'AppendEntriesReply':
      return m.success === true
        ? `append ok ${t} match ${m.matchIndex}`
        : `append rejected ${t} conflict ${m.conflictIndex}`;
    default:
      return `${m.type} ${t}`;
  }
}

/** A fault's trace fields, described with the same words as everywhere else (faults.ts). */
function describeFaultRecord(f: NonNullable<StepRecord['fault']>): string {
  return isFaultType(f.type) ? describeFault(f as FieldsOf<FaultType>) : String(f.type);
}

const OUTCOME_NOTE: Record<string, string> = {
  blocked: 'dropped: link cut',
  lost: 'lost: node down',
  held: 'held: node paused',
  'no-effect': 'no effect',
};

/** What the step's event was, in words. */
export function describeRecord(r: StepRecord): string {
  switch (r.ev) {
    case 'deliver':
      return r.msg === undefined ? 'deliver' : `S${r.msg.from}→S${r.msg.to} ${describeMsg(r.msg)}`;
    case 'fault':
      return r.fault === undefined ? 'fault' : describeFaultRecord(r.fault);
    case 'timer':
      return 'timer';
    case 'resume':
      return `resume (${r.released ?? 0} held events released)`;
    case 'client-op':
      return r.client === 0 ? 'liveness probe starts' : `client ${r.client} invokes its next op`;
    case 'client-send':
      return `client ${r.client} resends`;
    case 'request': {
      // A read served outside the log records `read` (true: waiting for confirmation), not `accepted`.
      const accepted =
        r.read !== undefined
          ? r.read === true
            ? 'read started'
            : 'read refused (not leader)'
          : r.accepted === false
            ? 'refused (not leader)'
            : `appended at ${r.accepted}`;
      return `request c${r.client}/${r.seq} ${r.op} reaches S${r.node}: ${accepted}`;
    }
    case 'reply':
      return `reply to c${r.client}/${r.seq} from S${r.node}: ${r.result}`;
    case 'client-timeout':
      return `client ${r.client} times out`;
    case 'client-deadline':
      return `client ${r.client} gives up (${r.status})`;
    case 'probe-deadline':
      return 'liveness deadline';
    case 'admin-poll':
      return `admin asks S${r.node}: ${r.admin}`;
    default:
      return r.ev;
  }
}

/** Role, term and commit changes of the step's node, and what happened to the event. */
export function describeChanges(r: StepRecord): string[] {
  const out: string[] = [];
  if (r.outcome !== undefined) out.push(OUTCOME_NOTE[r.outcome] ?? r.outcome);
  if (r.restarted !== undefined) {
    out.push(`restarted in term ${r.restarted.term} with ${r.restarted.lastIndex} entries`);
  }
  if (r.role !== undefined) out.push(`${r.role[0]} → ${r.role[1]}`);
  if (r.term !== undefined) out.push(`term ${r.term[0]} → ${r.term[1]}`);
  if (r.commit !== undefined) out.push(`commit ${r.commit[0]} → ${r.commit[1]}`);
  if (r.logWrite !== undefined) {
    const [from, count] = r.logWrite;
    out.push(count === 0 ? `log cut from ${from}` : `log ${from}..${from + count - 1} written`);
  }
  if (r.snapshot !== undefined) {
    const [index, term, how] = r.snapshot;
    out.push(
      how === 'installed' ? `snapshot ${index}/t${term} installed` : `compacted through ${index}/t${term}`,
    );
  }
  if (r.applied !== undefined) out.push(`applied ${r.applied[0]}..${r.applied[1]}`);
  if (r.sent !== undefined) out.push(`sent ${r.sent}`);
  if (r.violation !== undefined) out.push(`VIOLATION ${r.violation}`);
  return out;
}

export interface ViewInput {
  readonly schedule: Schedule;
  readonly bugs: readonly string[];
  readonly lines: readonly string[];
  readonly outcome: ExpectedOutcome;
  /** The runner's report when a property was violated (logs side by side). */
  readonly violation: ViolationReport | null;
  /** The clients' history, for the HTML view's intervals (absent: none drawn). */
  readonly history?: readonly HistoryOp[];
  /** The part of the run shown (default: all of it). */
  readonly window?: ViewWindow;
}

/** The node a step is about, for the node column: its own, or the node a fault names. */
export function stepNode(r: StepRecord): number | undefined {
  return r.node ?? (typeof r.fault?.node === 'number' ? r.fault.node : undefined);
}

/** One step in words: what happened and what it changed (the text view's line and the HTML step list's). */
export function describeStep(r: StepRecord): string {
  const changes = describeChanges(r);
  return `${describeRecord(r)}${changes.length > 0 ? `   [${changes.join('; ')}]` : ''}`;
}

/** The input's steps inside its window. */
function windowed(input: ViewInput): StepRecord[] {
  const all = parseTraceLines(input.lines);
  const w = input.window ?? WHOLE_RUN;
  return isWholeRun(w) ? all : all.filter((r) => inWindow(r, w));
}

/** A step list: time, node, event, changes; then the logs side by side at the violation. */
export function renderText(input: ViewInput): string {
  const records = windowed(input);
  const s = input.schedule;
  const out: string[] = [];
  const shown = describeWindow(input.window ?? WHOLE_RUN);
  out.push(
    `run of seed ${s.seed}: ${s.config.nodes} nodes, ${s.config.clients} clients, ${s.faults.length} faults, ` +
      `${s.ops.length} operations, ${s.config.timeMs} ms virtual` +
      (input.bugs.length > 0 ? `; bugs: ${input.bugs.join(', ')}` : ''),
  );
  if (shown !== null) out.push(`${shown} (${records.length} steps)`);
  const stepWidth = Math.max(4, String(records.length).length + 1);
  const timeWidth = Math.max(6, String(s.config.timeMs).length + 2);
  out.push(`${'step'.padStart(stepWidth)} ${'time'.padStart(timeWidth)}  node  event`);
  for (const r of records) {
    const id = stepNode(r);
    const node = id === undefined ? '-' : `S${id}`;
    out.push(
      `${`#${r.step}`.padStart(stepWidth)} ${`${r.t}ms`.padStart(timeWidth)}  ${node.padEnd(4)}  ${describeStep(r)}`,
    );
  }
  const o = input.outcome;
  if (o.status === 'ok') {
    out.push('outcome: every property held');
  } else {
    out.push(`outcome: ${o.property} violated at step ${o.step}, t=${o.timeMs} ms`);
    if (o.message !== undefined) out.push(`  ${o.message}`);
    const v = input.violation;
    if (v !== null) {
      const logs = formatLogs(v);
      if (logs.length > 0) out.push('  logs at the violation:', ...logs);
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * Mermaid text must never hold the bare word `end` (it closes blocks and breaks the parser),
 * and `#` and `;` have meanings of their own there.
 */
export function mermaidSafe(text: string): string {
  return text
    .replace(/\bend\b/gi, 'finish')
    .replace(/#/g, '/')
    .replace(/;/g, ',');
}

export function isUneventfulHeartbeat(r: StepRecord): boolean {
  const m = r.msg;
  if (r.ev !== 'deliver' || m === undefined || r.outcome !== undefined) return false;
  if (r.role !== undefined || r.term !== undefined || r.commit !== undefined || r.violation !== undefined) {
    return false;
  }
  if (m.type === 'AppendEntries') return m.entries === 0;
  if (m.type === 'AppendEntriesReply') return m.success === true;
  return false;
}

export interface MermaidOptions {
  /** Draw AppendEntries without entries (and their plain acks) that changed nothing. Default false. */
  readonly heartbeats?: boolean;
}

/**
 * A Mermaid sequenceDiagram: requests as `->>`, replies as `-->>`, messages lost in flight
 * crossed (`-x`, `--x`), faults, role changes and commits as notes. Arrows are drawn when a
 * message arrives; messages dropped when sent (a cut link, random loss) never arrive and are
 * not drawn.
 */
export function renderMermaid(input: ViewInput, opts: MermaidOptions = {}): string {
  const records = windowed(input);
  const s = input.schedule;
  const out: string[] = ['sequenceDiagram'];
  const n = serverCount(s.config);
  const shownNodes = input.window?.nodes ?? Array.from({ length: n }, (_, k) => k + 1);
  for (const id of shownNodes) out.push(`  participant S${id}`);
  const shown = describeWindow(input.window ?? WHOLE_RUN);
  if (shown !== null) out.push(`  %% ${shown}`);
  const clients = new Set<number>();
  for (const r of records) {
    if ((r.ev === 'request' || r.ev === 'reply') && r.client !== undefined) clients.add(r.client);
  }
  for (const c of [...clients].sort((a, b) => a - b)) {
    out.push(`  participant C${c} as ${c === 0 ? 'liveness probe' : `client ${c}`}`);
  }
  const first = shownNodes[0] ?? 1;
  const last = shownNodes[shownNodes.length - 1] ?? n;
  const all = first !== last ? `S${first},S${last}` : `S${first}`;
  let omitted = 0;
  const note = (over: string, text: string) => out.push(`  Note over ${over}: ${mermaidSafe(text)}`);
  for (const r of records) {
    if (opts.heartbeats !== true && isUneventfulHeartbeat(r)) {
      omitted++;
      continue;
    }
    const at = `t=${r.t}`;
    if (r.ev === 'deliver' && r.msg !== undefined) {
      const m = r.msg;
      const reply = m.type.endsWith('Reply');
      const lostInFlight = r.outcome === 'blocked' || r.outcome === 'lost';
      const arrow = lostInFlight ? (reply ? '--x' : '-x') : reply ? '-->>' : '->>';
      const suffix = lostInFlight ? ` (${OUTCOME_NOTE[r.outcome!]})` : '';
      out.push(`  S${m.from}${arrow}S${m.to}: ${mermaidSafe(`${describeMsg(m)} ${at}${suffix}`)}`);
    } else if (r.ev === 'fault' && r.fault !== undefined) {
      const f = r.fault;
      const over = typeof f.node === 'number' ? `S${f.node}` : all;
      const tail = r.outcome === 'no-effect' ? ' (no effect)' : '';
      note(over, `${describeFaultRecord(f)} ${at}${tail}`);
    } else if (r.ev === 'request' && r.node !== undefined) {
      const outcome = r.outcome === undefined ? '' : ` (${OUTCOME_NOTE[r.outcome] ?? r.outcome})`;
      out.push(
        `  C${r.client}->>S${r.node}: ${mermaidSafe(`${r.op} c${r.client}/${r.seq} ${at}${outcome}`)}`,
      );
    } else if (r.ev === 'reply' && r.node !== undefined) {
      out.push(`  S${r.node}-->>C${r.client}: ${mermaidSafe(`${r.result} c${r.client}/${r.seq} ${at}`)}`);
    }
    // Changes of the stepping node, after the arrow that caused them.
    if (r.node !== undefined) {
      const changes: string[] = [];
      if (r.restarted !== undefined) changes.push(`restarted in term ${r.restarted.term}`);
      if (r.role !== undefined) changes.push(`${r.role[1]}`);
      if (r.term !== undefined) changes.push(`term ${r.term[1]}`);
      if (r.commit !== undefined) changes.push(`commit ${r.commit[1]}`);
      if (changes.length > 0) note(`S${r.node}`, `${changes.join(', ')} ${at}`);
      if (r.violation !== undefined) note(`S${r.node}`, `VIOLATION ${r.violation}`);
    } else if (r.violation !== undefined) {
      note(all, `VIOLATION ${r.violation}`);
    }
  }
  const o = input.outcome;
  if (o.status === 'violation' && o.message !== undefined) note(all, o.message);
  if (omitted > 0) out.push(`  %% ${omitted} heartbeats that changed nothing are not drawn`);
  return `${out.join('\n')}\n`;
}
