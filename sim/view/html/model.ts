// The data the HTML viewer draws, built from a run's trace lines: plain arrays of numbers and
// strings (flat where there are many, so that a 100,000-event run stays a few MB of JSON), in a
// fixed order so that one trace always gives the same bytes.
//
// The page script (page-script.ts) knows nothing of Raft: roles, marks, message kinds and fault
// labels arrive here as names in tables, so that a new role (a learner), a new message or a new
// fault kind is drawn without touching the page.

import { describeKvOp, describeKvResult, type HistoryOp } from '../../../properties/history.ts';
import { checkLinearizability } from '../../../properties/linearizability.ts';
import { serverCount } from '../../model/config.ts';
import { describeFault, type FieldsOf } from '../../model/faults.ts';
import { formatLogs } from '../report.ts';
import type { StepRecord } from '../step-record.ts';
import { describeStep, isUneventfulHeartbeat, parseTraceLines, stepNode, type ViewInput } from '../views.ts';
import { describeWindow, inTimeWindow, inWindow, type ViewWindow, WHOLE_RUN } from '../window.ts';

/** Bits of a message's flags: what happened to it on the way. */
export const MSG = {
  /** Lost at random when sent: never arrives. */
  droppedRandom: 1,
  /** Sent into a cut link: never arrives. */
  droppedCut: 2,
  /** The second copy of a duplicated message. */
  duplicate: 4,
  /** Overtaken: a message sent later on the same link arrived first. */
  reordered: 8,
  /** The link was cut when it arrived. */
  blocked: 16,
  /** The receiver was down. */
  lost: 32,
  /** The receiver was paused: it waited, and arrived when the receiver resumed. */
  held: 64,
  /** An AppendEntries without entries, or its plain ack, that changed nothing. */
  heartbeat: 128,
  /** The send was not found in the trace (a trace recorded before sends were): drawn from its arrival. */
  unknownSend: 256,
} as const;

/** Fields per message in ViewerModel.msgs. */
export const MSG_FIELDS = 7;

export interface ViewerLane {
  readonly node: number;
  /** Role bands: [fromMs, toMs, role (index into roles), term], repeated. */
  readonly bands: number[];
  /** Spans the node was down: [fromMs, toMs], repeated. */
  readonly down: number[];
  /** Spans the node was paused: [fromMs, toMs], repeated. */
  readonly paused: number[];
  /** Point marks: [atMs, kind (index into markKinds), step], repeated. */
  readonly marks: number[];
  /** Commit index changes: [atMs, commitIndex], repeated; the first pair is the value at the window's start. */
  readonly commits: number[];
}

export interface ViewerOp {
  readonly client: number;
  readonly invokeMs: number;
  /** null: no answer by the end of the run (an 'info' op's is when its client gave up). */
  readonly returnMs: number | null;
  readonly label: string;
  readonly status: string;
  /** 'op': the operation the linearizability check could not place; 'prefix': placed before it; '' otherwise. */
  readonly witness: '' | 'op' | 'prefix';
}

export interface ViewerModel {
  readonly title: string;
  readonly subtitle: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly roles: string[];
  readonly markKinds: string[];
  readonly kinds: string[];
  readonly lanes: ViewerLane[];
  /** [sendMs, from, arrivalMs (-1: never), to, kind (index into kinds), flags (MSG bits), step], repeated. */
  readonly msgs: number[];
  /** Link cuts in force: [fromMs, toMs, label (the groups, the one-way cuts)]. */
  readonly cuts: [number, number, string][];
  readonly clients: number[];
  readonly ops: ViewerOp[];
  /** The step list: one entry per step in the window. */
  readonly steps: {
    readonly step: number[];
    readonly t: number[];
    readonly node: number[];
    readonly text: string[];
  };
  readonly violation: {
    readonly step: number;
    readonly t: number;
    readonly property: string;
    readonly message: string;
    readonly logs: string[];
  } | null;
}

const ROLE_ORDER = ['follower', 'candidate', 'leader'];
const MARK_ORDER = ['crash', 'restart', 'pause', 'resume', 'campaign'];

