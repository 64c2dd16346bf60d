// A window on a run: a span of virtual time and a set of nodes, so that a view of a long run
// shows only the part one wants to read (and a Mermaid diagram of it stays under Mermaid's size
// limits). The text, Mermaid and HTML views all cut with these same rules.

import type { StepRecord } from './step-record.ts';

export interface ViewWindow {
  /** First virtual instant shown (inclusive); null: from the start. */
  readonly fromMs: number | null;
  /** Last virtual instant shown (inclusive); null: to the end. */
  readonly toMs: number | null;
  /** The nodes shown, ascending; null: all of them. */
  readonly nodes: readonly number[] | null;
}

export const WHOLE_RUN: ViewWindow = { fromMs: null, toMs: null, nodes: null };

export function isWholeRun(w: ViewWindow): boolean {
  return w.fromMs === null && w.toMs === null && w.nodes === null;
}

export function inTimeWindow(t: number, w: ViewWindow): boolean {
  return (w.fromMs === null || t >= w.fromMs) && (w.toMs === null || t <= w.toMs);
}

/** The nodes a step names: its own, a message's two ends, a fault's node or link ends. */
export function nodesOf(r: StepRecord): number[] {
  const out: number[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'number' && !out.includes(v)) out.push(v);
  };
  add(r.node);
  if (r.msg !== undefined) {
    add(r.msg.from);
    add(r.msg.to);
  }
  if (r.fault !== undefined) {
    add(r.fault.node);
    add(r.fault.from);
    add(r.fault.to);
  }
  return out;
}

/**
 * Whether a step is inside the window. With a node set: a message counts when both its ends are
 * in the set (the traffic among those nodes), any other step when every node it names is; a
 * step that names no node (a partition, a heal, a client's own timer) is kept only for a
 * partition or heal, which concern every node.
 */
export function inWindow(r: StepRecord, w: ViewWindow): boolean {
  if (!inTimeWindow(r.t, w)) return false;
  const set = w.nodes;
  if (set === null) return true;
  const named = nodesOf(r);
  if (named.length === 0) return r.ev === 'fault';
  return named.every((id) => set.includes(id));
}

/** `window 1000–2000 ms, nodes S1 S3`, or null for the whole run. */
export function describeWindow(w: ViewWindow): string | null {
  if (isWholeRun(w)) return null;
  const parts: string[] = [];
  if (w.fromMs !== null || w.toMs !== null) {
    parts.push(`${w.fromMs ?? 0}–${w.toMs === null ? 'end' : `${w.toMs} ms`}`);
  }
  if (w.nodes !== null) parts.push(`nodes ${w.nodes.map((id) => `S${id}`).join(' ')}`);
  return `window ${parts.join(', ')}`;
}

/**
 * Reads `--nodes 1,3` or `--nodes S1,S3`; null with the reason when it is not a list of node
 * ids from 1 to `nodes`.
 */
export function parseNodeList(value: string, nodes: number): number[] | string {
  const ids: number[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*[sS]?(\d+)\s*$/.exec(part);
    const id = m === null ? Number.NaN : Number(m[1]);
    if (!Number.isSafeInteger(id) || id < 1 || id > nodes)
      return `'${value}' is not a list of node ids from 1 to ${nodes} (such as 1,3 or S1,S3)`;
    if (!ids.includes(id)) ids.push(id);
  }
  return ids.sort((a, b) => a - b);
}
