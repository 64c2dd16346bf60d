// `raftsim conform --impl <module>` (or `--impl-cmd "<command>"`): how far an implementation
// conforms, in one report. It runs the saved scenarios that apply to what the implementation
// declares (scenarios/*.json, and the schedules of scenarios/bugs/*.json, which a correct node must
// survive), then a swarm sweep of a size given by --sweep, and prints a table of property × result
// with the replay command of each failure. The first failing seed of each property is shrunk and
// saved, as a sweep does.

import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Chalk, type ChalkInstance } from 'chalk';
import { Command } from 'commander';
import { PROPERTY_IDS } from '../../properties/types.ts';
import {
  CAPABILITY_NAMES,
  type Capabilities,
  type ImplSpec,
  type LoadedImpl,
  loadImpl,
} from '../adapters/impl.ts';
import { generateSchedule } from '../explore/generate.ts';
import { isShrinkable, type RunKind } from '../explore/outcome.ts';
import { runForOutcome } from '../explore/replay.ts';
import {
  configOf,
  type HeldRaftOptions,
  type SeedOutcome,
  type SweepSettings,
  withHeld,
} from '../explore/seed-job.ts';
import { DEFAULT_SHRINK_BUDGET, type ShrinkResult } from '../explore/shrink.ts';
import { shrinkInWorker } from '../explore/shrink-thread.ts';
import { catchInterrupts, exitCodeOfSignal, type StopSignal } from '../explore/signals.ts';
import { runSweep } from '../explore/sweep.ts';
import { type Schedule, validateSchedule } from '../model/schedule.ts';
import {
  type ExpectedOutcome,
  type FailureKind,
  readTraceFile,
  type TraceFile,
} from '../model/trace-file.ts';
import { num, seconds } from '../view/report.ts';
import { EXIT_NOT_JUDGED } from './exit-codes.ts';
import { applyImplLimits, implArgs, implSpecOf, shellWord } from './impl-options.ts';
import { RESTORE_TERMINAL, stderrSink, sweepProgress } from './progress.ts';
import { checkFailuresDirectory, defaultFailureTarget, writeRunTrace } from './run-files.ts';
import { parseSubcommand } from './shards.ts';
import { EXIT_OK, EXIT_VIOLATION, parseIntInRange, UsageError } from './usage.ts';
import { raftsimVersion } from './version.ts';

interface ConformOptions {
  impl?: string;
  implCmd?: string;
  implTimeout?: string;
  sweep?: string;
  workers?: string;
  shrink: boolean;
  json?: boolean;
  quiet?: boolean;
  color: boolean;
}

const DEFAULT_SWEEP_SEEDS = 100;
const MAX_SWEEP_SEEDS = 100_000;

function program(): Command {
  return new Command('raftsim conform')
    .description('How far a Raft implementation conforms: the saved scenarios that apply, then a sweep.')
    .option('--impl <module>', 'a module exporting a RaftImplementation (docs/implementing.md)')
    .option('--impl-cmd <command>', 'a command run once per node, speaking JSON lines (docs/implementing.md)')
    .option('--impl-timeout <time>', 'with --impl-cmd: real time a process may take to answer (default 10s)')
    .option('--sweep <n>', `seeds 1..n of the swarm sweep, 0 for none (default ${DEFAULT_SWEEP_SEEDS})`)
    .option('--workers <n>', 'worker threads for the sweep, 1 to 256 (default: one per core)')
    .option('--no-shrink', 'do not shrink and save the first failing seed of each property')
    .option('--json', 'print one JSON object instead of the table')
    .option('--quiet', 'no progress on stderr')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      '\nExit codes: 0 everything that applies passed, 1 a property failed or the implementation\n' +
        'erred, 2 bad usage, 3 a run could not be judged.\n\nExamples:\n' +
        '  npm run sim -- conform --impl examples/student-raft/index.ts\n' +
        '  npm run sim -- conform --impl-cmd "python3 examples/py-raft/node.py" --sweep 20',
    )
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

// ---------------------------------------------------------------------------------------------
// The scenario suite

/** What one saved scenario showed for the implementation. */
export interface ScenarioRow {
  readonly file: string;
  /** 'skipped' with the reason when the scenario needs what the implementation does not declare. */
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly reason: string | null;
  readonly expected: ExpectedOutcome | null;
  readonly actual: ExpectedOutcome | null;
  readonly kind: RunKind | null;
  readonly replay: string | null;
}

