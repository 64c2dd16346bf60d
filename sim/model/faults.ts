import type { KvOp, MembershipChange, NodeId } from '../../src/raft/types.ts';
import {
  COMPACTION_TRIGGERS,
  type CompactionConfig,
  MAX_COMPACTION_ENTRIES,
  type NetworkConfig,
} from './config.ts';

/** What the admin client asks for: a membership change, or a leadership transfer to `node`. */
export type AdminChange = MembershipChange | { readonly type: 'transfer'; readonly node: NodeId };

/**
 * A fault at a virtual instant. Faults are plain data so that a schedule is a JSON file that
 * replays exactly, and so that a shrinker can drop any one of them; the runner therefore
 * tolerates any combination (a restart of a running node, a heal with nothing to heal).
 *
 * Everything the model knows about a kind lives in FAULT_KINDS below, a table keyed by type:
 * a kind added to this union does not compile until it has its row there, its zod schema
 * (sim/model/trace-file.ts) and its effect in the runner (sim/engine/runner.ts), each a table or an
 * exhaustive switch the compiler checks.
 */
export type Fault =
  /** Nodes in different groups cannot exchange messages; a node in no group is cut off from all. Replaces all link state. */
  | { readonly atMs: number; readonly type: 'partition'; readonly groups: readonly (readonly NodeId[])[] }
  /** Every link up again. */
  | { readonly atMs: number; readonly type: 'heal' }
  /** One direction of one link, from → to, goes down or comes back up. */
  | {
      readonly atMs: number;
      readonly type: 'link';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly up: boolean;
    }
  /** The node loses all volatile state; messages to it are lost until it restarts. */
  | { readonly atMs: number; readonly type: 'crash'; readonly node: NodeId }
  /** A crashed node comes back from its durable state. */
  | { readonly atMs: number; readonly type: 'restart'; readonly node: NodeId }
  /** Stop-the-world: the node takes no step for durationMs; what reaches it waits until it resumes. */
  | { readonly atMs: number; readonly type: 'pause'; readonly node: NodeId; readonly durationMs: number }
  /**
   * A directive of scripted scenarios, never generated: the node starts an election now, as if its
   * election timeout had fired (no effect on a leader, a crashed or a paused node).
   */
  | { readonly atMs: number; readonly type: 'campaign'; readonly node: NodeId }
  /**
   * An administrator's request (paper §6, thesis §4 and §3.10): the admin client asks whichever
   * node it believes leads, and asks again until the change is done (sim/engine/admin.ts). With
   * `to`, a scripted scenario's directive: node `to` is asked once, now, outside the admin's queue.
   */
  | {
      readonly atMs: number;
      readonly type: 'membership';
      readonly change: AdminChange;
      readonly to?: NodeId;
    }
  /**
   * A directive of scripted scenarios (sim/scenario/): node `node` is offered `op` once, now, as
   * 6.5840's `Start(command)` does — no client, no retry; a node that does not lead refuses it.
   */
  | { readonly atMs: number; readonly type: 'propose'; readonly node: NodeId; readonly op: KvOp }
  /** A directive of scripted scenarios: every message sent from now on meets these network settings. */
  | { readonly atMs: number; readonly type: 'network'; readonly settings: NetworkConfig }
  /**
   * A directive of scripted scenarios: from now on each node's service compacts as `settings`
   * says (config.compaction's meaning), or never (null).
   */
  | { readonly atMs: number; readonly type: 'compaction'; readonly settings: CompactionConfig | null };

export type FaultType = Fault['type'];
export type FaultOf<T extends FaultType> = Extract<Fault, { type: T }>;

/** What the model knows of one kind of fault. */
export interface FaultKind<T extends FaultType> {
  /**
   * Checks the kind's own fields of a fault read from a file (its `type` and `atMs` are checked
   * already): null when the runner can replay it, else what is wrong with which field.
   */
  check(f: Readonly<Record<string, unknown>>, nodes: number, timeMs: number): string | null;
  /** The fault as a trace field, without its time, keys in a fixed order. */
  fields(f: FaultOf<T>): Record<string, unknown>;
  /** One line for reports and views; `f` may come from a parsed trace line, so fields are read defensively. */
  describe(f: FieldsOf<T>): string;
  /**
   * The fault with node `gone` removed and the other ids mapped by `map` (shrinking to fewer
   * nodes), or null when the fault means nothing without that node.
   */
  renumber(f: FaultOf<T>, gone: NodeId, map: (id: NodeId) => NodeId): Fault | null;
}

/** A fault's trace fields: the fault without its time (distributed over the kinds). */
export type FieldsOf<T extends FaultType> = T extends FaultType ? Omit<FaultOf<T>, 'atMs'> : never;

function isIdIn(v: unknown, nodes: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= nodes;
}

function checkNode(f: Readonly<Record<string, unknown>>, nodes: number): string | null {
  return isIdIn(f.node, nodes) ? null : `node must be a node id from 1 to ${nodes}`;
}

function groupsText(groups: readonly (readonly NodeId[])[]): string {
  return groups.map((g) => `{${g.map((id) => `S${id}`).join(',')}}`).join(' ');
}

