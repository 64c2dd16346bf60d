// Benchmark of the linearizability checker on generated key-value histories.
//
//   npx tsx bench/lincheck.ts            # generated workloads
//   npx tsx bench/lincheck.ts DIR        # ... and every *.txt EDN history in DIR (e.g. Porcupine's)
//
// Histories are generated from a sequential execution, so they are linearizable by
// construction: each op gets a linearization point inside its [invoke, return] interval and the
// results are what a single store would have answered in the order of those points. A few ops
// are left pending (half of them took effect, half did not) and a few are definite failures.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import seedrandom from 'seedrandom';
import { parseEdnHistory } from '../properties/edn.ts';
import type { History, HistoryOp } from '../properties/history.ts';
import { checkLinearizability } from '../properties/linearizability.ts';
import { applyKvOp } from '../src/raft/kv.ts';
import type { KvOp, KvResult } from '../src/raft/types.ts';

export type LincheckBenchRow = {
  workload: string;
  ops: number;
  clients: number;
  ms: number;
  verdict: string;
};

export type GeneratedHistoryConfig = {
  seed: string;
  ops: number;
  clients: number;
  keys: number;
  /** Upper bound of the time from invocation to linearization point, and from there to return. */
  latencyMsMax: number;
  /** Upper bound of a client's pause between two ops. */
  thinkMsMax: number;
  /** Share of ops whose outcome the client never learns. */
  pendingRate: number;
  /** Share of ops that definitely fail. */
  failRate: number;
};

const DEFAULT_CONFIG: Omit<GeneratedHistoryConfig, 'seed' | 'ops' | 'clients'> = {
  keys: 10,
  latencyMsMax: 20,
  thinkMsMax: 10,
  pendingRate: 0.005,
  failRate: 0.005,
};

/** How many recent values a cas picks its expected value from. */
const RECENT_VALUES = 8;

type Planned = { op: HistoryOp; lpMs: number; takesEffect: boolean };

