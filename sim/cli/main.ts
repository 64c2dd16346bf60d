import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Chalk, type ChalkInstance } from 'chalk';
import { Command, CommanderError, Option } from 'commander';
import { neverFired } from '../../bugs/fires.ts';
import { BUGS, findBug } from '../../bugs/index.ts';
import { createSafetyCheckers } from '../../properties/index.ts';
import { type ImplSpec, type LoadedImpl, loadImpl } from '../adapters/impl.ts';
import { generateSchedule } from '../explore/generate.ts';
import {
  type ClassifiedRun,
  describeKind,
  expectedOutcomeOf,
  isShrinkable,
  isStopped,
  runClassified,
  type StoppedRun,
} from '../explore/outcome.ts';
import {
  type ConfigOverrides,
  describeProfile,
  PROFILE_MODES,
  type ProfileMode,
} from '../explore/profile.ts';
import {
  describeOutcome,
  failureText,
  type OutcomeRun,
  outcomeOf,
  replayExpectation,
  selectExpectation,
} from '../explore/replay.ts';
import { type RunInWorkerResult, runInWorker } from '../explore/run-thread.ts';
import { configOf, nodeUnderTest, type SeedOutcome, type SweepSettings } from '../explore/seed-job.ts';
import {
  DEFAULT_SHRINK_BUDGET,
  describeBudget,
  parseShrinkBudget,
  type ShrinkBudget,
  type ShrinkProgress,
  type ShrinkResult,
} from '../explore/shrink.ts';
import { shrinkInWorker } from '../explore/shrink-thread.ts';
import { catchInterrupts, exitCodeOfSignal, type StopSignal } from '../explore/signals.ts';
import { runSweep } from '../explore/sweep.ts';
import { validateConfig } from '../model/config.ts';
import { DEFAULT_MAX_INPUT_MB, MAX_INPUT_MB, parseMaxInputMb } from '../model/input-file.ts';
import { AtomicOutput, type OutputTarget, removeTempFiles, userPath } from '../model/output-file.ts';
import type { Schedule } from '../model/schedule.ts';
import { type FailureKind, readTraceFile, type ScheduleSize, type TraceFile } from '../model/trace-file.ts';
import { renderView, VIEW_FORMATS, type ViewFormat } from '../view/render-view.ts';
import { formatSummary, formatViolation, num, seconds, truncateText } from '../view/report.ts';
import type { ViewWindow } from '../view/window.ts';
import { applyBugRequirements, requiredFlags } from './bug-options.ts';
import { exitCodeOf, exitCodeOfAll } from './exit-codes.ts';
import { configOptions, flagsOf, overridesFrom } from './flags.ts';
import { applyImplLimits, implArgs, implSpecOf, shellWord } from './impl-options.ts';
import { lineProgress, RESTORE_TERMINAL, runProgress, stderrSink, sweepProgress } from './progress.ts';
import {
  checkFailuresDirectory,
  checkRunFiles,
  defaultFailureTarget,
  type RunFiles,
  writeHistoryFile,
  writeRunTrace,
} from './run-files.ts';
import {
  checkShardFlagsUse,
  describePlan,
  mergeCommand,
  planSweep,
  recordSweep,
  type SweepPlan,
  subcommandOf,
} from './shards.ts';
import {
  EXIT_OK,
  EXIT_USAGE,
  EXIT_VIOLATION,
  isMainModule,
  parseIntInRange,
  parseRange,
  parseUint,
  UsageError,
} from './usage.ts';
import { raftsimVersion } from './version.ts';
import {
  defaultHtmlName,
  parseViewWindow,
  replayForView,
  runViewCommand,
  writeViewFile,
} from './view-command.ts';

interface CliOptions {
  seed?: string;
  seeds?: string;
  workers?: string;
  profile?: string;
  bug: string[];
  listBugs?: boolean;
  stopOnFailure?: boolean;
  // The config flags' values are read through CONFIG_FLAGS (sim/cli/flags.ts).
  trace?: string;
  json?: boolean;
  quiet?: boolean;
  color: boolean;
  replay?: string;
  format?: ViewFormat;
  viewOut?: string;
  from?: string;
  to?: string;
  viewNodes?: string;
  shrink: boolean;
  shrinkBudget?: string;
  out?: string;
  history?: string;
  save?: string;
  maxInputMb?: string;
  shard?: string;
  shards?: string;
  results?: string;
  impl?: string;
  implCmd?: string;
  implTimeout?: string;
}

const DEFAULT_SEED = 42;
/** Largest seed: seeds are 32-bit, and a replay command with a larger one would be refused. */
const MAX_SEED = 2 ** 32 - 1;
/** Seeds in one sweep: each leaves an outcome in memory until the summary. */
const MAX_SWEEP_SEEDS = 1_000_000;