/** Renumbering for the kinds that name one node: gone with it, or mapped. */
function renumberNode<F extends Fault & { readonly node: NodeId }>(
  f: F,
  gone: NodeId,
  map: (id: NodeId) => NodeId,
): F | null {
  return f.node === gone ? null : { ...f, node: map(f.node) };
}

export const FAULT_KINDS: { readonly [T in FaultType]: FaultKind<T> } = {
  partition: {
    check: (f, nodes) => {
      if (!Array.isArray(f.groups)) return 'groups must be an array of arrays of node ids';
      const seen = new Set<number>();
      for (const g of f.groups) {
        if (!Array.isArray(g)) return 'groups must be an array of arrays of node ids';
        for (const id of g) {
          if (!isIdIn(id, nodes)) return `groups holds ${String(id)}, not a node id from 1 to ${nodes}`;
          if (seen.has(id)) return `groups holds node ${id} twice`;
          seen.add(id);
        }
      }
      return null;
    },
    fields: (f) => ({ type: f.type, groups: f.groups }),
    describe: (f) => `partition ${Array.isArray(f.groups) ? groupsText(f.groups) : ''}`,
    renumber: (f, gone, map) => {
      const groups = f.groups.map((g) => g.filter((id) => id !== gone).map(map)).filter((g) => g.length > 0);
      return { ...f, groups };
    },
  },
  heal: {
    check: () => null,
    fields: (f) => ({ type: f.type }),
    describe: () => 'heal',
    renumber: (f) => f,
  },
  link: {
    check: (f, nodes) => {
      if (!isIdIn(f.from, nodes)) return `from must be a node id from 1 to ${nodes}`;
      if (!isIdIn(f.to, nodes)) return `to must be a node id from 1 to ${nodes}`;
      if (f.from === f.to) return 'from and to must differ';
      return typeof f.up === 'boolean' ? null : 'up must be a boolean';
    },
    fields: (f) => ({ type: f.type, from: f.from, to: f.to, up: f.up }),
    describe: (f) => `link S${f.from}→S${f.to} ${f.up === true ? 'up' : 'down'}`,
    renumber: (f, gone, map) =>
      f.from === gone || f.to === gone ? null : { ...f, from: map(f.from), to: map(f.to) },
  },
  crash: {
    check: checkNode,
    fields: (f) => ({ type: f.type, node: f.node }),
    describe: (f) => `crash S${f.node}`,
    renumber: renumberNode,
  },
  restart: {
    check: checkNode,
    fields: (f) => ({ type: f.type, node: f.node }),
    describe: (f) => `restart S${f.node}`,
    renumber: renumberNode,
  },
  pause: {
    check: (f, nodes, timeMs) => {
      const bad = checkNode(f, nodes);
      if (bad !== null) return bad;
      const d = f.durationMs;
      const ok = typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= timeMs;
      return ok ? null : 'durationMs must be a positive integer';
    },
    fields: (f) => ({ type: f.type, node: f.node, durationMs: f.durationMs }),
    describe: (f) => `pause S${f.node} for ${f.durationMs} ms`,
    renumber: renumberNode,
  },
  campaign: {
    check: checkNode,
    fields: (f) => ({ type: f.type, node: f.node }),
    describe: (f) => `S${f.node} campaigns`,
    renumber: renumberNode,
  },
  membership: {
    check: (f, nodes) => {
      if (f.to !== undefined && !isIdIn(f.to, nodes)) return `to must be a node id from 1 to ${nodes}`;
      return checkAdminChange(f.change, nodes);
    },
    fields: (f) =>
      f.to === undefined ? { type: f.type, change: f.change } : { type: f.type, change: f.change, to: f.to },
    describe: (f) =>
      `${describeAdminChange(f.change)}${typeof f.to === 'number' ? ` (asked of S${f.to}, once)` : ''}`,
    renumber: (f, gone, map) => {
      if (f.to !== undefined) {
        if (f.to === gone) return null;
        f = { ...f, to: map(f.to) };
      }
      const c = f.change;
      if (c.type === 'joint') {
        const voters = c.voters.filter((id) => id !== gone).map(map);
        return voters.length === 0 ? null : { ...f, change: { type: 'joint', voters } };
      }
      return c.node === gone ? null : { ...f, change: { ...c, node: map(c.node) } };
    },
  },
  propose: {
    check: (f, nodes) => {
      const bad = checkNode(f, nodes);
      if (bad !== null) return bad;
      const op = f.op as Record<string, unknown> | null;
      if (typeof op !== 'object' || op === null || typeof op.key !== 'string')
        return 'op must be a key-value op';
      return null;
    },
    fields: (f) => ({ type: f.type, node: f.node, op: f.op }),
    describe: (f) => `S${f.node} is offered ${describeOp(f.op)}`,
    renumber: renumberNode,
  },
  network: {
    check: (f) => checkNetworkSettings(f.settings),
    fields: (f) => ({ type: f.type, settings: f.settings }),
    describe: (f) => {
      const n = (f.settings ?? {}) as Partial<NetworkConfig>;
      return `network: delay ${n.delayMsMin}..${n.delayMsMax} ms, drop ${n.dropRate}, dup ${n.dupRate}, long ${n.longDelayRate}`;
    },
    renumber: (f) => f,
  },
  compaction: {
    check: (f) => checkCompactionSettings(f.settings),
    fields: (f) => ({ type: f.type, settings: f.settings }),
    describe: (f) => {
      const c = f.settings as Partial<CompactionConfig> | null | undefined;
      return `compaction: ${c === null || c === undefined ? 'off' : `${c.trigger}:${c.entries}`}`;
    },
    renumber: (f) => f,
  },
};