/** The scenarios directory of this package, from the sources or from dist/. */
function scenariosDirectory(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../../scenarios', '../../../scenarios']) {
    const dir = join(here, up);
    try {
      if (statSync(dir).isDirectory()) return dir;
    } catch {
      // Not this layout.
    }
  }
  return null;
}

/** The scenario files, shown relative to the package: scenarios/*.json, then scenarios/bugs/*.json. */
export function scenarioFiles(): { path: string; shown: string }[] {
  const dir = scenariosDirectory();
  if (dir === null) return [];
  const out: { path: string; shown: string }[] = [];
  for (const sub of ['', 'bugs']) {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub)).filter((n) => n.endsWith('.json'));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      out.push({
        path: join(dir, sub, name),
        shown: ['scenarios', sub, name].filter((x) => x !== '').join('/'),
      });
    }
  }
  return out;
}

/** Why a schedule does not apply to an implementation with these capabilities; null when it does. */
export function scenarioSkipReason(schedule: Schedule, caps: Capabilities): string | null {
  const raft = schedule.config.raft;
  const needs: string[] = [];
  if (raft.readMode !== 'log' && !caps.reads) needs.push(`reads (--read-mode ${raft.readMode})`);
  if (raft.preVote && !caps.preVote) needs.push('preVote');
  if (raft.checkQuorum && !caps.checkQuorum) needs.push('checkQuorum');
  if (schedule.faults.some((f) => f.type === 'campaign') && !caps.campaign) needs.push('campaign');
  if (!caps.membership && (schedule.config.membership !== undefined || hasMembershipOps(schedule)))
    needs.push('membership');
  const compacts = schedule.faults.some((f) => f.type === 'compaction' && f.settings !== null);
  if (!caps.snapshots && (schedule.config.compaction !== undefined || compacts)) needs.push('snapshots');
  return needs.length === 0 ? null : `needs ${needs.join(', ')}`;
}

function hasMembershipOps(schedule: Schedule): boolean {
  return schedule.faults.some((f) => f.type === 'membership');
}

/**
 * What a correct node must show on a scenario: the outcome recorded without bugs, or, for a bug's
 * trace (recorded only with its bug), that every property holds. Steps are not compared: another
 * implementation takes other steps to the same story.
 */
function expectationOf(trace: TraceFile): ExpectedOutcome {
  return trace.expectations.find((e) => e.bugs.length === 0)?.outcome ?? { status: 'ok' };
}

function sameVerdict(a: ExpectedOutcome, b: ExpectedOutcome): boolean {
  if (a.status === 'ok' || b.status === 'ok') return a.status === b.status;
  return a.property === b.property;
}

function replayArgs(spec: ImplSpec): string {
  return implArgs(spec).map(shellWord).join(' ');
}

/**
 * Runs every scenario that applies. One that needs an option the implementation does not declare
 * still applies when every property must hold on it: it runs with those options held off, as the
 * sweep's seeds do (a correct node survives any schedule). One whose point is a violation that
 * needs them is skipped.
 */
