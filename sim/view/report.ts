import type { ChalkInstance } from 'chalk';
import { describeMembership } from '../../src/raft/membership.ts';
import type { EngineResult, ViolationReport } from '../engine/runner.ts';
import { membershipLivenessSkipReason } from '../model/config.ts';

const fmt = new Intl.NumberFormat('en-US');

export function num(n: number): string {
  return fmt.format(Math.round(n));
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** The logs of the involved nodes side by side: one row per node, one column per index, terms in the cells. */
export function formatLogs(v: ViolationReport): string[] {
  if (v.logs.length === 0) return [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const s of v.logs) {
    lo = Math.min(lo, s.fromIndex);
    hi = Math.max(hi, s.fromIndex + s.terms.length - 1);
  }
  if (hi < lo) return [];
  const width = Math.max(String(hi).length, ...v.logs.flatMap((s) => s.terms.map((t) => String(t).length)));
  const cell = (s: string): string => s.padStart(width);
  const lines: string[] = [];
  const header: string[] = [];
  for (let i = lo; i <= hi; i++) header.push(cell(String(i)));
  lines.push(`  index  ${header.join(' ')}`);
  for (const s of v.logs) {
    const cells: string[] = [];
    for (let i = lo; i <= hi; i++) {
      const t = s.terms[i - s.fromIndex];
      cells.push(cell(i < s.fromIndex || t === undefined ? '·' : String(t)));
    }
    lines.push(`  S${String(s.node).padEnd(5)}${cells.join(' ')}   commit ${s.commitIndex}`);
  }
  lines.push('  (cells are entry terms)');
  return lines;
}

export function formatViolation(v: ViolationReport, c: ChalkInstance): string[] {
  const lines = [
    `${c.red.bold('✗ VIOLATION')} ${c.bold(v.property)} at step ${num(v.step)}, t=${seconds(v.timeMs)}`,
    `  ${v.message}`,
    `  nodes ${v.nodes.map((n) => `S${n}`).join(' ') || '-'}  terms ${v.terms.join(' ') || '-'}  indices ${v.indices.join(' ') || '-'}`,
  ];
  const logs = formatLogs(v);
  if (logs.length > 0) lines.push(c.dim('  logs at the violation:'), ...logs);
  if (v.recentEvents.length > 0) {
    lines.push(c.dim(`  last ${v.recentEvents.length} events:`));
    for (const e of v.recentEvents) lines.push(`    ${e}`);
  }
  return lines;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${num(n)} ${n === 1 ? word : many}`;
}

/** `12 operations: 9 done, 1 refused, 2 pending; 7 configurations committed, last {S1,S2,S6}`. */
function describeMembershipRun(r: EngineResult): string {
  const ops = r.membership;
  const count = (status: string) => ops.filter((o) => o.status === status).length;
  const last = r.configurations[r.configurations.length - 1];
  const now = last === undefined ? 'the initial one in force' : `last ${describeMembership(last.membership)}`;
  const skip = membershipLivenessSkipReason(r.config);
  return (
    `${plural(ops.length, 'operation')}: ${count('ok')} done, ${count('fail')} refused, ` +
    `${count('info')} unknown, ${count('pending')} pending; ${plural(r.configurations.length, 'configuration')} committed, ${now}` +
    (count('pending') > 0 && skip !== null ? ` (${skip})` : '')
  );
}

/** The readable summary of one run. */
export function formatSummary(r: EngineResult, wallMs: number, profile: string, c: ChalkInstance): string[] {
  const eventsPerSec = wallMs > 0 ? (r.events * 1000) / wallMs : 0;
  const speedup = wallMs > 0 ? r.simulatedMs / wallMs : 0;
  const leaders = r.leadersByTerm.map((l) => `${l.term}:S${l.leader}`);
  const shownLeaders =
    leaders.length > 12 ? [...leaders.slice(0, 12), `… (${leaders.length} terms)`] : leaders;
  const f = r.faults;
  const m = r.messages;
  const label = (s: string): string => c.cyan(s.padEnd(9));
  const lines = [
    `${label('seed')}${r.seed}`,
    `${label('config')}${profile}, ${seconds(r.config.timeMs)} (last ${seconds(r.config.quietMs)} fault-free)`,
    `${label('ran')}${seconds(r.simulatedMs)} virtual in ${seconds(wallMs)} wall: ${num(r.events)} events, ` +
      `${num(eventsPerSec)} events/s, ${num(speedup)}x real time`,
    `${label('leaders')}${shownLeaders.join(' ') || 'none'}  (term:leader)`,
    `${label('log')}${num(r.maxCommitIndex)} entries committed`,
    `${label('clients')}${num(r.clientOps.ok)} ok, ${num(r.clientOps.fail)} failed, ${num(r.clientOps.info)} timed out`,
    `${label('faults')}${plural(f.partitions, 'partition')}, ${plural(f.links, 'link cut')}, ${plural(f.heals, 'heal')}, ` +
      `${plural(f.crashes, 'crash', 'crashes')}, ${plural(f.restarts, 'restart')}, ${plural(f.pauses, 'pause')}`,
    `${label('messages')}${num(m.sent)} sent, ${num(m.delivered)} delivered, ${num(m.dropped)} dropped, ${num(m.duplicated)} duplicated`,
  ];
  if (r.config.membership !== undefined) lines.push(`${label('members')}${describeMembershipRun(r)}`);
  const live = r.liveness;
  const liveText =
    live.status === 'ok'
      ? `a command committed ${num(live.latencyMs)} ms after the faults ended`
      : live.status === 'skipped'
        ? live.reason
        : live.status === 'violated'
          ? 'violated'
          : 'not reached (the run stopped first)';
  lines.push(`${label('liveness')}${liveText}`);
  const st = r.leaderStability;
  const stText =
    st.status === 'skipped'
      ? st.reason
      : r.violation?.property === 'leader-stability'
        ? 'violated'
        : 'judged: no election started against a leader connected to a majority';
  lines.push(`${label('stable')}${stText}`);
  const lin = r.linearizability;
  const linText =
    lin === null
      ? 'not checked'
      : lin.verdict === 'ok'
        ? `client history linearizable (${num(r.history.length)} ops, ${num(lin.steps)} search steps)`
        : lin.verdict === 'unknown'
          ? `unknown: the search budget ran out after ${num(lin.steps)} steps`
          : 'violated';
  lines.push(`${label('lincheck')}${linText}`);
  if (r.violation === null) {
    lines.push(`${label('verdict')}${c.green.bold('✓ all properties held')}`);
  } else {
    lines.push(...formatViolation(r.violation, c));
  }
  return lines;
}

/** Free text from a file (a trace's comment) is shown up to this many characters. */
export const MAX_SHOWN_TEXT_CHARS = 500;

/** `text` cut to `max` characters, saying how much was left out. */
export function truncateText(text: string, max = MAX_SHOWN_TEXT_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${num(text.length - max)} more characters)`;
}
