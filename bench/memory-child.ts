// One memory measurement in a process of its own (started by bench/memory.ts), so that its peak
// RSS is its own: prints one JSON line with the figures and exits.
//
//   node --import tsx bench/memory-child.ts baseline
//   node --import tsx bench/memory-child.ts run EVENTS [trace]
//   node --import tsx --expose-gc bench/memory-child.ts retained EVENTS
//   node --import tsx bench/memory-child.ts sweep SEEDS TIME_MS WORKERS

import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSafetyCheckers } from '../properties/index.ts';
import type { Checker, NodeStep, Violation } from '../properties/types.ts';
import { runSeed } from '../sim/explore/generate.ts';
import { runSweep } from '../sim/explore/sweep.ts';
import { defaultConfig } from '../sim/model/config.ts';

/** Peak resident set size so far, in MB: VmHWM where /proc exists, else getrusage's maxRSS. */
function peakRssMb(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    if (line !== undefined) return Number.parseInt(line.replace(/\D+/g, ''), 10) / 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS / 1024;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

function report(fields: Record<string, unknown>): void {
  const usage = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({
      ...fields,
      peakRssMb: Math.round(peakRssMb() * 10) / 10,
      maxRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
      rssNowMb: mb(usage.rss),
      heapUsedMb: mb(usage.heapUsed),
    })}\n`,
  );
}

/** Trace lines go to a file in chunks of 4096 lines, as the CLI's --trace does: nothing accumulates. */
class ChunkedWriter {
  private readonly fd: number;
  private chunk: string[] = [];
  bytes = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  line = (line: string): void => {
    this.chunk.push(line);
    if (this.chunk.length >= 4096) this.flush();
  };
  private flush(): void {
    if (this.chunk.length === 0) return;
    this.bytes += writeSync(this.fd, `${this.chunk.join('\n')}\n`);
    this.chunk = [];
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function runEvents(events: number, trace: boolean): void {
  // The standard workload, long enough that maxSteps, not the clock, ends it.
  const config = { ...defaultConfig(), timeMs: Math.ceil(events / 1000) * 1000 };
  const writer = trace ? new ChunkedWriter(join(tmpdir(), `raftsim-bench-trace-${process.pid}.jsonl`)) : null;
  const t0 = performance.now();
  try {
    const r = runSeed(1, config, {
      checkers: createSafetyCheckers(),
      maxSteps: events,
      ...(writer === null ? {} : { onTrace: writer.line }),
    });
    writer?.close();
    report({
      mode: trace ? 'run+trace' : 'run',
      events: r.events,
      simulatedMs: r.simulatedMs,
      stoppedBy: r.stoppedBy,
      historyOps: r.history.length,
      maxCommitIndex: r.maxCommitIndex,
      traceMb: writer === null ? 0 : mb(statSync(writer.path).size),
      wallMs: Math.round(performance.now() - t0),
    });
  } finally {
    if (writer !== null) rmSync(writer.path, { force: true });
  }
}

/**
 * Rides along as a checker (it never reports): every 2^15 node steps it forces a full GC and
 * notes the live heap against the longest log, so that what a run keeps can be told apart from
 * garbage. Needs --expose-gc.
 */
class RetainedProbe implements Checker {
  readonly property = 'log-matching' as const;
  readonly samples: { nodeSteps: number; logEntries: number; heapMb: number }[] = [];
  private steps = 0;
  private longest = 0;
  private readonly gc: () => void;
  constructor() {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('memory-child retained: run node with --expose-gc');
    this.gc = gc;
  }
  onNodeStep(step: NodeStep): Violation | null {
    this.steps++;
    if (step.process.lastIndex > this.longest) this.longest = step.process.lastIndex;
    if ((this.steps & 32767) === 0) {
      this.gc();
      this.samples.push({
        nodeSteps: this.steps,
        logEntries: this.longest,
        heapMb: mb(process.memoryUsage().heapUsed),
      });
    }
    return null;
  }
}

function retained(events: number): void {
  const config = { ...defaultConfig(), timeMs: Math.ceil(events / 1000) * 1000 };
  const probe = new RetainedProbe();
  const r = runSeed(1, config, {
    checkers: [...createSafetyCheckers(), probe],
    maxSteps: events,
    fence: false,
  });
  report({ mode: 'retained', events: r.events, historyOps: r.history.length, samples: probe.samples });
}

async function sweep(seeds: number, timeMs: number, workers: number): Promise<void> {
  const samples: { seeds: number; rssMb: number }[] = [];
  let done = 0;
  let events = 0;
  const t0 = performance.now();
  const result = await runSweep({
    lo: 1,
    hi: seeds,
    workers,
    settings: { mode: 'swarm', overrides: { timeMs }, bugs: [] },
    stopOnFailure: false,
    onOutcome: (o) => {
      done++;
      events += o.events;
      if (done % Math.max(1, Math.floor(seeds / 10)) === 0) {
        samples.push({ seeds: done, rssMb: mb(process.memoryUsage().rss) });
      }
    },
  });
  report({
    mode: 'sweep',
    seeds: result.outcomes.length,
    failures: result.outcomes.filter((o) => !o.ok).length,
    events,
    workers,
    timeMs,
    samples,
    wallMs: Math.round(performance.now() - t0),
  });
}

/** Samples the live heap against the commit index, and the most entries any log holds. */
class CompactionProbe implements Checker {
  readonly property = 'log-matching' as const;
  /** heapMb: the V8 heap; arrayMb: ArrayBuffers outside it (the checkers' ghost columns live there). */
  readonly samples: { commit: number; heapMb: number; arrayMb: number }[] = [];
  maxEntriesHeld = 0;
  private steps = 0;
  private commit = 0;
  private readonly gc: () => void;
  constructor() {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('memory-child compaction: run node with --expose-gc');
    this.gc = gc;
  }
  onNodeStep(step: NodeStep): Violation | null {
    const p = step.process;
    const held = p.lastIndex - (p.snapshotIndex ?? 0);
    if (held > this.maxEntriesHeld) this.maxEntriesHeld = held;
    if (p.commitIndex > this.commit) this.commit = p.commitIndex;
    if ((++this.steps & 262143) === 0) {
      this.gc();
      const usage = process.memoryUsage();
      this.samples.push({ commit: this.commit, heapMb: mb(usage.heapUsed), arrayMb: mb(usage.arrayBuffers) });
    }
    return null;
  }
}

function compaction(events: number): void {
  // The standard workload makes about 1,400 events per virtual second: the schedule (built up
  // front, one record per client op) is sized to the events asked for, not 40% beyond them.
  const config = {
    ...defaultConfig(),
    timeMs: Math.ceil(events / 1400) * 1000,
    compaction: { trigger: 'size' as const, entries: 64 },
  };
  const probe = new CompactionProbe();
  const r = runSeed(1, config, {
    checkers: [...createSafetyCheckers(), probe],
    maxSteps: events,
    fence: false,
    linearizability: false,
  });
  report({
    mode: 'compaction',
    events: r.events,
    maxCommitIndex: r.maxCommitIndex,
    maxEntriesHeld: probe.maxEntriesHeld,
    historyOps: r.history.length,
    samples: probe.samples,
  });
}

const [mode, a, b, c] = process.argv.slice(2);
switch (mode) {
  case 'baseline':
    report({ mode });
    break;
  case 'run':
    runEvents(Number(a), b === 'trace');
    break;
  case 'retained':
    retained(Number(a));
    break;
  case 'sweep':
    await sweep(Number(a), Number(b), Number(c));
    break;
  case 'compaction':
    compaction(Number(a));
    break;
  default:
    throw new Error(`memory-child: unknown mode '${mode}'`);
}
