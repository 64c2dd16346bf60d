// The benchmark suite: `npm run bench` runs every group, `npm run bench -- throughput growth` the
// named ones. Prints a table per group and writes bench/results.json (not committed). See
// bench/README.md for what each group measures.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type ImplSpec, loadImpl, moduleSpec } from '../sim/adapters/impl.ts';
import { DEFAULT_IMPL_TIMEOUT_MS } from '../sim/adapters/process-node.ts';
import {
  benchCompaction,
  type CompactionBenchOptions,
  DEFAULT_COMPACTION,
  QUICK_COMPACTION,
} from './compaction.ts';
import { benchDetect, DEFAULT_DETECT, type DetectOptions } from './detect.ts';
import { benchExplore, DEFAULT_EXPLORE_BENCH, type ExploreBenchOptions } from './explore.ts';
import { benchGrowth, DEFAULT_GROWTH, type GrowthOptions } from './growth.ts';
import {
  formatGroup,
  GROUP_NAMES,
  type GroupName,
  type GroupResult,
  type MachineInfo,
  machineInfo,
  type TargetCheck,
} from './lib.ts';
import { benchLincheck } from './lincheck.ts';
import { benchMembership, DEFAULT_MEMBERSHIP, type MembershipBenchOptions } from './membership.ts';
import { benchMemory, DEFAULT_MEMORY, type MemoryOptions } from './memory.ts';
import { benchSweep, DEFAULT_SWEEP, type SweepBenchOptions } from './sweep.ts';
import { benchThroughput, DEFAULT_THROUGHPUT, type ThroughputOptions } from './throughput.ts';
import { benchViewer, DEFAULT_VIEWER, type ViewerBenchOptions } from './viewer.ts';

const USAGE = `usage: npm run bench -- [group ...] [--quick] [--cap N] [--out FILE]

groups (default: all, in this order):
  throughput  events/s on one core, standard workload, checkers on and off
  growth      time per step as the log passes 1k, 10k and 100k entries
  sweep       seeds/s of a sweep with 1 worker and with one per core
  detect      seeds and seconds until each catalogue bug is first caught
  lincheck    linearizability checker time by history size and concurrency
  memory      peak RSS of a 1M-event run and of a 10k-seed sweep
  viewer      the HTML viewer on a 100k-event run: file size, first render in chromium
  membership  the standard workload with and without membership churn
  compaction  log compaction: throughput on/off, per-step cost toward 1M entries, memory of a long run
  explore     coverage-guided exploration against random search: states per 1,000 runs, runs to
              the first failure of the hard bugs with the hand-tuned layers off and on

  --quick     smaller workloads (a smoke test of the suite; figures not comparable)
  --cap N     detect: seeds per range before a bug counts as not found (default ${DEFAULT_DETECT.cap})
  --out FILE  where to write the JSON results (default bench/results.json)
  --impl MODULE, --impl-cmd COMMAND
              throughput: measure another implementation (docs/implementing.md) instead of
              the reference node; bench/protocol.ts compares the two paths`;

interface Settings {
  readonly throughput: ThroughputOptions;
  readonly growth: GrowthOptions;
  readonly sweep: SweepBenchOptions;
  readonly detect: DetectOptions;
  readonly memory: MemoryOptions;
  readonly viewer: ViewerBenchOptions;
  readonly membership: MembershipBenchOptions;
  readonly compaction: CompactionBenchOptions;
  readonly explore: ExploreBenchOptions;
}

const QUICK: Settings = {
  throughput: { seeds: [1, 2], rounds: 2 },
  growth: { sizes: [1000, 10_000], windowEntries: 2000, seeds: [1] },
  sweep: { ...DEFAULT_SWEEP, seeds: 16 },
  detect: { ...DEFAULT_DETECT, rangeStarts: [1], cap: 10 },
  memory: { ...DEFAULT_MEMORY, runEvents: 200_000, sweepSeeds: 200 },
  viewer: { ...DEFAULT_VIEWER, timeMs: 10_000, rounds: 1 },
  membership: { ...DEFAULT_MEMBERSHIP, seeds: [1], rounds: 1 },
  compaction: QUICK_COMPACTION,
  explore: {
    ...DEFAULT_EXPLORE_BENCH,
    coverageRuns: 50,
    trials: 1,
    cap: 20,
    bugs: ['figure8', 'joint-skip'],
    workers: 1,
  },
};

const FULL: Settings = {
  throughput: DEFAULT_THROUGHPUT,
  growth: DEFAULT_GROWTH,
  sweep: DEFAULT_SWEEP,
  detect: DEFAULT_DETECT,
  memory: DEFAULT_MEMORY,
  viewer: DEFAULT_VIEWER,
  membership: DEFAULT_MEMBERSHIP,
  compaction: DEFAULT_COMPACTION,
  explore: DEFAULT_EXPLORE_BENCH,
};

