// Choosing a run: the schedule a seed stands for. Generation is exploration (a seed is one point
// drawn from the space of runs); the schedule it produces is plain data (sim/model/schedule.ts).

import type { KvOp, NodeId } from '../../src/raft/types.ts';
import type { Random } from '../engine/rng.ts';
import { expMs, intBetween, pick, shuffled, stream } from '../engine/rng.ts';
import {
  DEFAULT_PARTITION_SHAPES,
  faultsEndMs,
  type SimConfig,
  serverCount,
  validateConfig,
} from '../model/config.ts';
import type { Fault, Schedule, ScheduledOp } from '../model/schedule.ts';
import { type RunOptions, type RunResult, runSchedule } from './run.ts';

const MS_PER_MIN = 60_000;

/**
 * Draws a schedule from the seed: faults from the 'faults' streams (one sub-stream per kind of
 * fault), ops from one 'ops' stream per client. Faults happen only before timeMs - quietMs; at
 * that instant the schedule itself repairs everything (a heal, a restart of every node still
 * down) and nothing follows.
 */
export function generateSchedule(seed: number, config: SimConfig): Schedule {
  const error = validateConfig(config);
  if (error !== null) throw new RangeError(error);
  const faults: Fault[] = [];
  const endMs = faultsEndMs(config);
  generatePartitions(stream(seed, 'faults', 'partition'), config, endMs, faults);
  const downAtEnd = generateCrashes(stream(seed, 'faults', 'crash'), config, endMs, faults);
  generatePauses(stream(seed, 'faults', 'pause'), config, endMs, faults);
  generateMembership(stream(seed, 'faults', 'membership'), config, endMs, faults);
  // The recovery that opens the quiet period.
  faults.push({ atMs: endMs, type: 'heal' });
  for (const node of downAtEnd) faults.push({ atMs: endMs, type: 'restart', node });
  // Stable: at equal times the order above is kept (the recovery heal before the restarts).
  faults.sort((a, b) => a.atMs - b.atMs);

  const ops: ScheduledOp[] = [];
  for (let c = 1; c <= config.clients; c++) generateOps(stream(seed, 'ops', c), c, config, ops);
  ops.sort((a, b) => a.atMs - b.atMs);
  return { version: 1, seed, config, faults, ops };
}

function nodeIds(n: number): NodeId[] {
  const ids: NodeId[] = [];
  for (let i = 1; i <= n; i++) ids.push(i);
  return ids;
}

/**
 * Partitions arrive one after another (the next arrival is counted from the previous heal), so
 * that a heal never cuts another partition short. The shape is drawn from the config's list
 * (PartitionShape in config.ts); the default list draws exactly as before the list existed.
 */
function generatePartitions(rng: Random, config: SimConfig, endMs: number, out: Fault[]): void {
  const f = config.faults;
  if (f.partitionsPerMin <= 0) return;
  const meanGapMs = MS_PER_MIN / f.partitionsPerMin;
  const n = serverCount(config);
  const shapes = f.partitionShapes ?? DEFAULT_PARTITION_SHAPES;
  let t = 0;
  for (;;) {
    t += expMs(rng, meanGapMs);
    if (t >= endMs) return;
    const durationMs = intBetween(rng, f.partitionMsMin, f.partitionMsMax);
    const healMs = t + durationMs;
    const shape = shapes[intBetween(rng, 0, shapes.length - 1)]!;
    const ids = shuffled(rng, nodeIds(n));
    const links: [NodeId, NodeId][] = [];
    switch (shape) {
      case 'split': {
        const minority = intBetween(rng, 1, Math.max(1, n >> 1));
        out.push({ atMs: t, type: 'partition', groups: [ids.slice(0, minority), ids.slice(minority)] });
        break;
      }
      case 'isolate':
        // The first node is in no group: cut off from everyone.
        out.push({ atMs: t, type: 'partition', groups: [ids.slice(1)] });
        break;
      case 'three-way': {
        const a = intBetween(rng, 1, Math.max(1, n - 2));
        const b = intBetween(rng, a + 1, Math.max(a + 1, n - 1));
        out.push({ atMs: t, type: 'partition', groups: [ids.slice(0, a), ids.slice(a, b), ids.slice(b)] });
        break;
      }
      case 'one-way': {
        const count = intBetween(rng, 1, 3);
        for (let k = 0; k < count && n > 1; k++) {
          const from = intBetween(rng, 1, n);
          const to = 1 + ((from - 1 + intBetween(rng, 1, n - 1)) % n);
          links.push([from, to]);
        }
        break;
      }
      case 'mute': {
        const mute = ids[0]!;
        for (const other of ids) if (other !== mute) links.push([mute, other]);
        break;
      }
      case 'link':
        if (n > 1) links.push([ids[0]!, ids[1]!], [ids[1]!, ids[0]!]);
        break;
    }
    for (const [from, to] of links) out.push({ atMs: t, type: 'link', from, to, up: false });
    if (healMs >= endMs) return; // the recovery heal at endMs repairs it
    if (links.length === 0) {
      out.push({ atMs: healMs, type: 'heal' });
    } else {
      for (const [from, to] of links) out.push({ atMs: healMs, type: 'link', from, to, up: true });
    }
    t = healMs;
  }
}