function checkCompactionSettings(settings: unknown): string | null {
  if (settings === null) return null;
  if (typeof settings !== 'object' || settings === undefined) return 'settings must be an object or null';
  const c = settings as Record<string, unknown>;
  if (!(COMPACTION_TRIGGERS as readonly unknown[]).includes(c.trigger))
    return `settings.trigger must be one of ${COMPACTION_TRIGGERS.join(', ')}`;
  const n = c.entries;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_COMPACTION_ENTRIES)
    return `settings.entries must be an integer from 1 to ${MAX_COMPACTION_ENTRIES}`;
  return null;
}

function checkNetworkSettings(settings: unknown): string | null {
  if (typeof settings !== 'object' || settings === null) return 'settings must be an object';
  const n = settings as Record<string, unknown>;
  const int = (x: unknown, lo: number) => typeof x === 'number' && Number.isInteger(x) && x >= lo;
  const rate = (x: unknown) => typeof x === 'number' && x >= 0 && x <= 1;
  if (!int(n.delayMsMin, 0)) return 'settings.delayMsMin must be a non-negative integer';
  if (!int(n.delayMsMax, n.delayMsMin as number))
    return 'settings.delayMsMax must be an integer >= delayMsMin';
  for (const field of ['dropRate', 'dupRate', 'longDelayRate'] as const) {
    if (!rate(n[field])) return `settings.${field} must be a probability from 0 to 1`;
  }
  if (!int(n.longDelayMsMax, n.delayMsMax as number))
    return 'settings.longDelayMsMax must be an integer >= delayMsMax';
  return null;
}

function describeOp(op: unknown): string {
  if (typeof op !== 'object' || op === null) return '?';
  const o = op as Record<string, unknown>;
  return o.type === 'get' ? `get ${String(o.key)}` : `${String(o.type)} ${String(o.key)}=${String(o.value)}`;
}

const ADMIN_CHANGE_TYPES = ['add-learner', 'promote', 'remove', 'joint', 'transfer'];

function checkAdminChange(change: unknown, nodes: number): string | null {
  if (typeof change !== 'object' || change === null) return 'change must be an object';
  const c = change as Record<string, unknown>;
  if (!ADMIN_CHANGE_TYPES.includes(c.type as string))
    return `change.type must be one of ${ADMIN_CHANGE_TYPES.join(', ')}, got ${String(c.type)}`;
  if (c.type !== 'joint')
    return isIdIn(c.node, nodes) ? null : `change.node must be a node id from 1 to ${nodes}`;
  if (!Array.isArray(c.voters) || c.voters.length === 0)
    return 'change.voters must be a non-empty array of node ids';
  const seen = new Set<unknown>();
  for (const id of c.voters) {
    if (!isIdIn(id, nodes)) return `change.voters holds ${String(id)}, not a node id from 1 to ${nodes}`;
    if (seen.has(id)) return `change.voters holds node ${String(id)} twice`;
    seen.add(id);
  }
  return null;
}

/** One line for an admin request; reads defensively, like every `describe`. */
export function describeAdminChange(change: unknown): string {
  if (typeof change !== 'object' || change === null) return 'membership ?';
  const c = change as Record<string, unknown>;
  if (c.type === 'joint')
    return `membership joint → {${Array.isArray(c.voters) ? c.voters.map((id) => `S${String(id)}`).join(',') : ''}}`;
  if (c.type === 'transfer') return `transfer leadership to S${String(c.node)}`;
  return `membership ${String(c.type)} S${String(c.node)}`;
}

export const FAULT_TYPES = Object.keys(FAULT_KINDS) as FaultType[];

export function isFaultType(t: unknown): t is FaultType {
  return typeof t === 'string' && Object.hasOwn(FAULT_KINDS, t);
}

/**
 * The row for `f`. TypeScript cannot correlate a union value with a lookup keyed by its tag, so
 * the row is typed for the whole union here, once; each row is checked against its own kind above.
 */
function kindFor(f: { readonly type: FaultType }): FaultKind<FaultType> {
  return FAULT_KINDS[f.type] as unknown as FaultKind<FaultType>;
}

export function describeFault(f: Fault | FieldsOf<FaultType>): string {
  return kindFor(f).describe(f);
}

export function faultFields(f: Fault): Record<string, unknown> {
  return kindFor(f).fields(f);
}

export function renumberFault(f: Fault, gone: NodeId, map: (id: NodeId) => NodeId): Fault | null {
  return kindFor(f).renumber(f, gone, map);
}