export function runScenarios(impl: LoadedImpl, held: HeldRaftOptions | null): ScenarioRow[] {
  const rows: ScenarioRow[] = [];
  for (const f of scenarioFiles()) {
    const trace = readTraceFile(f.path, { shown: f.shown });
    const needs = scenarioSkipReason(trace.schedule, impl.capabilities);
    const base = { file: f.shown, expected: null, actual: null, kind: null, replay: null };
    const expected = expectationOf(trace);
    if (needs !== null && expected.status !== 'ok') {
      rows.push({ ...base, status: 'skipped', reason: needs });
      continue;
    }
    let schedule = trace.schedule;
    if (needs !== null && held !== null) {
      // Operations of a capability the node lacks cannot be held off: the story needs them.
      if (!impl.capabilities.membership && hasMembershipOps(schedule)) {
        rows.push({ ...base, status: 'skipped', reason: needs });
        continue;
      }
      schedule = { ...schedule, config: withHeld(schedule.config, held) };
      if (validateSchedule(schedule) !== null) {
        rows.push({ ...base, status: 'skipped', reason: needs });
        continue;
      }
    }
    const run = runForOutcome(schedule, { bugs: [], impl: impl.spec });
    const passed = sameVerdict(expected, run.outcome);
    // An adapted scenario is not the file's schedule: a replay of the file would run another one.
    const replay = needs !== null ? null : `npm run sim -- --replay ${f.shown} ${replayArgs(impl.spec)}`;
    rows.push({
      ...base,
      status: passed ? 'passed' : 'failed',
      reason: needs === null ? null : needs.replace(/^needs/, 'run without'),
      expected,
      actual: run.outcome,
      kind: run.kind,
      replay: passed ? null : replay,
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The report

/** One row of the table: a property (or a kind of failure) and how the scenarios and sweep did. */
interface PropertyRow {
  readonly property: FailureKind;
  readonly scenariosFailed: number;
  readonly seedsFailed: number;
  readonly firstSeed: number | null;
}

/** What a failing outcome is about: the property, or the kind of failure. */
function failureOf(o: ExpectedOutcome): FailureKind | null {
  return o.status === 'ok' ? null : o.property;
}

const TABLE_KINDS: readonly FailureKind[] = [
  ...PROPERTY_IDS,
  'impl-error',
  'assertion',
  'harness-error',
  'resource-limit',
];

function propertyRows(scenarios: readonly ScenarioRow[], seeds: readonly SeedOutcome[]): PropertyRow[] {
  return TABLE_KINDS.map((property) => {
    // A scenario that was to show a violation and did not counts against what it was to show.
    const scenariosFailed = scenarios.filter(
      (s) =>
        s.status === 'failed' &&
        (failureOf(s.actual!) === property ||
          (s.actual!.status === 'ok' && failureOf(s.expected!) === property)),
    ).length;
    const failing = seeds.filter((o) => !o.ok && o.property === property);
    return { property, scenariosFailed, seedsFailed: failing.length, firstSeed: failing[0]?.seed ?? null };
  });
}

function seedReplay(seed: number, spec: ImplSpec): string {
  return `npm run sim -- --seed ${seed} --profile swarm ${replayArgs(spec)}`;
}

interface SavedShrink {
  readonly property: string;
  readonly seed: number;
  readonly file: string;
  readonly result: ShrinkResult;
}

async function shrinkFirstFailures(
  seeds: readonly SeedOutcome[],
  settings: SweepSettings,
  impl: LoadedImpl,
  quiet: boolean,
): Promise<SavedShrink[]> {
  const first = new Map<string, SeedOutcome>();
  for (const o of seeds) {
    if (!o.ok && o.property !== null && isShrinkable(o.kind) && !first.has(o.property))
      first.set(o.property, o);
  }
  const saved: SavedShrink[] = [];
  for (const [property, o] of first) {
    if (!quiet) process.stderr.write(`shrinking ${property} (seed ${o.seed})…\n`);
    const schedule = generateSchedule(o.seed, configOf(o.seed, settings));
    const result = await shrinkInWorker(schedule, {
      bugs: [],
      impl: impl.spec,
      budget: DEFAULT_SHRINK_BUDGET,
    });
    const target = defaultFailureTarget(property, o.seed);
    writeRunTrace(target, {
      schedule: result.schedule,
      bugs: [],
      outcome: result.outcome,
      meta: {
        raftsimVersion: raftsimVersion(),
        command: seedReplay(o.seed, impl.spec),
        shrink: { before: result.before, after: result.after, runs: result.runs, complete: result.complete },
      },
    });
    saved.push({ property, seed: o.seed, file: target.shown, result });
  }
  return saved;
}

function capabilityText(caps: Capabilities): string {
  const yes = CAPABILITY_NAMES.filter((n) => caps[n]);
  const no = CAPABILITY_NAMES.filter((n) => !caps[n]);
  return `${yes.length > 0 ? yes.join(', ') : 'Figure 2 only'}${no.length > 0 ? `; not declared: ${no.join(', ')}` : ''}`;
}

function formatReport(
  impl: LoadedImpl,
  scenarios: readonly ScenarioRow[],
  sweep: { seeds: readonly SeedOutcome[]; size: number; wallMs: number },
  saved: readonly SavedShrink[],
  c: ChalkInstance,
): string[] {
  const label = (s: string): string => c.cyan(s.padEnd(11));
  const lines = [`${label('conform')}${c.bold(impl.name)} (${capabilityText(impl.capabilities)})`];
  const ran = scenarios.filter((s) => s.status !== 'skipped');
  const failedScenarios = scenarios.filter((s) => s.status === 'failed');
  lines.push(
    `${label('scenarios')}${ran.length - failedScenarios.length} of ${ran.length} passed, ` +
      `${scenarios.length - ran.length} skipped as not applicable`,
  );
  for (const s of scenarios) {
    const note = s.reason === null ? '' : c.dim(` (${s.reason})`);
    if (s.status === 'passed') lines.push(`  ${c.green('✓')} ${s.file}${note}`);
    else if (s.status === 'skipped') lines.push(`  ${c.dim(`– ${s.file}: skipped, ${s.reason}`)}`);
    else
      lines.push(
        `  ${c.red('✗')} ${s.file}${note}: expected ${verdictText(s.expected!)}, got ${verdictText(s.actual!)}`,
      );
  }
  const failedSeeds = sweep.seeds.filter((o) => !o.ok);
  lines.push(
    sweep.size === 0
      ? `${label('sweep')}none (--sweep 0)`
      : `${label('sweep')}${num(sweep.seeds.length)} seeds (1..${sweep.size}, profile swarm) in ${seconds(sweep.wallMs)}, ` +
          `${failedSeeds.length} failed`,
  );
  lines.push('');
  const rows = propertyRows(scenarios, sweep.seeds);
  const width = Math.max(...rows.map((r) => r.property.length));
  lines.push(c.bold(`${'property'.padEnd(width)}  ${'scenarios'.padEnd(12)}sweep`));
  for (const r of rows) {
    if (r.property === 'leader-stability' && !impl.capabilities.preVote) {
      lines.push(`${r.property.padEnd(width)}  ${c.dim('– not judged: it is judged only with PreVote on')}`);
      continue;
    }
    const sc =
      r.scenariosFailed === 0
        ? c.green('✓ held'.padEnd(12))
        : c.red(`✗ ${r.scenariosFailed} failed`.padEnd(12));
    const sw =
      sweep.size === 0
        ? c.dim('–')
        : r.seedsFailed === 0
          ? c.green('✓ held')
          : c.red(`✗ ${r.seedsFailed} seed${r.seedsFailed === 1 ? '' : 's'}, first ${r.firstSeed}`);
    lines.push(`${r.property.padEnd(width)}  ${sc}${sw}`);
  }
  const replays: string[] = [];
  for (const s of failedScenarios)
    replays.push(`  ${s.file}: ${s.replay ?? 'run with options held off; no replay of the file as saved'}`);
  for (const r of rows) {
    if (r.firstSeed !== null)
      replays.push(`  ${r.property} (seed ${r.firstSeed}): ${seedReplay(r.firstSeed, impl.spec)}`);
  }
  for (const s of saved) {
    replays.push(
      `  ${s.property} shrunk to ${s.result.after.faults} faults, ${s.result.after.ops} ops, ` +
        `${s.result.after.nodes} nodes: npm run sim -- --replay ${s.file} ${replayArgs(impl.spec)}`,
    );
  }
  if (replays.length > 0) lines.push('', c.bold('replay'), ...replays);
  const ok = failedScenarios.length === 0 && failedSeeds.length === 0;
  lines.push(
    '',
    `${label('verdict')}${ok ? c.green.bold('✓ conforms in everything that applied') : c.red.bold('✗ does not conform')}`,
  );
  return lines;
}

function verdictText(o: ExpectedOutcome): string {
  return o.status === 'ok' ? 'every property to hold' : `${o.property}`;
}

// ---------------------------------------------------------------------------------------------

async function conform(argv: string[]): Promise<number> {
  const cmd = program();
  if (!parseSubcommand(cmd, argv, 'conform')) return EXIT_OK;
  if (cmd.args.length > 0) throw new UsageError(`conform: unexpected argument '${cmd.args[0]}'`);
  const o = cmd.opts<ConformOptions>();
  const spec = implSpecOf({ ...o, bug: [] });
  if (spec === null)
    throw new UsageError('conform: name the implementation with --impl <module> or --impl-cmd <command>');
  const size =
    o.sweep === undefined ? DEFAULT_SWEEP_SEEDS : parseIntInRange('--sweep', o.sweep, 0, MAX_SWEEP_SEEDS);
  const workers =
    o.workers === undefined ? availableParallelism() : parseIntInRange('--workers', o.workers, 1, 256);
  if (o.shrink) checkFailuresDirectory();
  const noColor = o.color === false || (process.env.NO_COLOR ?? '') !== '';
  const c = new Chalk(noColor ? { level: 0 } : {});
  const quiet = o.quiet === true;

  const impl = await loadImpl(spec);
  const held = applyImplLimits(impl, {}).held;
  const scenarios = runScenarios(impl, held);
  const settings: SweepSettings = { mode: 'swarm', overrides: {}, bugs: [], impl: spec, held };
  const startMs = performance.now();
  let seeds: SeedOutcome[] = [];
  // Ctrl-C / SIGTERM during the sweep: the workers stop and the report covers the seeds run so far.
  const interrupt = catchInterrupts();
  try {
    if (size > 0) {
      const progress = sweepProgress(size, stderrSink(quiet));
      const onAbort = (): void => {
        progress.stop();
        if (process.stderr.isTTY === true) process.stderr.write(RESTORE_TERMINAL);
      };
      interrupt.signal.addEventListener('abort', onAbort, { once: true });
      let done = 0;
      let failures = 0;
      const result = await runSweep({
        lo: 1,
        hi: size,
        workers: Math.min(workers, size),
        settings,
        stopOnFailure: false,
        signal: interrupt.signal,
        onOutcome: (x) => {
          done++;
          if (!x.ok) failures++;
          progress.update(done, failures);
        },
      });
      interrupt.signal.removeEventListener('abort', onAbort);
      progress.stop();
      seeds = result.outcomes;
    }
    const wallMs = performance.now() - startMs;
    const stopped = interrupt.received();
    const saved = o.shrink && stopped === null ? await shrinkFirstFailures(seeds, settings, impl, quiet) : [];
    const code = report(o, c, impl, scenarios, { seeds, size, wallMs }, saved, stopped);
    return stopped === null ? code : exitCodeOfSignal(stopped);
  } finally {
    interrupt.dispose();
  }
}

/** Prints the report (the table, or one JSON object) and returns the exit code it implies. */
function report(
  o: ConformOptions,
  c: ChalkInstance,
  impl: LoadedImpl,
  scenarios: readonly ScenarioRow[],
  sweep: { seeds: readonly SeedOutcome[]; size: number; wallMs: number },
  saved: readonly SavedShrink[],
  stopped: StopSignal | null,
): number {
  const { seeds, size, wallMs } = sweep;
  const spec = impl.spec;
  const failedScenarios = scenarios.filter((s) => s.status === 'failed');
  const failedSeeds = seeds.filter((x) => !x.ok);
  if (o.json === true) {
    const rows = propertyRows(scenarios, seeds);
    const out = {
      implementation: impl.name,
      capabilities: impl.capabilities,
      ok: failedScenarios.length === 0 && failedSeeds.length === 0,
      scenarios,
      sweep: { seeds: seeds.length, failed: failedSeeds.length, wallMs: Math.round(wallMs) },
      properties: rows.map((r) => ({
        property: r.property,
        scenariosFailed: r.scenariosFailed,
        seedsFailed: r.seedsFailed,
        firstSeed: r.firstSeed,
        replay: r.firstSeed === null ? null : seedReplay(r.firstSeed, spec),
      })),
      shrunk: saved.map((s) => ({ property: s.property, seed: s.seed, file: s.file, after: s.result.after })),
      ...(stopped === null ? {} : { interrupted: true, signal: stopped }),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    const lines = formatReport(impl, scenarios, { seeds, size, wallMs }, saved, c);
    if (stopped !== null)
      lines.push(
        `${c.cyan('stopped'.padEnd(11))}${c.yellow.bold(`interrupted by ${stopped}`)}: ` +
          `${seeds.length} of ${size} seeds run, the results above are partial`,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  const kinds = [...failedSeeds.map((x) => x.kind), ...failedScenarios.map((s) => s.kind!)];
  if (
    kinds.some((k) => k === 'violation' || k === 'assertion' || k === 'impl-error') ||
    failedScenarios.length > 0
  )
    return EXIT_VIOLATION;
  return kinds.length > 0 ? EXIT_NOT_JUDGED : EXIT_OK;
}

export { conform as conformMain };