interface Args {
  readonly groups: GroupName[];
  readonly settings: Settings;
  readonly out: string;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args | null {
  const groups: GroupName[] = [];
  let quick = false;
  let cap: number | null = null;
  let out = fileURLToPath(new URL('./results.json', import.meta.url));
  let impl: ImplSpec | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return null;
    if (arg === '--quick') {
      quick = true;
    } else if (arg === '--cap') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new UsageError('--cap needs a positive integer');
      cap = n;
    } else if (arg === '--out') {
      const file = argv[++i];
      if (file === undefined) throw new UsageError('--out needs a file name');
      out = file;
    } else if (arg === '--impl' || arg === '--impl-cmd') {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      impl =
        arg === '--impl'
          ? moduleSpec(value)
          : { kind: 'command', command: value, timeoutMs: DEFAULT_IMPL_TIMEOUT_MS, cwd: process.cwd() };
    } else if ((GROUP_NAMES as readonly string[]).includes(arg)) {
      if (!groups.includes(arg as GroupName)) groups.push(arg as GroupName);
    } else {
      throw new UsageError(`unknown group or option '${arg}'`);
    }
  }
  const base = quick ? QUICK : FULL;
  const capped = cap === null ? base : { ...base, detect: { ...base.detect, cap } };
  const settings = impl === null ? capped : { ...capped, throughput: { ...capped.throughput, impl } };
  // Groups run in the suite's order, whatever order they were named in.
  const ordered = GROUP_NAMES.filter((g) => groups.length === 0 || groups.includes(g));
  return { groups: ordered, settings, out };
}

function lincheckGroup(): GroupResult {
  const rows = benchLincheck();
  return {
    group: 'lincheck',
    title: 'Linearizability checker',
    workload:
      'bench/lincheck.ts benchLincheck(): generated linearizable key-value histories (10 keys, or 1 key ' +
      'for the most contended rows; 0.5% pending and 0.5% failed ops), 1k to 100k ops, 5 to 50 ' +
      'concurrent clients; one check each.',
    tables: [
      {
        columns: ['workload', 'ops', 'clients', 'check time', 'µs/op', 'verdict'],
        rows: rows.map((r) => [
          r.workload,
          r.ops,
          r.clients,
          `${r.ms.toFixed(1)} ms`,
          r.ops === 0 ? '-' : ((r.ms * 1000) / r.ops).toFixed(1),
          r.verdict,
        ]),
      },
    ],
    targets: [],
    notes: [],
    data: { rows },
  };
}

async function runGroup(name: GroupName, s: Settings): Promise<GroupResult> {
  switch (name) {
    case 'throughput':
      return benchThroughput(s.throughput);
    case 'growth':
      return benchGrowth(s.growth);
    case 'sweep':
      return benchSweep(s.sweep);
    case 'detect':
      return benchDetect(s.detect);
    case 'lincheck':
      return lincheckGroup();
    case 'memory':
      return benchMemory(s.memory);
    case 'viewer':
      return benchViewer(s.viewer);
    case 'membership':
      return benchMembership(s.membership);
    case 'compaction':
      return benchCompaction(s.compaction);
    case 'explore':
      return benchExplore(s.explore);
  }
}

interface SavedGroup {
  readonly measuredAt: string;
  readonly seconds: number;
  /** The machine when the group started (its load average then). */
  readonly machine: MachineInfo;
  readonly result: GroupResult;
}

interface ResultsFile {
  readonly version: 1;
  readonly updatedAt: string;
  readonly groups: Partial<Record<GroupName, SavedGroup>>;
}

/** Earlier results, so that running one group keeps the others' latest figures. */
function readResults(path: string): ResultsFile['groups'] {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ResultsFile>;
    return parsed.version === 1 && typeof parsed.groups === 'object' && parsed.groups !== null
      ? parsed.groups
      : {};
  } catch {
    return {};
  }
}

async function main(): Promise<number> {
  let args: Args | null;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === null) {
    console.log(USAGE);
    return 0;
  }
  const impl = args.settings.throughput.impl;
  if (impl !== undefined && impl !== null) await loadImpl(impl);
  const machine = machineInfo();
  console.log(
    `raftsim benchmarks: ${args.groups.join(', ')}\n` +
      `machine: ${machine.nproc} × ${machine.cpuModel}, node ${machine.node}, ${machine.platform}, ` +
      `${machine.totalMemMb} MB, load average ${machine.loadAvg1m}\n`,
  );
  const saved = readResults(args.out);
  const targets: { group: GroupName; check: TargetCheck }[] = [];
  const t0 = performance.now();
  const failed: GroupName[] = [];
  for (const name of args.groups) {
    const machineAtStart = machineInfo();
    const g0 = performance.now();
    let result: GroupResult;
    try {
      result = await runGroup(name, args.settings);
    } catch (error) {
      // One broken group (say, a checker mid-rewrite) must not cost the figures of the others.
      failed.push(name);
      console.log(`== ${name}: FAILED after ${((performance.now() - g0) / 1000).toFixed(1)} s`);
      console.log(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      continue;
    }
    const seconds = (performance.now() - g0) / 1000;
    console.log(`${formatGroup(result, seconds).join('\n')}\n`);
    saved[name] = { measuredAt: new Date().toISOString(), seconds, machine: machineAtStart, result };
    for (const check of result.targets) targets.push({ group: name, check });
    // Saved after every group, so that an interrupted suite keeps what it measured.
    const file: ResultsFile = { version: 1, updatedAt: new Date().toISOString(), groups: saved };
    writeFileSync(args.out, `${JSON.stringify(file, null, 2)}\n`);
  }
  const judged = targets.filter((t) => t.check.met !== null);
  if (judged.length > 0) {
    console.log(`== Targets (${judged.filter((t) => t.check.met).length} of ${judged.length} met)`);
    for (const { group, check } of judged) {
      console.log(
        `  ${check.met ? 'met ' : 'MISS'}  [${group}] ${check.name}: target ${check.target}, measured ${check.measured}`,
      );
    }
  }
  if (failed.length > 0) console.log(`\nFAILED groups (see above): ${failed.join(', ')}`);
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(1)} s; results written to ${args.out}`);
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