/** Index of `name` in `table`, appended when new (so tables hold only what occurs, in first-seen order after the fixed ones). */
function indexIn(table: string[], name: string): number {
  const i = table.indexOf(name);
  if (i >= 0) return i;
  table.push(name);
  return table.length - 1;
}

interface NodeState {
  role: string;
  term: number;
  commit: number;
  up: boolean;
  bandFromMs: number;
  downFromMs: number;
  pausedUntilMs: number;
  pausedFromMs: number;
}

interface SendRef {
  readonly kind: string;
  readonly sendMs: number;
  readonly copy: number;
  readonly step: number;
}

/** Which directed links are cut, from the faults seen so far. */
class LinkState {
  private readonly cut: boolean[];
  private groups: string | null = null;

  constructor(private readonly n: number) {
    this.cut = new Array<boolean>(n * n).fill(false);
  }

  isCut(from: number, to: number): boolean {
    return this.cut[(from - 1) * this.n + (to - 1)] === true;
  }

  apply(f: Record<string, unknown>): void {
    const n = this.n;
    if (f.type === 'heal') {
      this.cut.fill(false);
      this.groups = null;
    } else if (f.type === 'partition' && Array.isArray(f.groups)) {
      const groupOf = new Array<number>(n + 1).fill(-1);
      f.groups.forEach((g: unknown, k: number) => {
        if (Array.isArray(g))
          for (const id of g) if (typeof id === 'number' && id >= 1 && id <= n) groupOf[id] = k;
      });
      for (let a = 1; a <= n; a++) {
        for (let b = 1; b <= n; b++) {
          const ga = groupOf[a]!;
          this.cut[(a - 1) * n + (b - 1)] = a !== b && (ga < 0 || ga !== groupOf[b]);
        }
      }
      this.groups = describeFault(f as FieldsOf<'partition'>);
    } else if (f.type === 'link' && typeof f.from === 'number' && typeof f.to === 'number') {
      if (f.from >= 1 && f.from <= n && f.to >= 1 && f.to <= n)
        this.cut[(f.from - 1) * n + (f.to - 1)] = f.up !== true;
    }
  }

  /** The cuts in words: the partition's groups, then the one-way cuts it does not explain. */
  label(): string {
    const parts: string[] = [];
    if (this.groups !== null) parts.push(this.groups);
    else {
      const oneWay: string[] = [];
      for (let a = 1; a <= this.n; a++) {
        for (let b = 1; b <= this.n; b++) if (this.isCut(a, b)) oneWay.push(`S${a}→S${b}`);
      }
      if (oneWay.length > 0) parts.push(`cut ${oneWay.join(' ')}`);
    }
    return parts.join('; ');
  }
}

function opLabel(op: HistoryOp): string {
  const result =
    op.status === 'ok' && op.result !== null ? ` → ${describeKvResult(op.result)}` : ` (${op.status})`;
  return `c${op.client} ${describeKvOp(op.op)}${result}`;
}

/** The operations and, when the history is not linearizable, the witness found by the checker. */
function historyOps(history: readonly HistoryOp[], property: string | null, w: ViewWindow): ViewerOp[] {
  let witnessId = -1;
  const prefix = new Set<number>();
  if (property === 'linearizability') {
    const r = checkLinearizability({ version: 1, ops: [...history] });
    if (r.verdict === 'violation') {
      witnessId = r.witness.op.id;
      for (const op of r.witness.prefix) prefix.add(op.id);
    }
  }
  const out: ViewerOp[] = [];
  for (const op of history) {
    const endMs = op.returnMs ?? op.invokeMs;
    if (w.toMs !== null && op.invokeMs > w.toMs) continue;
    if (w.fromMs !== null && op.returnMs !== null && endMs < w.fromMs) continue;
    out.push({
      client: op.client,
      invokeMs: op.invokeMs,
      returnMs: op.returnMs,
      label: opLabel(op),
      status: op.status,
      witness: op.id === witnessId ? 'op' : prefix.has(op.id) ? 'prefix' : '',
    });
  }
  return out;
}