/** Stray arguments are allowed by commander so that main() can name them (commander only counts them). */
function program(): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  const cmd = new Command('raftsim')
    .description(
      'Deterministic simulation and fuzz testing of Raft: one seed, or a sweep of seeds on every core.',
    )
    .version(raftsimVersion(), '-V, --version', 'print the version and exit')
    .option('--seed <n>', `run one seed, 0 to ${MAX_SEED} (default ${DEFAULT_SEED})`)
    .option(
      '--seeds <a..b>',
      `run every seed from a to b (at most ${num(MAX_SWEEP_SEEDS)}), in parallel, with a progress bar`,
    )
    .option('--workers <n>', 'worker threads for --seeds, 1 to 256 (default: one per core)')
    .addOption(
      new Option(
        '--profile <mode>',
        "'swarm': each seed draws its own fault profile; 'random': the same without the hand-tuned layers; 'fixed': the flags as given",
      )
        .choices(PROFILE_MODES as string[])
        .default(undefined, "'fixed' for --seed, 'swarm' for --seeds"),
    )
    .option('--bug <name>', 'switch on a bug from the catalogue (repeatable; see --list-bugs)', collect, [])
    .option('--list-bugs', 'list the bug catalogue and exit')
    .option('--stop-on-failure', 'with --seeds: stop at the first failing seed')
    .option('--shard <i/n>', 'with --seeds: run shard i (0 to n-1) of n, one block of the range')
    .option('--shards <n>', 'with --seeds: n shards, this one JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)')
    .option(
      '--results <dir>',
      'with --seeds: write a results file (and shrunk failures) to dir, for raftsim merge',
    )
    .option(
      '--impl <module>',
      'test your own Raft: a module exporting a RaftImplementation (docs/implementing.md)',
    )
    .option('--impl-cmd <command>', 'test your own Raft: a command run once per node, speaking JSON lines')
    .option('--impl-timeout <time>', `with --impl-cmd: real time a process may take to answer (default 10s)`);
  for (const option of configOptions()) cmd.addOption(option);
  return cmd
    .option('--trace <file>', 'write every event as JSON Lines to file (one run)')
    .option('--history <file>', "write the run's client history as JSON, as lincheck reads it")
    .option('--save <file>', 'save the run, passing or not, as a trace file that --replay re-runs')
    .option('--replay <file>', 're-run a saved trace and check it shows what it expects')
    .option(
      '--max-input-mb <n>',
      `size limit of a --replay file in MiB, 1 to ${MAX_INPUT_MB} (default ${DEFAULT_MAX_INPUT_MB})`,
    )
    .addOption(
      new Option(
        '--format <view>',
        'also print the run as a step list or a Mermaid sequence diagram, or write it as an HTML page',
      ).choices(VIEW_FORMATS as string[]),
    )
    .option(
      '--view-out <file>',
      'where --format html writes (default raftsim-seed<N>.html, or the replayed file with .html)',
    )
    .option('--from <time>', 'views show the run from this virtual instant (0, 1500ms, 2s)')
    .option('--to <time>', 'views show the run up to this virtual instant')
    .option('--view-nodes <list>', 'views show only these nodes and the messages among them (1,3 or S1,S3)')
    .option('--no-shrink', 'do not shrink a failing run (it is shrunk and saved by default)')
    .option(
      '--shrink-budget <n|time>',
      `runs (500, at most ${num(MAX_SHRINK_RUNS)}) or wall time (30s, at most ${MAX_SHRINK_MS / 60_000}m) ` +
        `the shrinker may spend (default ${describeBudget(DEFAULT_SHRINK_BUDGET)})`,
    )
    .option('--out <file>', 'where to save the shrunk trace (default failures/<property>-seed<N>.json)')
    .option('--json', 'print one JSON object instead of the human summary')
    .option('--quiet', 'no progress bar or progress lines on stderr')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      '\nA saved trace as an HTML page (lanes, messages, partitions, the violation): raftsim view FILE\n' +
        'Scenario files (reactive scripts, README "Writing scenarios"): raftsim scenario FILE|DIR...\n' +
        '(see raftsim view --help).\n' +
        'Coverage-guided exploration, mutating the runs that reached new abstract states:\n' +
        'raftsim explore --for 10m (see raftsim explore --help).\n' +
        '\nExit codes: 0 every property held (replay: the outcome matched), 1 a property was violated\n' +
        'or a node assertion failed (replay: the outcome differed), 2 bad usage or input, 3 a run could\n' +
        'not be judged (raftsim threw: a harness error; or a simulator resource limit was hit).\n\n' +
        'Examples:\n  npm run sim -- --seed 42\n  npm run sim -- --seeds 1..1000\n  npm run sim -- --seed 230 --profile swarm --bug figure8\n' +
        '  npm run sim -- --replay scenarios/figure8.json --bug figure8 --format text',
    )
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

export function replayCommand(seed: number, settings: SweepSettings): string {
  const parts = ['npm run sim --', '--seed', String(seed)];
  if (settings.mode !== 'fixed') parts.push('--profile', settings.mode);
  parts.push(...flagsOf(settings.overrides));
  for (const bug of settings.bugs) parts.push('--bug', bug);
  parts.push(...implArgs(settings.impl).map(shellWord));
  return parts.join(' ');
}

function checkBugs(names: readonly string[]): void {
  for (const name of names) {
    if (findBug(name) === undefined)
      throw new UsageError(`--bug: unknown bug '${name}' (--list-bugs shows the catalogue)`);
  }
}

