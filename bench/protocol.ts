// What the process protocol costs (docs/implementing.md): events per second of the same schedules
// run in-process and through --impl-cmd, and the round trip of one exchange with a process that
// does nothing. Not part of `npm run bench` (it needs python3 and takes a minute):
//
//   npx tsx bench/protocol.ts [--seeds 3] [--time 10000]

import { performance } from 'node:perf_hooks';
import { type ImplSpec, loadImpl, moduleSpec } from '../sim/adapters/impl.ts';
import { theBridge } from '../sim/adapters/process-node.ts';
import { generateSchedule } from '../sim/explore/generate.ts';
import { runSchedule } from '../sim/explore/run.ts';
import { defaultConfig } from '../sim/model/config.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const seeds = arg('--seeds', 3);
const timeMs = arg('--time', 10_000);
const cwd = process.cwd();
const python: ImplSpec = {
  kind: 'command',
  command: 'python3 examples/py-raft/node.py',
  timeoutMs: 10_000,
  cwd,
};
const student = moduleSpec('examples/student-raft/index.ts');
await loadImpl(student);
await loadImpl(python);

const base = defaultConfig();
const config = { ...base, timeMs, quietMs: Math.min(base.quietMs, timeMs) };
const rows: { name: string; events: number; ms: number }[] = [];
for (const [name, impl] of [
  ['reference, built in', null],
  ['student-raft, --impl (in-process)', student],
  ['py-raft, --impl-cmd (a process per node)', python],
] as const) {
  let events = 0;
  let ms = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const schedule = generateSchedule(seed, config);
    const start = performance.now();
    const result = impl === null ? runSchedule(schedule) : runSchedule(schedule, { impl });
    ms += performance.now() - start;
    events += result.events;
  }
  rows.push({ name, events, ms });
}

// One exchange with a process that answers at once: the protocol's own cost per call.
const bridge = theBridge();
const handle = bridge.newHandle();
const echo = {
  command: `python3 -c "import sys\nfor l in sys.stdin: print('{}', flush=True)"`,
  timeoutMs: 10_000,
  cwd,
};
bridge.exchange(handle, '{}', 10_000, echo);
const calls = 5000;
const start = performance.now();
for (let i = 0; i < calls; i++) bridge.exchange(handle, '{"type":"tick","nowMs":1}', 10_000);
const roundTripUs = ((performance.now() - start) * 1000) / calls;
bridge.kill(handle);

console.log(`${seeds} seeds of defaultConfig(), ${timeMs} ms virtual each`);
for (const r of rows)
  console.log(
    `${r.name.padEnd(44)} ${String(r.events).padStart(8)} events  ${Math.round((r.events * 1000) / r.ms)
      .toString()
      .padStart(8)} events/s`,
  );
console.log(`round trip of one exchange with a process that answers at once: ${roundTripUs.toFixed(0)} µs`);
process.exit(0);