/**
 * The viewer's data for one run. Node state (role, term, commit index, up or down) is followed
 * from the first step, so that a window starts with each lane as it was at that instant.
 */
export function buildViewerModel(input: ViewInput): ViewerModel {
  const records = parseTraceLines(input.lines);
  const w = input.window ?? WHOLE_RUN;
  const cfg = input.schedule.config;
  // Spare servers have lanes too: they join the configuration during the run.
  const n = serverCount(cfg);
  const shownNodes = w.nodes ?? Array.from({ length: n }, (_, k) => k + 1);
  const lastMs = records.length > 0 ? records[records.length - 1]!.t : 0;
  const startMs = w.fromMs ?? 0;
  // A run stopped by a violation ends at its last step; a little room after it shows the state
  // the violating step left (a new leader's band would otherwise have no width).
  // A violation found after the last step (linearizability, judged when the run's time is up) is
  // at the run's end, later than any step.
  const stopMs = input.outcome.status === 'ok' ? lastMs : Math.max(lastMs, input.outcome.timeMs);
  const runEndMs =
    input.outcome.status === 'ok'
      ? Math.max(lastMs, cfg.timeMs)
      : stopMs + Math.max(1, Math.round((stopMs - startMs) * 0.02));
  const endMs = Math.max(startMs + 1, w.toMs ?? runEndMs);
  const roles = [...ROLE_ORDER];
  const markKinds = [...MARK_ORDER];
  const kinds: string[] = [];
  const shown = (id: number): boolean => shownNodes.includes(id);
  const clipFrom = (t: number): number => Math.max(t, startMs);
  const clipTo = (t: number): number => Math.min(t, endMs);
  const overlaps = (a: number, b: number): boolean => b >= startMs && a <= endMs;

  const state: NodeState[] = [];
  const lanes: ViewerLane[] = [];
  for (let id = 1; id <= n; id++) {
    state.push({
      role: 'follower',
      term: 0,
      commit: 0,
      up: true,
      bandFromMs: 0,
      downFromMs: 0,
      pausedUntilMs: -1,
      pausedFromMs: 0,
    });
    lanes.push({ node: id, bands: [], down: [], paused: [], marks: [], commits: [] });
  }
  const closeBand = (id: number, t: number): void => {
    const s = state[id - 1]!;
    if (s.up && overlaps(s.bandFromMs, t) && t > s.bandFromMs) {
      lanes[id - 1]!.bands.push(clipFrom(s.bandFromMs), clipTo(t), indexIn(roles, s.role), s.term);
    }
    s.bandFromMs = t;
  };
  const closePause = (id: number, t: number): void => {
    const s = state[id - 1]!;
    if (s.pausedUntilMs < 0) return;
    if (overlaps(s.pausedFromMs, t)) lanes[id - 1]!.paused.push(clipFrom(s.pausedFromMs), clipTo(t));
    s.pausedUntilMs = -1;
  };
  const mark = (id: number, kind: string, r: StepRecord): void => {
    if (id >= 1 && id <= n && inTimeWindow(r.t, w))
      lanes[id - 1]!.marks.push(r.t, indexIn(markKinds, kind), r.step);
  };
  const commitSeen = new Array<boolean>(n).fill(false);
  const noteCommit = (id: number, t: number): void => {
    const s = state[id - 1]!;
    const lane = lanes[id - 1]!;
    if (t < startMs || t > endMs) return;
    if (!commitSeen[id - 1]) {
      commitSeen[id - 1] = true;
      if (t > startMs) lane.commits.push(startMs, s.commit);
    }
  };

  const links = new LinkState(n);
  const cuts: [number, number, string][] = [];
  let cutLabel = '';
  let cutFromMs = 0;
  const closeCut = (t: number): void => {
    if (cutLabel !== '' && overlaps(cutFromMs, t) && t > cutFromMs)
      cuts.push([clipFrom(cutFromMs), clipTo(t), cutLabel]);
  };

  const msgs: number[] = [];
  const inFlight = new Map<string, SendRef[]>();
  const heldSends = new Map<string, SendRef[]>();
  const lastArrivedSend = new Map<string, number>();
  const pushMsg = (
    sendMs: number,
    from: number,
    arrMs: number,
    to: number,
    kind: string,
    flags: number,
    step: number,
  ) => {
    if (!shown(from) || !shown(to)) return;
    const endT = arrMs < 0 ? sendMs : arrMs;
    if (!overlaps(sendMs, endT)) return;
    msgs.push(sendMs, from, arrMs, to, indexIn(kinds, kind), flags, step);
  };

  const steps = { step: [] as number[], t: [] as number[], node: [] as number[], text: [] as string[] };
  for (const r of records) {
    const t = r.t;
    // Pauses end when their time is up, even when no step of the node marks it.
    for (let id = 1; id <= n; id++) {
      const s = state[id - 1]!;
      if (s.pausedUntilMs >= 0 && s.pausedUntilMs <= t && r.ev !== 'resume') closePause(id, s.pausedUntilMs);
    }
    const f = r.fault;
    if (f !== undefined && r.outcome !== 'no-effect') {
      const target = typeof f.node === 'number' ? f.node : 0;
      switch (f.type) {
        case 'crash': {
          if (target >= 1 && target <= n) {
            closeBand(target, t);
            closePause(target, t);
            state[target - 1]!.up = false;
            state[target - 1]!.downFromMs = t;
            mark(target, 'crash', r);
          }
          break;
        }
        case 'restart': {
          if (target >= 1 && target <= n) {
            const s = state[target - 1]!;
            if (!s.up && overlaps(s.downFromMs, t))
              lanes[target - 1]!.down.push(clipFrom(s.downFromMs), clipTo(t));
            s.up = true;
            s.role = 'follower';
            s.term = r.restarted?.term ?? s.term;
            s.bandFromMs = t;
            mark(target, 'restart', r);
          }
          break;
        }
        case 'pause': {
          if (target >= 1 && target <= n) {
            const s = state[target - 1]!;
            s.pausedFromMs = t;
            s.pausedUntilMs = t + (typeof f.durationMs === 'number' ? f.durationMs : 0);
            mark(target, 'pause', r);
          }
          break;
        }
        case 'partition':
        case 'heal':
        case 'link': {
          links.apply(f);
          const label = links.label();
          if (label !== cutLabel) {
            closeCut(t);
            cutLabel = label;
            cutFromMs = t;
          }
          break;
        }
        default:
          if (target >= 1 && target <= n) mark(target, f.type, r);
      }
    }
    if (r.ev === 'resume' && r.node !== undefined) {
      closePause(r.node, t);
      mark(r.node, 'resume', r);
    }
    const id = r.node;
    if (id !== undefined && id >= 1 && id <= n && f?.type !== 'restart') {
      const s = state[id - 1]!;
      if (r.role !== undefined || r.term !== undefined) {
        closeBand(id, t);
        if (r.role !== undefined) s.role = r.role[1];
        if (r.term !== undefined) s.term = r.term[1];
      }
      if (r.commit !== undefined) {
        noteCommit(id, t);
        s.commit = r.commit[1];
        if (inTimeWindow(t, w)) lanes[id - 1]!.commits.push(t, s.commit);
      }
    }
    // Messages: each send waits, keyed by link and arrival time, for the step it arrives in.
    if (r.net !== undefined && id !== undefined) {
      r.net.forEach(([to, kind, ...arrivals]) => {
        if (arrivals.length === 0) {
          const flags = links.isCut(id, to) ? MSG.droppedCut : MSG.droppedRandom;
          pushMsg(t, id, -1, to, kind, flags, r.step);
          return;
        }
        arrivals.forEach((arrMs, copy) => {
          const key = `${id}>${to}@${arrMs}`;
          const list = inFlight.get(key);
          const ref = { kind, sendMs: t, copy, step: r.step };
          if (list === undefined) inFlight.set(key, [ref]);
          else list.push(ref);
        });
      });
    }
    const m = r.msg;
    if (r.ev === 'deliver' && m !== undefined) {
      const key = `${m.from}>${m.to}@${t}`;
      const body = JSON.stringify(m);
      let ref: SendRef | undefined = inFlight.get(key)?.shift();
      if (inFlight.get(key)?.length === 0) inFlight.delete(key);
      let flags = 0;
      if (ref === undefined) {
        // A message held for a paused node arrives when it resumes, not at its planned time.
        const held = heldSends.get(body);
        ref = held?.shift();
        if (held?.length === 0) heldSends.delete(body);
        if (ref !== undefined) flags |= MSG.held;
      }
      if (r.outcome === 'held') {
        if (ref !== undefined) {
          const list = heldSends.get(body);
          if (list === undefined) heldSends.set(body, [ref]);
          else list.push(ref);
        }
      } else {
        if (ref === undefined) flags |= MSG.unknownSend;
        const sendMs = ref?.sendMs ?? t;
        if (ref !== undefined && ref.copy > 0) flags |= MSG.duplicate;
        if (r.outcome === 'blocked') flags |= MSG.blocked;
        if (r.outcome === 'lost') flags |= MSG.lost;
        if (isUneventfulHeartbeat(r)) flags |= MSG.heartbeat;
        const linkKey = `${m.from}>${m.to}`;
        const latest = lastArrivedSend.get(linkKey) ?? Number.NEGATIVE_INFINITY;
        if (sendMs < latest) flags |= MSG.reordered;
        else lastArrivedSend.set(linkKey, sendMs);
        pushMsg(sendMs, m.from, t, m.to, m.type, flags, r.step);
      }
    }
    if (inWindow(r, w)) {
      steps.step.push(r.step);
      steps.t.push(t);
      steps.node.push(stepNode(r) ?? 0);
      steps.text.push(describeStep(r));
    }
  }
  // What is still open at the end is drawn to the end.
  for (let id = 1; id <= n; id++) {
    const s = state[id - 1]!;
    closeBand(id, endMs);
    closePause(id, Math.min(endMs, s.pausedUntilMs));
    if (!s.up && overlaps(s.downFromMs, endMs)) lanes[id - 1]!.down.push(clipFrom(s.downFromMs), endMs);
    if (!commitSeen[id - 1]) lanes[id - 1]!.commits.push(startMs, s.commit);
  }
  closeCut(endMs);
  // Messages sent and still in flight when the run stopped: drawn toward their arrival, past the end.
  for (const [key, list] of inFlight) {
    const m = /^(\d+)>(\d+)@(\d+)$/.exec(key);
    if (m === null) continue;
    for (const ref of list) {
      if (Number(m[3]) <= endMs) continue;
      pushMsg(
        ref.sendMs,
        Number(m[1]),
        Number(m[3]),
        Number(m[2]),
        ref.kind,
        ref.copy > 0 ? MSG.duplicate : 0,
        ref.step,
      );
    }
  }

  const o = input.outcome;
  const v = input.violation;
  const violation =
    o.status === 'violation'
      ? {
          step: o.step,
          t: o.timeMs,
          property: o.property,
          message: o.message ?? v?.message ?? '',
          logs: v === null ? [] : formatLogs(v),
        }
      : null;
  const s = input.schedule;
  const windowText = describeWindow(w);
  return {
    title: `raftsim: seed ${s.seed}${input.bugs.length > 0 ? `, bugs: ${input.bugs.join(', ')}` : ''}`,
    subtitle:
      `${cfg.nodes} nodes, ${cfg.clients} clients, ${s.faults.length} faults, ${s.ops.length} operations, ` +
      `${records.length} steps, ${lastMs} ms virtual` +
      (windowText === null ? '' : `; ${windowText}`),
    startMs,
    endMs,
    roles,
    markKinds,
    kinds,
    lanes: lanes.filter((l) => shown(l.node)),
    msgs,
    cuts,
    clients: [...new Set((input.history ?? []).map((op) => op.client))].sort((a, b) => a - b),
    ops: historyOps(input.history ?? [], violation?.property ?? null, w),
    steps,
    violation,
  };
}