/** Crashes pick a node that is up; each is followed by its restart. Returns the nodes still down at endMs. */
function generateCrashes(rng: Random, config: SimConfig, endMs: number, out: Fault[]): NodeId[] {
  const f = config.faults;
  if (f.crashesPerMin <= 0) return [];
  const meanGapMs = MS_PER_MIN / f.crashesPerMin;
  const n = serverCount(config);
  const upAtMs: number[] = new Array(n + 1).fill(0);
  let t = 0;
  for (;;) {
    t += expMs(rng, meanGapMs);
    if (t >= endMs) break;
    const candidate = intBetween(rng, 1, n);
    const downMs = intBetween(rng, f.downMsMin, f.downMsMax);
    // Prefer the drawn node; if it is down, the next one up in id order (same draws either way).
    let node = 0;
    for (let k = 0; k < n; k++) {
      const id = 1 + ((candidate - 1 + k) % n);
      if (upAtMs[id]! <= t) {
        node = id;
        break;
      }
    }
    if (node === 0) continue;
    out.push({ atMs: t, type: 'crash', node });
    const restartMs = t + downMs;
    if (restartMs < endMs) {
      out.push({ atMs: restartMs, type: 'restart', node });
      upAtMs[node] = restartMs;
    } else {
      upAtMs[node] = Number.POSITIVE_INFINITY;
    }
  }
  const down: NodeId[] = [];
  for (let id = 1; id <= n; id++) if (upAtMs[id] === Number.POSITIVE_INFINITY) down.push(id);
  return down;
}

/** Pauses are clipped so that every node runs again by endMs. */
function generatePauses(rng: Random, config: SimConfig, endMs: number, out: Fault[]): void {
  const f = config.faults;
  if (f.pausesPerMin <= 0) return;
  const meanGapMs = MS_PER_MIN / f.pausesPerMin;
  let t = 0;
  for (;;) {
    t += expMs(rng, meanGapMs);
    if (t >= endMs) return;
    const node = intBetween(rng, 1, serverCount(config));
    const durationMs = Math.min(intBetween(rng, f.pauseMsMin, f.pauseMsMax), endMs - t);
    out.push({ atMs: t, type: 'pause', node, durationMs });
  }
}

/** The shapes of membership churn the generator draws from, uniformly. */
const MEMBERSHIP_SHAPES = ['grow', 'shrink', 'replace', 'swap-majority', 'transfer'] as const;

/**
 * Membership churn (config.membership): operations arrive one shape at a time, each shape a short
 * sequence the admin client works through in order — grow (add a spare as a learner, promote it),
 * shrink (remove a voter, never below three), replace (grow, then remove another voter), swap a
 * majority (add as many learners as a majority, then one joint change that trades them for as
 * many voters) and transfer leadership to a voter. The generator tracks the configuration the
 * operations lead to if each succeeds; one that fails at run time ('invalid') is recorded as such
 * and the rest go on. Removed servers return to the pool of spares, logs and all.
 */
