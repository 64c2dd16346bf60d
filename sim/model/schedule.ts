import type { KvOp } from '../../src/raft/types.ts';
import { type SimConfig, serverCount, validateConfig } from './config.ts';
import { FAULT_KINDS, FAULT_TYPES, type Fault, isFaultType } from './faults.ts';

export type { Fault, FaultType } from './faults.ts';

/** A client invocation. A client issues its ops in order, each at max(atMs, when its previous op finished). */
export interface ScheduledOp {
  readonly client: number;
  readonly atMs: number;
  readonly op: KvOp;
  /** The node the op's first attempt goes to (scripted scenarios); absent: the node the client believes leads. */
  readonly to?: number;
}

/** A run, fully described: the same schedule replays the same trace, byte for byte. */
export interface Schedule {
  readonly version: 1;
  readonly seed: number;
  readonly config: SimConfig;
  readonly faults: readonly Fault[];
  readonly ops: readonly ScheduledOp[];
}

export const SCHEDULE_VERSION = 1;

function isInt(x: unknown, lo: number, hi: number): boolean {
  return typeof x === 'number' && Number.isInteger(x) && x >= lo && x <= hi;
}

function validateOp(op: unknown): string | null {
  if (typeof op !== 'object' || op === null) return 'must be an object';
  const o = op as Record<string, unknown>;
  if (typeof o.key !== 'string') return 'key must be a string';
  switch (o.type) {
    case 'get':
      return null;
    case 'put':
    case 'append':
      return typeof o.value === 'string' ? null : 'value must be a string';
    case 'cas':
      if (typeof o.expected !== 'string') return 'expected must be a string';
      return typeof o.value === 'string' ? null : 'value must be a string';
    default:
      return `type must be one of get, put, append, cas, got ${String(o.type)}`;
  }
}

function validateFault(x: unknown, config: SimConfig): string | null {
  if (typeof x !== 'object' || x === null) return 'must be an object';
  const f = x as Record<string, unknown>;
  // Faults may name spare servers too.
  const n = serverCount(config);
  if (!isInt(f.atMs, 0, config.timeMs)) return `atMs must be an integer from 0 to ${config.timeMs}`;
  if (!isFaultType(f.type)) return `type must be one of ${FAULT_TYPES.join(', ')}, got ${String(f.type)}`;
  return FAULT_KINDS[f.type].check(f, n, config.timeMs);
}

/**
 * Checks a schedule read from a file. Returns null when the runner can replay it, else one
 * message naming the first bad field (`faults[3].node must be ...`).
 */
export function validateSchedule(s: Schedule): string | null {
  if (typeof s !== 'object' || s === null) return 'schedule must be an object';
  if (s.version !== SCHEDULE_VERSION) {
    return `version must be ${SCHEDULE_VERSION}, got ${String(s.version)}`;
  }
  if (!isInt(s.seed, 0, Number.MAX_SAFE_INTEGER)) return 'seed must be a non-negative integer';
  const configError = validateConfig(s.config);
  if (configError !== null) return configError;
  if (!Array.isArray(s.faults)) return 'faults must be an array';
  if (!Array.isArray(s.ops)) return 'ops must be an array';
  let prevMs = 0;
  for (let i = 0; i < s.faults.length; i++) {
    const error = validateFault(s.faults[i], s.config);
    if (error !== null) return `faults[${i}].${error}`;
    const atMs = s.faults[i]!.atMs;
    if (atMs < prevMs) return `faults[${i}].atMs must not be before the fault listed above it (${prevMs})`;
    prevMs = atMs;
  }
  for (let i = 0; i < s.ops.length; i++) {
    const o = s.ops[i] as unknown as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null) return `ops[${i}] must be an object`;
    if (s.config.clients === 0) return `ops[${i}]: there are no clients to run it (config.clients is 0)`;
    if (!isInt(o.client, 1, s.config.clients))
      return `ops[${i}].client must be from 1 to ${s.config.clients}`;
    if (!isInt(o.atMs, 0, s.config.timeMs))
      return `ops[${i}].atMs must be an integer from 0 to ${s.config.timeMs}`;
    const error = validateOp(o.op);
    if (error !== null) return `ops[${i}].op.${error}`;
    if (o.to !== undefined && !isInt(o.to, 1, serverCount(s.config)))
      return `ops[${i}].to must be a node id from 1 to ${serverCount(s.config)}`;
  }
  return null;
}

/** True when the fault list contains no fault at or after `fromMs` other than repairs. */
export function isRepairOnlyFrom(faults: readonly Fault[], fromMs: number): boolean {
  for (const f of faults) {
    if (f.atMs < fromMs) continue;
    if (f.type === 'heal' || f.type === 'restart') continue;
    if (f.type === 'link' && f.up) continue;
    return false;
  }
  return true;
}