function listBugs(json: boolean, c: ChalkInstance): void {
  if (json) {
    const rows = BUGS.map((b) => ({
      name: b.name,
      property: b.property,
      description: b.description,
      requires: requiredFlags(b.requires),
      shownBy: bugDemo(b.name),
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const width = Math.max(...BUGS.map((b) => b.name.length));
  for (const b of BUGS) {
    const pad = ' '.repeat(width + 2);
    const needs = requiredFlags(b.requires);
    process.stdout.write(
      `${c.bold(b.name.padEnd(width))}  ${c.cyan(b.property)}\n${pad}${b.description}\n` +
        (needs.length > 0 ? `${pad}${c.dim('needs:')} ${needs.join(', ')}\n` : '') +
        `${pad}${c.dim('shown by:')} ${bugDemo(b.name)}\n`,
    );
  }
}

/** The command that shows a bug: its saved, shrunk trace. */
function bugDemo(name: string): string {
  return `npm run sim -- --replay scenarios/bugs/${name}.json`;
}

// ---------------------------------------------------------------------------------------------
// Shrinking and saving failures

interface ShrinkSettings {
  readonly enabled: boolean;
  readonly budget: ShrinkBudget;
  /** --out: where the one shrunk trace of this command goes (checked before the run). */
  readonly out: OutputTarget | null;
  /** --quiet: no progress. */
  readonly quiet: boolean;
  /** Ctrl-C / SIGTERM: a shrink stops and saves the best trace so far. */
  readonly signal?: AbortSignal;
}

interface SavedShrink {
  readonly file: string;
  /** The command that replays the saved trace. */
  readonly replay: string;
  readonly property: string;
  readonly seed: number;
  readonly result: ShrinkResult;
  /** Stopped by Ctrl-C / SIGTERM: the trace saved is the best found before. */
  readonly interrupted: StopSignal | null;
  /** The trace file written. */
  readonly trace: TraceFile;
}

/** The command line as typed, for a trace's metadata. */
function commandLine(): string {
  return ['npm run sim --', ...process.argv.slice(2).map(shellWord)].join(' ');
}

/** A shrink's progress: a line rewritten in place on a terminal, a plain line now and then otherwise. */
function shrinkProgress(
  label: string,
  quiet: boolean,
): { update: (p: ShrinkProgress) => void; done: () => void } {
  const line = lineProgress(stderrSink(quiet));
  return {
    update: (p) => {
      const of = p.budget.kind === 'runs' ? `/${p.budget.runs}` : '';
      line.update(
        `${label}: run ${p.runs}${of} · ${p.faults} faults, ${p.ops} ops, ${seconds(p.timeMs)} · ${p.pass}`,
      );
    },
    done: () => line.done(),
  };
}

/**
 * Shrinks on a worker thread (so that Ctrl-C is heard: it stops the shrink, and the best trace so
 * far is saved) and writes the shrunk trace.
 */
async function shrinkAndSave(
  schedule: Schedule,
  bugs: readonly string[],
  impl: ImplSpec | null,
  seed: number,
  property: string,
  settings: ShrinkSettings,
  target: OutputTarget,
): Promise<SavedShrink> {
  const progress = shrinkProgress(`shrinking ${property} (seed ${seed})`, settings.quiet);
  // A sweep passes its own signal; one seed or a replay listens only while it shrinks.
  const own = settings.signal === undefined ? catchInterrupts() : null;
  const signal = settings.signal ?? own!.signal;
  let result: ShrinkResult;
  try {
    result = await shrinkInWorker(schedule, {
      bugs,
      impl,
      budget: settings.budget,
      onProgress: progress.update,
      signal,
    });
  } finally {
    progress.done();
    own?.dispose();
  }
  const trace = writeRunTrace(target, {
    schedule: result.schedule,
    bugs,
    outcome: result.outcome,
    meta: {
      raftsimVersion: raftsimVersion(),
      command: commandLine(),
      shrink: { before: result.before, after: result.after, runs: result.runs, complete: result.complete },
    },
  });
  return {
    file: target.shown,
    replay: replayFileCommand(target.shown, impl),
    property,
    seed,
    result,
    interrupted: signal.aborted ? (signal.reason as StopSignal) : null,
    trace,
  };
}

function sizeText(s: ScheduleSize): string {
  return `${num(s.faults)} faults, ${num(s.ops)} ops, ${num(s.events)} events, ${seconds(s.timeMs)}`;
}

function formatShrink(saved: SavedShrink, c: ChalkInstance): string[] {
  const label = (s: string): string => c.cyan(s.padEnd(9));
  const r = saved.result;
  const budgetNote = saved.interrupted
    ? `, interrupted by ${saved.interrupted}: the best so far`
    : r.complete
      ? ''
      : ', budget spent';
  return [
    `${label('shrunk')}${sizeText(r.before)} → ${c.bold(sizeText(r.after))} ` +
      `(${r.after.nodes} nodes, ${r.after.clients} clients; ${r.runs} runs${budgetNote})`,
    `${label('saved')}${saved.file}  (replay it: ${saved.replay})`,
  ];
}

/** Where --history and --save wrote, for the human summary. */
function formatRunFiles(
  files: RunFiles,
  c: ChalkInstance,
  impl: ImplSpec | null,
  historyWritten = true,
): string[] {
  const label = (s: string): string => c.cyan(s.padEnd(9));
  const lines: string[] = [];
  if (files.history !== null && historyWritten) lines.push(`${label('history')}${files.history.shown}`);
  if (files.save !== null)
    lines.push(
      `${label('saved')}${files.save.shown}  (replay it: ${replayFileCommand(files.save.shown, impl)})`,
    );
  return lines;
}

/** The command that replays a saved trace, naming the implementation under test again. */
function replayFileCommand(file: string, impl: ImplSpec | null): string {
  return ['npm run sim --', '--replay', file, ...implArgs(impl).map(shellWord)].join(' ');
}

/** `interrupted: true` and the signal, when Ctrl-C or SIGTERM cut a shrink short. */
function interruptedJson(saved: SavedShrink | null): { interrupted?: true; signal?: StopSignal } {
  return saved?.interrupted ? { interrupted: true, signal: saved.interrupted } : {};
}

function shrinkJson(saved: SavedShrink | null) {
  if (saved === null) return null;
  const r = saved.result;
  return {
    file: saved.file,
    property: saved.property,
    seed: saved.seed,
    before: r.before,
    after: r.after,
    runs: r.runs,
    complete: r.complete,
    interrupted: saved.interrupted !== null,
    outcome: r.outcome,
  };
}

/** Runs a schedule again with tracing on and renders it. */
function viewOf(
  format: ViewFormat,
  schedule: Schedule,
  bugs: readonly string[],
  window: ViewWindow,
  impl: ImplSpec | null,
): string {
  return renderView(format, replayForView(schedule, bugs, window, impl));
}

/** The window flags of a run's view, checked against its node count before it runs. */
function runWindow(o: CliOptions, nodes: number): ViewWindow {
  return parseViewWindow({ from: o.from, to: o.to, nodes: o.viewNodes }, '--view-nodes', nodes);
}

/** An HTML view goes to its file (null is then printed); text and Mermaid stay to be printed. */
function placeView(view: string | null, files: RunFiles): { view: string | null; file: string | null } {
  if (view === null || files.view === null) return { view, file: null };
  return { view: null, file: writeViewFile(files.view, view) };
}

// ---------------------------------------------------------------------------------------------
// One seed

/**
 * Where a run's trace lines go: the `--trace` file (written atomically) and, for `--format`, a
 * buffer for the view. Lines for a view are kept only when one is asked for.
 */
function openTraceSinks(
  o: CliOptions,
  files: RunFiles,
): {
  writer: AtomicOutput | null;
  viewLines: string[] | null;
  onTrace: ((line: string) => void) | undefined;
} {
  const writer = files.trace === null ? null : new AtomicOutput(files.trace);
  const viewLines: string[] | null = o.format !== undefined ? [] : null;
  const sink = writer;
  // With --json the run is traced even without a sink, so that its traceHash is always reported.
  const onTrace =
    sink === null && viewLines === null
      ? o.json === true
        ? (): void => {}
        : undefined
      : (line: string): void => {
          sink?.line(line);
          viewLines?.push(line);
        };
  return { writer, viewLines, onTrace };
}

async function runOne(
  seed: number,
  settings: SweepSettings,
  o: CliOptions,
  c: ChalkInstance,
  shrink: ShrinkSettings,
  files: RunFiles,
): Promise<number> {
  const config = configOf(seed, settings);
  const invalid = validateConfig(config);
  if (invalid !== null) throw new UsageError(invalid);
  const window = runWindow(o, config.nodes);
  // Listening before the trace file exists, so that no signal can find it unwatched.
  const interrupt = files.trace !== null ? catchInterrupts() : null;
  const { writer, viewLines, onTrace } = openTraceSinks(o, files);
  const schedule = generateSchedule(seed, config);
  const startMs = performance.now();
  const live = runProgress(`seed ${seed}`, config.timeMs, stderrSink(o.quiet === true));
  const opts = {
    ...nodeUnderTest(settings.bugs, settings.impl),
    checkers: createSafetyCheckers(),
    ...(live.onProgress === undefined ? {} : { onProgress: live.onProgress }),
  };
  // The trace of a run an exception stopped is kept too: its last lines show what happened.
  let run: ClassifiedRun;
  if (interrupt !== null && writer !== null && onTrace !== undefined) {
    // A trace file is being written: the run goes to a worker thread, so that Ctrl-C can stop it
    // at once and the unfinished file is removed (the main thread would hear it only at the end).
    let r: RunInWorkerResult;
    try {
      r = await runInWorker(schedule, {
        bugs: settings.bugs,
        impl: settings.impl ?? null,
        onTrace,
        ...(live.onProgress === undefined ? {} : { onProgress: live.onProgress }),
        signal: interrupt.signal,
      });
    } finally {
      interrupt.dispose();
      live.done();
    }
    if (r.interrupted !== null) {
      writer.abandon();
      process.stderr.write(`raftsim: seed ${seed} interrupted by ${r.interrupted}; no trace written\n`);
      return exitCodeOfSignal(r.interrupted);
    }
    run = r.run;
  } else {
    run = runClassified(schedule, onTrace === undefined ? opts : { ...opts, onTrace });
    live.done();
  }
  const wallMs = performance.now() - startMs;
  writer?.commit();
  if (isStopped(run)) return reportStoppedRun(run, seed, settings, o, c, shrink, schedule);
  const result = run.result;
  const v = result.violation;
  if (files.history !== null) writeHistoryFile(files.history, result.history);
  if (files.save !== null) {
    const meta = { raftsimVersion: raftsimVersion(), command: commandLine() };
    writeRunTrace(files.save, { schedule, bugs: settings.bugs, outcome: outcomeOf(result), meta });
  }
  let saved: SavedShrink | null = null;
  if (v !== null && shrink.enabled) {
    const target = shrink.out ?? defaultFailureTarget(v.property, seed);
    announceFinding(o, seed, v.property, replayCommand(seed, settings));
    saved = await shrinkAndSave(
      schedule,
      settings.bugs,
      settings.impl ?? null,
      seed,
      v.property,
      shrink,
      target,
    );
  }
  let rendered: string | null = null;
  if (o.format !== undefined) {
    // The minimal story when there is one; otherwise the run itself.
    rendered =
      saved !== null
        ? viewOf(o.format, saved.result.schedule, settings.bugs, window, settings.impl ?? null)
        : renderView(o.format, {
            schedule,
            bugs: settings.bugs,
            lines: viewLines ?? [],
            outcome: expectedOutcomeOf(run),
            violation: v,
            history: result.history,
            window,
          });
  }
  const { view, file: viewFile } = placeView(rendered, files);
  if (o.json) {
    const out = {
      seed,
      profile: settings.mode,
      bugs: settings.bugs,
      config,
      ok: result.ok,
      violation:
        v === null
          ? null
          : {
              property: v.property,
              step: v.step,
              timeMs: v.timeMs,
              message: v.message,
              nodes: v.nodes,
              terms: v.terms,
              indices: v.indices,
              logs: v.logs,
              recentEvents: v.recentEvents,
            },
      events: result.events,
      simulatedMs: result.simulatedMs,
      wallMs: Math.round(wallMs),
      eventsPerSec: wallMs > 0 ? Math.round((result.events * 1000) / wallMs) : null,
      leadersByTerm: result.leadersByTerm,
      committed: result.maxCommitIndex,
      clientOps: { ok: result.clientOps.ok, failed: result.clientOps.fail, timedOut: result.clientOps.info },
      faults: result.faults,
      messages: result.messages,
      liveness: result.liveness,
      leaderStability: result.leaderStability,
      linearizability: result.linearizability,
      ...(result.config.membership === undefined
        ? {}
        : { membership: result.membership, configurations: result.configurations }),
      traceHash: result.traceHash,
      bugFires: result.bugFires,
      replay: v === null ? null : replayCommand(seed, settings),
      shrunk: shrinkJson(saved),
      ...interruptedJson(saved),
      ...(view === null ? {} : { view }),
      ...(viewFile === null ? {} : { viewFile: files.view?.shown }),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    if (view !== null) process.stdout.write(view);
    const lines = formatSummary(result, wallMs, describeProfile(config), c);
    if (settings.bugs.length > 0)
      lines.splice(1, 0, `${c.cyan('bugs'.padEnd(9))}${describeFires(result.bugFires, c)}`);
    if (v !== null) lines.push(`${c.cyan('replay'.padEnd(9))}${replayCommand(seed, settings)}`);
    lines.push(...formatRunFiles(files, c, settings.impl ?? null));
    if (saved !== null) lines.push(...formatShrink(saved, c));
    if (viewFile !== null) lines.push(`${c.cyan('view'.padEnd(9))}${viewFile}`);
    summaryStream(view).write(`${lines.join('\n')}\n`);
  }
  return saved?.interrupted ? exitCodeOfSignal(saved.interrupted) : exitCodeOf(run.kind);
}

/** `figure8 (fired 12 times)`, or the warning that a bug never changed a decision in this run. */
function describeFires(fires: Readonly<Record<string, number>> | null, c: ChalkInstance): string {
  if (fires === null) return '';
  const never = neverFired(fires);
  const fired = Object.entries(fires)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} (fired ${num(n)} time${n === 1 ? '' : 's'})`);
  return [...fired, ...never.map((line) => c.yellow(line))].join(', ');
}

/** Before a long shrink: the finding and its replay command, so that nothing is lost if it is cut short. */
function announceFinding(o: CliOptions, seed: number, property: string, replay: string): void {
  // Not progress: --quiet keeps it. --json records it in its object instead.
  if (o.json === true) return;
  process.stderr.write(
    `found    ${failureText(property as FailureKind)} in seed ${seed}; replay: ${replay}\n`,
  );
}

/** The report of a run an exception stopped: an assertion, a harness error or a resource limit. */
async function reportStoppedRun(
  run: StoppedRun,
  seed: number,
  settings: SweepSettings,
  o: CliOptions,
  c: ChalkInstance,
  shrink: ShrinkSettings,
  schedule: Schedule,
): Promise<number> {
  const replay = replayCommand(seed, settings);
  let saved: SavedShrink | null = null;
  if (isShrinkable(run.kind) && shrink.enabled) {
    announceFinding(o, seed, run.kind, replay);
    saved = await shrinkAndSave(
      schedule,
      settings.bugs,
      settings.impl ?? null,
      seed,
      run.kind,
      shrink,
      shrink.out ?? defaultFailureTarget(run.kind, seed),
    );
  }
  const stopped = { kind: run.kind, message: run.message, step: run.step, timeMs: run.timeMs };
  if (o.json) {
    const out = {
      seed,
      profile: settings.mode,
      bugs: settings.bugs,
      config: schedule.config,
      ok: false,
      outcome: run.kind,
      stopped: { ...stopped, recentEvents: run.recentEvents, stack: run.stack },
      violation: null,
      replay,
      shrunk: shrinkJson(saved),
      ...interruptedJson(saved),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return saved?.interrupted ? exitCodeOfSignal(saved.interrupted) : exitCodeOf(run.kind);
  }
  const label = (s: string): string => c.cyan(s.padEnd(9));
  const lines = [
    `${label('seed')}${seed}`,
    `${label('config')}${describeProfile(schedule.config)}`,
    ...(settings.bugs.length > 0 ? [`${label('bugs')}${settings.bugs.join(', ')}`] : []),
    `${c.red.bold(`✗ ${run.kind.toUpperCase()}`)} at step ${num(run.step)}, t=${seconds(run.timeMs)}: ${describeKind(run.kind, '')}`,
    `  ${run.message}`,
  ];
  if (run.recentEvents.length > 0) {
    lines.push(
      c.dim(`  last ${run.recentEvents.length} events:`),
      ...run.recentEvents.map((e) => `    ${e}`),
    );
  }
  if (run.stack !== null)
    lines.push(c.dim('  stack (a bug in raftsim; please report it):'), `  ${run.stack}`);
  lines.push(`${label('replay')}${replay}`);
  if (saved !== null) lines.push(...formatShrink(saved, c));
  process.stdout.write(`${lines.join('\n')}\n`);
  return saved?.interrupted ? exitCodeOfSignal(saved.interrupted) : exitCodeOf(run.kind);
}

/** With a view on stdout (to pipe into a file), the summary goes to stderr. */
function summaryStream(view: string | null): NodeJS.WriteStream {
  return view === null ? process.stdout : process.stderr;
}

// ---------------------------------------------------------------------------------------------
// Replay of a saved trace

async function runReplay(
  file: string,
  impl: ImplSpec | null,
  o: CliOptions,
  c: ChalkInstance,
  shrink: ShrinkSettings,
  files: RunFiles,
): Promise<number> {
  const maxMb = o.maxInputMb === undefined ? undefined : parseMaxInputMb('--max-input-mb', o.maxInputMb);
  const trace: TraceFile = readTraceFile(userPath(file), {
    shown: file,
    limitFlag: '--max-input-mb',
    ...(maxMb === undefined ? {} : { maxMb }),
  });
  // Another implementation is held to what the reference node shows without bugs, and to every
  // property on a trace recorded only with bugs on (as conform holds it).
  const noBugs = trace.expectations.find((e) => e.bugs.length === 0);
  const chosen =
    impl === null
      ? selectExpectation(trace, file, o.bug.length > 0 ? o.bug : undefined)
      : (noBugs ?? { bugs: [], outcome: { status: 'ok' as const } });
  if (typeof chosen === 'string') throw new UsageError(chosen);
  const window = runWindow(o, trace.schedule.config.nodes);
  const { writer, viewLines, onTrace } = openTraceSinks(o, files);
  let report: ReturnType<typeof replayExpectation>;
  try {
    report = replayExpectation(trace, file, chosen, onTrace === undefined ? { impl } : { onTrace, impl });
  } catch (error) {
    writer?.abandon();
    throw error;
  }
  writer?.commit();
  const run: OutcomeRun = report.run;
  const actual = report.actual;
  // A run stopped by an assertion has no result, hence no history to write.
  if (files.history !== null && run.result !== null) writeHistoryFile(files.history, run.result.history);
  if (files.history !== null && run.result === null)
    process.stderr.write(`raftsim: --history: nothing written, the run stopped at an assertion\n`);
  if (files.save !== null) {
    const meta = { raftsimVersion: raftsimVersion(), command: commandLine() };
    writeRunTrace(files.save, {
      schedule: trace.schedule,
      bugs: chosen.bugs,
      outcome: actual,
      meta,
      comment: trace.comment,
    });
  }
  // A violation nobody expected is a new failure: shrink and save it like one from a seed.
  let saved: SavedShrink | null = null;
  if (!report.matched && actual.status === 'violation' && isShrinkable(run.kind) && shrink.enabled) {
    announceFinding(o, trace.schedule.seed, actual.property, replayFileCommand(file, impl));
    const out = shrink.out ?? defaultFailureTarget(actual.property, trace.schedule.seed);
    saved = await shrinkAndSave(
      trace.schedule,
      chosen.bugs,
      impl,
      trace.schedule.seed,
      actual.property,
      shrink,
      out,
    );
  }
  const { view, file: viewFile } = placeView(
    o.format === undefined
      ? null
      : renderView(o.format, {
          schedule: trace.schedule,
          bugs: chosen.bugs,
          lines: viewLines ?? [],
          outcome: actual,
          violation: run.result?.violation ?? null,
          history: run.result?.history ?? [],
          window,
        }),
    files,
  );
  if (o.json) {
    const out = {
      file,
      bugs: chosen.bugs,
      matched: report.matched,
      expected: report.expected,
      actual,
      difference: report.difference,
      comment: trace.comment ?? null,
      events: run.result?.events ?? null,
      simulatedMs: run.result?.simulatedMs ?? null,
      traceHash: run.result?.traceHash ?? null,
      violation: run.result?.violation ?? null,
      shrunk: shrinkJson(saved),
      ...interruptedJson(saved),
      ...(view === null ? {} : { view }),
      ...(viewFile === null ? {} : { viewFile: files.view?.shown }),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    if (view !== null) process.stdout.write(view);
    const label = (s: string): string => c.cyan(s.padEnd(9));
    const lines = [
      `${label('replay')}${file}${chosen.bugs.length > 0 ? ` (bugs: ${chosen.bugs.join(', ')})` : ''}`,
    ];
    if (trace.comment !== undefined) lines.push(`${label('story')}${truncateText(trace.comment)}`);
    lines.push(`${label('expected')}${describeOutcome(report.expected)}`);
    lines.push(`${label('actual')}${describeOutcome(actual)}`);
    if (run.result !== null && run.result.violation !== null)
      lines.push(...formatViolation(run.result.violation, c));
    if (run.stopped !== null) {
      lines.push(`  ${run.stopped.message}`, ...run.assertionEvents.map((e) => `    ${e}`));
    }
    lines.push(
      report.matched
        ? `${label('verdict')}${c.green.bold('✓ matched the recorded outcome')}`
        : `${label('verdict')}${c.red.bold('✗ differs')}: ${report.difference}`,
    );
    lines.push(...formatRunFiles(files, c, impl, run.result !== null));
    if (saved !== null) lines.push(...formatShrink(saved, c));
    if (viewFile !== null) lines.push(`${label('view')}${viewFile}`);
    summaryStream(view).write(`${lines.join('\n')}\n`);
  }
  if (saved?.interrupted) return exitCodeOfSignal(saved.interrupted);
  return report.matched ? EXIT_OK : Math.max(EXIT_VIOLATION, exitCodeOf(run.kind));
}

async function runMany(
  plan: SweepPlan,
  settings: SweepSettings,
  o: CliOptions,
  c: ChalkInstance,
  shrinkFlags: ShrinkSettings,
) {
  const workers =
    o.workers === undefined ? availableParallelism() : parseIntInRange('--workers', o.workers, 1, 256);
  const range = plan.range;
  const total = Math.max(0, range.hi - range.lo + 1);
  // Ctrl-C / SIGTERM: the workers stop, and what was found so far is reported (exit 130 / 143).
  const interrupt = catchInterrupts();
  const shrink: ShrinkSettings = { ...shrinkFlags, signal: interrupt.signal };
  const progress = sweepProgress(total, stderrSink(o.quiet === true));
  // A bar cut short must not leave the terminal without a cursor or line wrap.
  const onAbort = (): void => {
    progress.stop();
    if (process.stderr.isTTY === true) process.stderr.write(RESTORE_TERMINAL);
  };
  interrupt.signal.addEventListener('abort', onAbort, { once: true });
  let done = 0;
  let failures = 0;
  const startMs = performance.now();
  try {
    const result = await runSweep({
      lo: range.lo,
      hi: range.hi,
      workers,
      settings,
      stopOnFailure: o.stopOnFailure === true,
      signal: interrupt.signal,
      onOutcome: (outcome) => {
        done++;
        if (!outcome.ok) failures++;
        progress.update(done, failures);
      },
    });
    progress.stop();
    const wallMs = performance.now() - startMs;
    const failed = result.outcomes.filter((x) => !x.ok);
    const events = result.outcomes.reduce((sum, x) => sum + x.events, 0);
    const sweep: SweepReport = { outcomes: result.outcomes, total, failed, events, wallMs, workers };
    // The failures and their replay commands come out before shrinking, which may take minutes.
    if (!o.json) {
      const lines = formatSweep(sweep, settings, c);
      if (plan.shard !== null) lines.splice(1, 0, `${c.cyan('shard'.padEnd(9))}${describePlan(plan)}`);
      if (interrupt.signal.aborted) lines.push(interruptedLine(interrupt.received(), c));
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    // The first failing seed of each property, shrunk and saved (outcomes are in seed order).
    const saved: SavedShrink[] = [];
    if (shrink.enabled && !interrupt.signal.aborted) {
      const firstByProperty = new Map<string, SeedOutcome>();
      for (const f of failed) {
        const property = f.property ?? 'unknown';
        if (isShrinkable(f.kind) && !firstByProperty.has(property)) firstByProperty.set(property, f);
      }
      for (const [property, f] of firstByProperty) {
        if (interrupt.signal.aborted) break;
        const schedule = generateSchedule(f.seed, configOf(f.seed, settings));
        const one = await shrinkAndSave(
          schedule,
          settings.bugs,
          settings.impl ?? null,
          f.seed,
          property,
          shrink,
          defaultFailureTarget(property, f.seed, plan.failuresDir ?? undefined),
        );
        saved.push(one);
        if (!o.json) {
          const lines = [
            `  ${c.bold(one.property)} (seed ${one.seed}):`,
            ...formatShrink(one, c).map((l) => `  ${l}`),
          ];
          if (one.interrupted !== null) lines.push(interruptedLine(interrupt.received(), c));
          process.stdout.write(`${lines.join('\n')}\n`);
        }
      }
    }
    const fired = seedsFired(sweep.outcomes, settings.bugs);
    const results = recordSweep(plan, sweep, settings, fired, saved, interrupt.signal.aborted, replayCommand);
    if (results !== null && !o.json) process.stdout.write(`${c.cyan('results'.padEnd(9))}${results}\n`);
    if (o.json) {
      const where = {
        ...(plan.shard === null ? {} : { shard: plan.shard }),
        ...(results === null ? {} : { results }),
      };
      process.stdout.write(
        `${JSON.stringify({ ...sweepJson(sweep, settings, saved, interrupt), ...where })}\n`,
      );
    }
    const signal = interrupt.received();
    if (signal !== null) return exitCodeOfSignal(signal);
    return exitCodeOfAll(result.outcomes.map((x) => x.kind));
  } finally {
    interrupt.signal.removeEventListener('abort', onAbort);
    interrupt.dispose();
  }
}

/** For each bug switched on, in how many seeds its decision ever differed from the correct one. */
function seedsFired(outcomes: readonly SeedOutcome[], bugs: readonly string[]): Record<string, number> {
  const seeds: Record<string, number> = {};
  for (const name of bugs) seeds[name] = 0;
  for (const o of outcomes) {
    for (const [name, n] of Object.entries(o.bugFires ?? {})) if (n > 0) seeds[name] = (seeds[name] ?? 0) + 1;
  }
  return seeds;
}

interface SweepReport {
  readonly outcomes: SeedOutcome[];
  readonly total: number;
  readonly failed: SeedOutcome[];
  readonly events: number;
  readonly wallMs: number;
  readonly workers: number;
}

function interruptedLine(signal: string | null, c: ChalkInstance): string {
  return `${c.cyan('stopped'.padEnd(9))}${c.yellow.bold(`interrupted by ${signal ?? 'a signal'}`)}: the results above are partial`;
}

function sweepJson(
  r: SweepReport,
  settings: SweepSettings,
  saved: readonly SavedShrink[],
  interrupt: { received(): string | null },
) {
  const signal = interrupt.received();
  return {
    seeds: r.outcomes.length,
    requested: r.total,
    ok: r.failed.length === 0,
    passed: r.outcomes.length - r.failed.length,
    profile: settings.mode,
    bugs: settings.bugs,
    failures: r.failed.map((x) => ({
      seed: x.seed,
      kind: x.kind,
      property: x.property,
      message: x.message,
      step: x.step,
      profile: x.profile,
      replay: replayCommand(x.seed, settings),
    })),
    events: r.events,
    wallMs: Math.round(r.wallMs),
    workers: r.workers,
    shrunk: saved.map((x) => shrinkJson(x)),
    seedsFired: seedsFired(r.outcomes, settings.bugs),
    ...(signal === null ? {} : { interrupted: true, signal }),
  };
}

function formatSweep(r: SweepReport, settings: SweepSettings, c: ChalkInstance): string[] {
  const { outcomes, total, failed, events, wallMs, workers } = r;
  const label = (s: string): string => c.cyan(s.padEnd(9));
  const lines = [
    `${label('seeds')}${num(outcomes.length)} of ${num(total)} run (profile ${settings.mode}` +
      `${settings.bugs.length > 0 ? `, bugs: ${settings.bugs.join(', ')}` : ''})`,
    `${label('ran')}${num(events)} events in ${seconds(wallMs)} on ${workers} worker${workers === 1 ? '' : 's'}, ` +
      `${((outcomes.length * 1000) / Math.max(1, wallMs)).toFixed(1)} seeds/s`,
  ];
  for (const [name, n] of Object.entries(seedsFired(outcomes, settings.bugs))) {
    const text = `${name} fired in ${num(n)} of ${num(outcomes.length)} seeds`;
    lines.push(
      `${label('bug')}${n === 0 ? c.yellow(`${text}: it was on but never fired in this sweep`) : text}`,
    );
  }
  if (failed.length === 0) {
    lines.push(
      `${label('verdict')}${c.green.bold(`✓ ${outcomes.length === 1 ? `seed ${outcomes[0]!.seed}` : `all ${num(outcomes.length)} seeds`} held every property`)}`,
    );
    return lines;
  }
  const byProperty = new Map<string, SeedOutcome[]>();
  for (const f of failed) {
    const key = f.property ?? 'unknown';
    const list = byProperty.get(key) ?? [];
    list.push(f);
    byProperty.set(key, list);
  }
  lines.push(
    `${label('verdict')}${c.red.bold(`✗ ${num(failed.length)} of ${num(outcomes.length)} seeds failed`)}`,
  );
  for (const [property, list] of byProperty) {
    const first = list.slice(0, 8).map((f) => f.seed);
    const what =
      list[0]!.kind === 'violation' ? property : `${property} — ${describeKind(list[0]!.kind, property)}`;
    lines.push(
      `  ${c.bold(what)}: ` +
        (list.length === 1
          ? `seed ${first[0]}`
          : `${num(list.length)} seeds, first ${first.join(', ')}${list.length > 8 ? ', …' : ''}`),
    );
    const example = list[0]!;
    lines.push(`    seed ${example.seed}: ${example.message}`);
    lines.push(`    profile ${example.profile}`);
    lines.push(`    replay  ${replayCommand(example.seed, settings)}`);
  }
  return lines;
}

async function main(argv: string[]): Promise<number> {
  const sub = subcommandOf(argv);
  if (sub?.name === 'view') return runViewCommand(sub.args);
  if (sub?.name === 'merge') return mergeCommand(sub.args);
  if (sub?.name === 'fuzz') return (await import('./fuzz.ts')).fuzzCommand(sub.args, replayCommand);
  if (sub?.name === 'scenario') return (await import('./scenario-command.ts')).scenarioCommand(sub.args);
  if (sub?.name === 'explore') return (await import('./explore.ts')).exploreCommand(sub.args);
  const cmd = program();
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
      throw new UsageError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  if (cmd.args.length > 0) throw new UsageError(`unexpected argument '${cmd.args[0]}'`);
  const o = cmd.opts<CliOptions>();
  const noColor = o.color === false || (process.env.NO_COLOR ?? '') !== '';
  const c = new Chalk(noColor ? { level: 0 } : {});
  if (o.listBugs) {
    listBugs(o.json === true, c);
    return EXIT_OK;
  }
  if (o.seed !== undefined && o.seeds !== undefined)
    throw new UsageError('give either --seed or --seeds, not both');
  for (const [flag, value] of [
    ['--trace', o.trace],
    ['--history', o.history],
    ['--save', o.save],
  ] as const) {
    if (value !== undefined && o.seeds !== undefined)
      throw new UsageError(`${flag} records one run: use it with --seed or --replay`);
  }
  checkShardFlagsUse(o, o.seeds !== undefined);
  if (o.maxInputMb !== undefined && o.replay === undefined)
    throw new UsageError('--max-input-mb limits the file --replay reads: use it with --replay');
  checkBugs(o.bug);
  const implSpec = implSpecOf(o);
  const impl = implSpec === null ? null : await loadImpl(implSpec);
  const overrides = overridesFrom(cmd.opts());
  if (o.replay !== undefined) {
    if (o.seed !== undefined || o.seeds !== undefined)
      throw new UsageError('--replay runs the schedule saved in the file: give no --seed or --seeds');
    if (o.profile !== undefined || Object.keys(overrides).length > 0)
      throw new UsageError('--replay uses the config saved in the file: no --profile or config flags');
  }
  if (o.seeds !== undefined && o.out !== undefined)
    throw new UsageError('--out names one file: use it with --seed or --replay (a sweep saves to failures/)');
  const viewFlags = [
    ['--view-out', o.viewOut],
    ['--from', o.from],
    ['--to', o.to],
    ['--view-nodes', o.viewNodes],
  ] as const;
  for (const [flag, value] of viewFlags) {
    if (value !== undefined && o.format === undefined)
      throw new UsageError(`${flag} shapes the view: use it with --format`);
  }
  if (o.viewOut !== undefined && o.format !== 'html')
    throw new UsageError('--view-out names the HTML page: use it with --format html');
  // Every output path is checked before anything runs: a bad one costs no simulation.
  const files = checkRunFiles({ ...o, view: htmlViewPath(o) });
  const shrink = shrinkSettings(o, files);
  // With --results, failures go to DIR/failures/, checked with the results file (planSweep).
  if (shrink.enabled && shrink.out === null && o.results === undefined) checkFailuresDirectory();
  if (o.replay !== undefined) return runReplay(o.replay, implSpec, o, c, shrink, files);
  if (o.seeds !== undefined) {
    if (o.format !== undefined)
      throw new UsageError('--format shows one run: use it with --seed or --replay');
    const range = parseRange('--seeds', o.seeds, MAX_SEED, MAX_SWEEP_SEEDS);
    const mode = (o.profile ?? 'swarm') as ProfileMode;
    const settings = { mode, overrides: withBugNeeds(o, overrides, mode), bugs: o.bug, impl: implSpec };
    return runMany(planSweep(range, o), withImplLimits(o, impl, settings), o, c, shrink);
  }
  const { seed, settings } = seedRun(o, overrides);
  return runOne(seed, withImplLimits(o, impl, settings), o, c, shrink, files);
}

/** The settings with what the implementation does not support held off, and a notice for each. */
function withImplLimits(o: CliOptions, impl: LoadedImpl | null, settings: SweepSettings): SweepSettings {
  if (impl === null) return settings;
  const applied = applyImplLimits(impl, settings.overrides);
  if (o.quiet !== true && applied.notice !== null) process.stderr.write(`raftsim: note: ${applied.notice}\n`);
  return { ...settings, held: applied.held };
}

/** Where --format html writes: --view-out, or a name made from the seed or the replayed file. */
function htmlViewPath(o: CliOptions): string | undefined {
  if (o.format !== 'html' || o.seeds !== undefined) return undefined;
  if (o.viewOut !== undefined) return o.viewOut;
  if (o.replay !== undefined) return defaultHtmlName(o.replay);
  return `raftsim-seed${o.seed ?? DEFAULT_SEED}.html`;
}

/** The seed and settings a --seed command line (or none of --seed, --replay) runs. */
function seedRun(o: CliOptions, overrides: ConfigOverrides): { seed: number; settings: SweepSettings } {
  const seed = o.seed === undefined ? DEFAULT_SEED : parseUint('--seed', o.seed, MAX_SEED);
  const mode = (o.profile ?? 'fixed') as ProfileMode;
  const impl = implSpecOf(o);
  const settings = { mode, overrides: withBugNeeds(o, overrides, mode), bugs: o.bug };
  return { seed, settings: impl === null ? settings : { ...settings, impl } };
}

/**
 * The seed and settings a replayCommand's arguments run, read as main() reads them, without
 * running anything: test/config-flags.test.ts checks that every printed command reads back.
 */
export function seedRunOf(argv: string[]): { seed: number; settings: SweepSettings } {
  const cmd = program();
  cmd.parse(argv, { from: 'user' });
  const o = cmd.opts<CliOptions>();
  return seedRun(o, overridesFrom(cmd.opts()));
}

/** The options the bugs need, switched on with a notice on stderr (sim/cli/bug-options.ts). */
function withBugNeeds(o: CliOptions, overrides: ConfigOverrides, mode: ProfileMode): ConfigOverrides {
  const applied = applyBugRequirements(o.bug, overrides, mode);
  if (o.quiet !== true) for (const n of applied.notices) process.stderr.write(`raftsim: note: ${n}\n`);
  return applied.overrides;
}

/** Bounds on --shrink-budget: a shrink is a wait in front of the user, never an overnight job. */
const MAX_SHRINK_RUNS = 1_000_000;
const MAX_SHRINK_MS = 3_600_000;

function shrinkSettings(o: CliOptions, files: RunFiles): ShrinkSettings {
  let budget = DEFAULT_SHRINK_BUDGET;
  if (o.shrinkBudget !== undefined) {
    const parsed = parseShrinkBudget(o.shrinkBudget);
    const tooBig =
      parsed !== null && (parsed.kind === 'runs' ? parsed.runs > MAX_SHRINK_RUNS : parsed.ms > MAX_SHRINK_MS);
    if (parsed === null || tooBig) {
      throw new UsageError(
        `--shrink-budget: '${o.shrinkBudget}' is not a number of runs (500) or a duration (30s, 1500ms, 2m), ` +
          `at most ${num(MAX_SHRINK_RUNS)} runs or ${MAX_SHRINK_MS / 60_000}m`,
      );
    }
    budget = parsed;
  }
  return { enabled: o.shrink !== false, budget, out: files.out, quiet: o.quiet === true };
}

/**
 * Runs the command line `argv` (without `node` and the script) and returns its exit code. A
 * usage or input error is one line on stderr and exit code 2, with no temporary file left;
 * anything else is a bug in raftsim (an assertion included) and is thrown, stack and all.
 * Exported so that tests can run many command lines in one process.
 */
const SWITCHES_BEFORE_COMMAND = ['--no-color', '--json', '--quiet'];

export async function runCli(argv: string[]): Promise<number> {
  try {
    // `raftsim conform ...`, after flags that take no value (`--no-color conform` too).
    const at = argv.findIndex((arg) => !SWITCHES_BEFORE_COMMAND.includes(arg));
    if (argv[at] === 'conform') {
      const { conformMain } = await import('./conform.ts');
      return await conformMain([...argv.slice(0, at), ...argv.slice(at + 1)]);
    }
    return await main(argv);
  } catch (error) {
    removeTempFiles();
    if (error instanceof UsageError) {
      process.stderr.write(`raftsim: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** The process around runCli: `npm run sim` and the raftsim executable (sim/cli/bin.ts) both start here. */
export function startCli(argv: string[]): void {
  // A reader that stops early (`| head`) closes the pipe: that ends the output, it is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
    throw error;
  });

  // Whatever ends the process, no temporary file outlives it and the terminal is given back.
  process.on('exit', () => {
    removeTempFiles();
    if (process.stderr.isTTY === true) process.stderr.write(RESTORE_TERMINAL);
  });
  // Ctrl-C and SIGTERM: long work (sweeps, shrinks, a run writing --trace) catches them while it
  // runs and reports what it has; at any other moment they keep their default, immediate effect
  // (a handler here would wait for a synchronous run to end before it could act).

  runCli(argv).then((code) => {
    process.exitCode = code;
  });
}

if (isMainModule(import.meta.url)) startCli(process.argv.slice(2));