function generateMembership(rng: Random, config: SimConfig, endMs: number, out: Fault[]): void {
  const m = config.membership;
  if (m === undefined || m.changesPerMin <= 0) return;
  const meanGapMs = MS_PER_MIN / m.changesPerMin;
  let voters = nodeIds(config.nodes);
  let outside: NodeId[] = [];
  for (let id = config.nodes + 1; id <= serverCount(config); id++) outside.push(id);
  const take = (from: NodeId[]): NodeId => from[intBetween(rng, 0, from.length - 1)]!;
  let t = 0;
  for (;;) {
    t += expMs(rng, meanGapMs);
    if (t >= endMs) return;
    const atMs = t;
    const add = (change: Extract<Fault, { type: 'membership' }>['change']) =>
      out.push({ atMs, type: 'membership', change });
    const shape = pick(rng, MEMBERSHIP_SHAPES);
    switch (shape) {
      case 'grow':
      case 'replace': {
        if (outside.length === 0) break;
        const x = take(outside);
        add({ type: 'add-learner', node: x });
        add({ type: 'promote', node: x });
        outside = outside.filter((id) => id !== x);
        voters = [...voters, x];
        if (shape === 'grow') break;
        const y = take(voters.filter((id) => id !== x));
        add({ type: 'remove', node: y });
        voters = voters.filter((id) => id !== y);
        outside = [...outside, y];
        break;
      }
      case 'shrink': {
        if (voters.length <= 3) break;
        const y = take(voters);
        add({ type: 'remove', node: y });
        voters = voters.filter((id) => id !== y);
        outside = [...outside, y];
        break;
      }
      case 'swap-majority': {
        const k = (voters.length >> 1) + 1;
        if (outside.length < k) break;
        const incoming = shuffled(rng, outside).slice(0, k);
        const leaving = shuffled(rng, voters).slice(0, k);
        for (const x of incoming) add({ type: 'add-learner', node: x });
        const next = [...voters.filter((id) => !leaving.includes(id)), ...incoming].sort((a, b) => a - b);
        add({ type: 'joint', voters: next });
        voters = next;
        outside = [...outside.filter((id) => !incoming.includes(id)), ...leaving];
        break;
      }
      case 'transfer':
        add({ type: 'transfer', node: take(voters) });
        break;
    }
  }
}

/**
 * One client's ops: exponential gaps, keys from a small space (a share of them on the hot key k0
 * when clientsCfg.hotKeyShare says so), values unique (`c3-17` is client 3's 17th op). Mix: about 40% get, 30% put, 25% append, 5% cas; a cas expects the
 * value this client last put at that key, so that it sometimes succeeds.
 */
function generateOps(rng: Random, client: number, config: SimConfig, out: ScheduledOp[]): void {
  const k = config.clientsCfg;
  const lastPut = new Map<string, string>();
  const hotKeyShare = k.hotKeyShare ?? 0;
  let t = expMs(rng, k.opIntervalMsMean);
  for (let j = 1; t < config.timeMs; j++) {
    const u = rng();
    // The hot-key draw only when the knob is on, so that uniform workloads draw as they always did.
    const hot = hotKeyShare > 0 && rng() < hotKeyShare;
    const key = `k${hot ? 0 : intBetween(rng, 0, k.keys - 1)}`;
    const value = `c${client}-${j}`;
    let op: KvOp;
    if (u < 0.4) {
      op = { type: 'get', key };
    } else if (u < 0.7) {
      op = { type: 'put', key, value };
      lastPut.set(key, value);
    } else if (u < 0.95) {
      op = { type: 'append', key, value };
    } else {
      const expected = lastPut.get(key) ?? `c${client}-${j - 1}`;
      op = { type: 'cas', key, expected, value };
      lastPut.set(key, value);
    }
    out.push({ client, atMs: t, op });
    t += expMs(rng, k.opIntervalMsMean);
  }
}

// ---------------------------------------------------------------------------------------------
// Validation of a schedule that came from a file: every field a run depends on, named.

/** Generates the schedule of a seed and runs it. */
export function runSeed(seed: number, config: SimConfig, opts: RunOptions = {}): RunResult {
  return runSchedule(generateSchedule(seed, config), opts);
}