/** A linearizable history of `ops` operations by `clients` clients, reproducible from `seed`. */
export function generateLinearizableHistory(config: GeneratedHistoryConfig): History {
  const rng = seedrandom.alea(config.seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
  const clientTimeMs = new Array<number>(config.clients).fill(0);
  const planned: Planned[] = [];
  for (let id = 0; id < config.ops; id++) {
    // Round-robin keeps every client busy for the whole history, like a closed-loop workload.
    const client = id % config.clients;
    const invokeMs = clientTimeMs[client]! + int(0, config.thinkMsMax);
    const lpMs = invokeMs + int(0, config.latencyMsMax);
    const returnMs = lpMs + int(0, config.latencyMsMax);
    const key = `k${int(0, config.keys - 1)}`;
    const value = `${client}.${id};`;
    const roll = rng();
    const op: KvOp =
      roll < 0.45
        ? { type: 'get', key }
        : roll < 0.8
          ? { type: 'append', key, value }
          : roll < 0.9
            ? { type: 'put', key, value }
            : { type: 'cas', key, expected: '', value };
    const fate = rng();
    const status: HistoryOp['status'] =
      fate < config.failRate ? 'fail' : fate < config.failRate + config.pendingRate ? 'info' : 'ok';
    planned.push({
      op: { id, client, op, invokeMs, returnMs: status === 'info' ? null : returnMs, result: null, status },
      lpMs,
      takesEffect: status === 'ok' || (status === 'info' && rng() < 0.5),
    });
    // A client that never heard back moves on after its timeout, as a real one would.
    clientTimeMs[client] = returnMs + 1;
  }

  // Execute in linearization-point order against a sequential store.
  const order = planned.map((_, i) => i).sort((a, b) => planned[a]!.lpMs - planned[b]!.lpMs || a - b);
  const store = new Map<string, string>();
  const recentValues: string[] = new Array<string>(RECENT_VALUES).fill('');
  for (const i of order) {
    const p = planned[i]!;
    if (!p.takesEffect) continue;
    const o = p.op;
    const current = store.get(o.op.key) ?? '';
    if (o.op.type === 'cas') {
      // Expect a value that was recently current somewhere, so that some cas succeed.
      o.op = { ...o.op, expected: recentValues[Math.floor(rng() * recentValues.length)]! };
    }
    // The store's own model decides every result, so the history is linearizable by construction.
    const step = applyKvOp(current, o.op);
    store.set(o.op.key, step.value ?? '');
    const result: KvResult = step.result;
    recentValues[Math.floor(rng() * RECENT_VALUES)] = store.get(o.op.key) ?? '';
    if (o.status === 'ok') o.result = result;
  }
  return { version: 1, ops: planned.map((p) => p.op) };
}

/**
 * Generated workloads: every combination of 1k/10k/100k ops and 5/10/50 clients runs. None needs
 * skipping, because the checker's default step budget bounds each run (a few seconds at most);
 * a row that runs out of budget says 'unknown'.
 */
export function benchLincheck(): LincheckBenchRow[] {
  const rows: LincheckBenchRow[] = [];
  for (const ops of [1_000, 10_000, 100_000]) {
    for (const clients of [5, 10, 50]) {
      const history = generateLinearizableHistory({
        ...DEFAULT_CONFIG,
        seed: `lincheck-${ops}-${clients}`,
        ops,
        clients,
      });
      rows.push(timeCheck(`kv-10keys`, history, clients));
    }
  }
  // The same histories with one read near the middle changed to a value never written.
  for (const ops of [10_000, 100_000]) {
    const history = generateLinearizableHistory({
      ...DEFAULT_CONFIG,
      seed: `lincheck-${ops}-50`,
      ops,
      clients: 50,
    });
    const reads = history.ops.filter((o) => o.status === 'ok' && o.op.type === 'get');
    const victim = reads[reads.length >> 1];
    if (victim !== undefined) victim.result = { type: 'get', value: 'never written' };
    rows.push(timeCheck('kv-10keys-bad', history, 50));
  }
  // One hot key: every client on it. Beyond about ten concurrent clients on one key the search
  // can blow up (see the notes in properties/linearizability.ts), so larger counts are left out.
  for (const clients of [5, 10]) {
    const history = generateLinearizableHistory({
      ...DEFAULT_CONFIG,
      seed: `lincheck-1key-${clients}`,
      ops: 10_000,
      clients,
      keys: 1,
    });
    rows.push(timeCheck('kv-1key', history, clients));
  }
  return rows;
}

/** Every `*.txt` EDN history in `dir`, in name order. */
export function benchLincheckDir(dir: string): LincheckBenchRow[] {
  const rows: LincheckBenchRow[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.txt')) continue;
    const parsed = parseEdnHistory(readFileSync(join(dir, name), 'utf8'));
    if (!parsed.ok) {
      rows.push({ workload: name, ops: 0, clients: 0, ms: 0, verdict: `bad input: line ${parsed.line}` });
      continue;
    }
    const clients = new Set(parsed.history.ops.map((o) => o.client)).size;
    rows.push(timeCheck(name, parsed.history, clients));
  }
  return rows;
}

function timeCheck(workload: string, history: History, clients: number): LincheckBenchRow {
  const t0 = performance.now();
  const result = checkLinearizability(history);
  const ms = performance.now() - t0;
  return {
    workload,
    ops: history.ops.length,
    clients,
    ms: Math.round(ms * 10) / 10,
    verdict: `${result.verdict} (${result.steps} steps)`,
  };
}

function printRows(rows: readonly LincheckBenchRow[]): void {
  for (const r of rows) {
    console.log(
      `${r.workload.padEnd(14)} ${String(r.ops).padStart(7)} ops ${String(r.clients).padStart(3)} clients ` +
        `${r.ms.toFixed(1).padStart(9)} ms  ${r.verdict}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printRows(benchLincheck());
  const dir = process.argv[2];
  if (dir !== undefined) printRows(benchLincheckDir(dir));
}
