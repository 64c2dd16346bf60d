// `raftsim fuzz --for 8h --results DIR`: fresh seeds until the budget is spent, a corpus of
// distinct failures in DIR/corpus/, the state in DIR/fuzz.json (the same command resumes it), and
// `--canary BUG` to check that the harness still catches a catalogue bug. The loop is
// sim/explore/fuzz.ts; this is flags, files, the clock and output.

import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Chalk, type ChalkInstance } from 'chalk';
import { Command, Option } from 'commander';
import { findBug } from '../../bugs/index.ts';
import {
  type CanaryState,
  type CanaryStatus,
  type CorpusEntry,
  canaryStatus,
  type FuzzState,
  fuzzSession,
  newFuzzState,
  parseFuzzState,
  serializeFuzzState,
} from '../explore/fuzz.ts';
import { generateSchedule } from '../explore/generate.ts';
import { type ConfigOverrides, configFor, PROFILE_MODES, type ProfileMode } from '../explore/profile.ts';
import { canonical, describeSettings, settingsKey, shrunkFailure, shrunkTrace } from '../explore/results.ts';
import type { SeedOutcome, SweepSettings } from '../explore/seed-job.ts';
import type { ShrinkBudget } from '../explore/shrink.ts';
import { shrinkInWorker } from '../explore/shrink-thread.ts';
import { catchInterrupts, exitCodeOfSignal, type StopSignal } from '../explore/signals.ts';
import { readInputFile } from '../model/input-file.ts';
import { checkOutputPath, type OutputTarget, userPath, writeOutputFile } from '../model/output-file.ts';
import { type FailureKind, serializeTraceFile } from '../model/trace-file.ts';
import { num, seconds, truncateText } from '../view/report.ts';
import { applyBugRequirements } from './bug-options.ts';
import { EXIT_FINDING, EXIT_NOT_JUDGED } from './exit-codes.ts';
import { configOptions, flagsOf, overridesFrom } from './flags.ts';
import { stderrSink } from './progress.ts';
import { currentBuild, parseSubcommand, SIGNATURE_SHOWN_CHARS } from './shards.ts';
import { EXIT_OK, parseIntInRange, parseRunsShrinkBudget, parseUint, UsageError } from './usage.ts';
import { raftsimVersion } from './version.ts';

interface FuzzFlags {
  for?: string;
  maxSeeds?: string;
  results?: string;
  start?: string;
  canary?: string;
  canaryEvery?: string;
  workers?: string;
  profile?: string;
  bug: string[];
  shrinkBudget?: string;
  json?: boolean;
  quiet?: boolean;
  color: boolean;
}

/** Seeds are 32-bit, as for --seed. */
const MAX_SEED = 2 ** 32 - 1;
/** A fuzz session runs at most a month; a longer one is a typo. */
const MAX_FOR_MS = 30 * 24 * 3_600_000;
const DEFAULT_CANARY_EVERY = 20;
/** New fuzzes start at a random seed at least this far below MAX_SEED, so there is room to run. */
const START_HEADROOM = 2 ** 28;
/** ... and above the ranges tests and CI sweep by number. */
const START_MIN = 2 ** 20;
const STATE_FILE = 'fuzz.json';

function program(): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  const cmd = new Command('raftsim fuzz')
    .description(
      'Run fresh seeds until the budget is spent, keep a corpus of distinct failures, and resume ' +
        'where the last session stopped (run the same command again).',
    )
    .option('--for <duration>', 'wall-time budget of this session: 90s, 30m, 8h, 2d')
    .option('--max-seeds <n>', 'stop this session after n fresh seeds')
    .option(
      '--results <dir>',
      'the fuzz directory: fuzz.json (the state) and corpus/ (one trace per distinct failure)',
    )
    .option('--start <seed>', `first seed of a new fuzz (default: a random one)`)
    .option(
      '--canary <bug>',
      'also run this catalogue bug on a share of seeds, and report if it stops being found',
    )
    .option(
      '--canary-every <n>',
      `one canary run per n fresh seeds, 2 to 1000 (default ${DEFAULT_CANARY_EVERY})`,
    )
    .option('--workers <n>', 'worker threads, 1 to 256 (default: one per core)')
    .addOption(
      new Option(
        '--profile <mode>',
        "'swarm' (default): each seed draws its own fault profile; 'random': without the hand-tuned layers; 'fixed'",
      ).choices(PROFILE_MODES as string[]),
    )
    .option('--bug <name>', 'switch on a bug from the catalogue (repeatable)', collect, []);
  for (const option of configOptions()) cmd.addOption(option);
  return cmd
    .option('--shrink-budget <n>', 'runs the shrinker may spend on each failure (default 500)')
    .option('--json', 'print one JSON object at the end instead of the summary')
    .option('--quiet', 'no progress lines on stderr')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing found (and the canary, if any, found), 1 the corpus holds a failure,\n' +
        '2 bad usage (or a fuzz directory started with another build or config), 3 a run could not be\n' +
        'judged or the canary was not found, 130/143 interrupted (the state is saved: run it again).',
    )
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

/** `90s`, `30m`, `8h`, `2d` (a unit is required: a bare number is ambiguous for hours of work). */
export function parseWallDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m === null ? Number.NaN : Math.round(Number(m[1]) * unitMs[m[2] as keyof typeof unitMs]);
  if (!(ms >= 1 && ms <= MAX_FOR_MS))
    throw new UsageError(`${flag}: '${text}' is not a duration such as 90s, 30m, 8h or 2d, at most 30d`);
  return ms;
}

interface FuzzPlan {
  readonly dir: string;
  readonly stateTarget: OutputTarget;
  readonly state: FuzzState;
  readonly resumed: boolean;
  readonly forMs: number | null;
  readonly maxSeeds: number | null;
  readonly workers: number;
  readonly shrinkBudget: ShrinkBudget;
}

/** The options the bugs need, switched on with a notice on stderr, as for a sweep (bug-options.ts). */
function withNeeds(
  bugs: readonly string[],
  overrides: ConfigOverrides,
  mode: ProfileMode,
  quiet: boolean,
): ConfigOverrides {
  const applied = applyBugRequirements(bugs, overrides, mode);
  if (!quiet) for (const n of applied.notices) process.stderr.write(`raftsim: note: ${n}\n`);
  return applied.overrides;
}

/** Everything the flags and the fuzz directory say, checked before any seed runs. */
function planFuzz(o: FuzzFlags, overrides: ConfigOverrides): FuzzPlan {
  if (o.results === undefined)
    throw new UsageError('fuzz: --results DIR is required (the state and corpus go there)');
  if (o.for === undefined && o.maxSeeds === undefined)
    throw new UsageError('fuzz: give a budget: --for DURATION (8h) or --max-seeds N');
  const forMs = o.for === undefined ? null : parseWallDuration('--for', o.for);
  const maxSeeds = o.maxSeeds === undefined ? null : parseIntInRange('--max-seeds', o.maxSeeds, 1, MAX_SEED);
  const workers =
    o.workers === undefined ? availableParallelism() : parseIntInRange('--workers', o.workers, 1, 256);
  // Runs only: a time budget would make the corpus depend on the machine's speed.
  const shrinkBudget = parseRunsShrinkBudget(o.shrinkBudget);
  for (const name of [...o.bug, ...(o.canary === undefined ? [] : [o.canary])]) {
    if (findBug(name) === undefined)
      throw new UsageError(
        `${o.bug.includes(name) ? '--bug' : '--canary'}: unknown bug '${name}' (--list-bugs shows the catalogue)`,
      );
  }
  if (o.canary !== undefined && o.bug.includes(o.canary))
    throw new UsageError(
      `--canary ${o.canary} is also switched on by --bug: a canary must be off in the fresh seeds`,
    );
  if (o.canaryEvery !== undefined && o.canary === undefined)
    throw new UsageError('--canary-every needs --canary BUG');
  const mode = (o.profile ?? 'swarm') as ProfileMode;
  const settings: SweepSettings = {
    mode,
    overrides: withNeeds(o.bug, overrides, mode, o.quiet === true),
    bugs: o.bug,
  };
  // Flags must be able to say the settings: the corpus's replay commands are built from them.
  flagsOf(settings.overrides);
  const canary =
    o.canary === undefined
      ? null
      : {
          bug: o.canary,
          property: findBug(o.canary)!.property as FailureKind,
          every:
            o.canaryEvery === undefined
              ? DEFAULT_CANARY_EVERY
              : parseIntInRange('--canary-every', o.canaryEvery, 2, 1000),
          settings: {
            mode,
            overrides: withNeeds([...o.bug, o.canary], overrides, mode, o.quiet === true),
            bugs: [...o.bug, o.canary],
          },
        };
  const stateShown = join(o.results, STATE_FILE);
  const stateTarget = checkOutputPath('--results', stateShown, { createParent: true });
  const build = currentBuild();
  if (existsSync(userPath(stateShown))) {
    const state = parseFuzzState(readInputFile(userPath(stateShown), { shown: stateShown }), stateShown);
    checkResumable(stateShown, state, { build, settings, canary, start: o.start });
    return { dir: o.results, stateTarget, state, resumed: true, forMs, maxSeeds, workers, shrinkBudget };
  }
  const start =
    o.start === undefined
      ? randomInt(START_MIN, MAX_SEED - START_HEADROOM)
      : parseUint('--start', o.start, MAX_SEED);
  const state = newFuzzState(build, settings, start, canary);
  return { dir: o.results, stateTarget, state, resumed: false, forMs, maxSeeds, workers, shrinkBudget };
}

/** A fuzz directory resumes only with the build, settings and canary it was started with. */
function checkResumable(
  file: string,
  state: FuzzState,
  now: {
    build: FuzzState['build'];
    settings: SweepSettings;
    canary: { bug: string; every: number } | null;
    start: string | undefined;
  },
): void {
  const refuse = (what: string): never => {
    throw new UsageError(
      `${file}: this fuzz was started with ${what}; resume it with the same, or use another --results directory`,
    );
  };
  if (canonical(state.build) !== canonical(now.build))
    refuse(
      `raftsim ${state.build.version} (commit ${state.build.commit.slice(0, 12)}), not ${now.build.version} (commit ${now.build.commit.slice(0, 12)})`,
    );
  if (settingsKey(state.settings) !== settingsKey(now.settings))
    refuse(`other settings (${describeSettings(state.settings)}, not ${describeSettings(now.settings)})`);
  const canaryKey = (c: { bug: string; every: number } | null): string =>
    c === null ? 'no canary' : `--canary ${c.bug} --canary-every ${c.every}`;
  if (canaryKey(state.canary) !== canaryKey(now.canary)) refuse(canaryKey(state.canary));
  if (now.start !== undefined && Number(now.start) !== state.startSeed) refuse(`--start ${state.startSeed}`);
}

/**
 * `raftsim fuzz ...`: returns the exit code; throws UsageError for bad flags or a directory it
 * cannot resume. `replayCommand` is the one sweeps print (sim/cli/main.ts).
 */
export async function fuzzCommand(
  argv: string[],
  replayCommand: (seed: number, settings: SweepSettings) => string,
): Promise<number> {
  const cmd = program();
  if (!parseSubcommand(cmd, argv, 'fuzz')) return EXIT_OK;
  if (cmd.args.length > 0) throw new UsageError(`fuzz: unexpected argument '${cmd.args[0]}'`);
  const o = cmd.opts<FuzzFlags>();
  const plan = planFuzz(o, overridesFrom(cmd.opts()));
  const noColor = o.color === false || (process.env.NO_COLOR ?? '') !== '';
  const c = new Chalk(noColor ? { level: 0 } : {});
  const { state } = plan;
  const say = (text: string): void => {
    if (o.quiet !== true) stderrSink(false).write(text);
  };
  const session = await runSession(plan, say, ['raftsim fuzz', ...argv].join(' '), replayCommand);
  const canary = state.canary === null ? null : canaryStatus(state.canary);
  if (o.json) {
    const { seeds, wallMs, stopped } = session;
    process.stdout.write(
      `${JSON.stringify({
        ...state,
        dir: plan.dir,
        resumed: plan.resumed,
        session: { seeds, wallMs: Math.round(wallMs), stopped },
        canaryStatus: canary,
        resume: resumeCommand(argv),
      })}\n`,
    );
  } else {
    process.stdout.write(`${formatFuzz(state, plan, session, argv, c).join('\n')}\n`);
  }
  if (session.signal !== null) return exitCodeOfSignal(session.signal);
  if (state.corpus.length > 0) return EXIT_FINDING;
  if (state.notJudged > 0 || canary === 'lost' || canary === 'never-found') return EXIT_NOT_JUDGED;
  return EXIT_OK;
}

interface Session {
  readonly seeds: number;
  readonly wallMs: number;
  /** Why it ended: 'budget' (--for), 'max-seeds', or the signal. */
  readonly stopped: string;
  readonly signal: StopSignal | null;
}

/** One session on plan.state, saving it after every chunk and at the end. */
async function runSession(
  plan: FuzzPlan,
  say: (text: string) => void,
  command: string,
  replayCommand: (seed: number, settings: SweepSettings) => string,
): Promise<Session> {
  const { state } = plan;
  // The session ends at the budget or at Ctrl-C / SIGTERM; only the signal also stops a shrink.
  const interrupt = catchInterrupts();
  const budget = new AbortController();
  const timer = plan.forMs === null ? null : setTimeout(() => budget.abort('budget'), plan.forMs);
  const startMs = performance.now();
  const saveState = (): void => writeOutputFile(plan.stateTarget, serializeFuzzState(state));
  saveState();
  say(
    `fuzz     ${plan.resumed ? `resuming ${plan.dir} at seed ${state.nextSeed}` : `starting ${plan.dir} at seed ${state.startSeed}`}` +
      `${plan.forMs === null ? '' : ` for ${seconds(plan.forMs)}`}${plan.maxSeeds === null ? '' : `, at most ${num(plan.maxSeeds)} seeds`}\n`,
  );
  let seeds: number;
  try {
    ({ seeds } = await fuzzSession(state, {
      workers: plan.workers,
      maxSeeds: plan.maxSeeds,
      maxSeed: MAX_SEED,
      signal: AbortSignal.any([interrupt.signal, budget.signal]),
      clockMs: () => performance.now(),
      shrink: (outcome) => shrinkFailure(outcome, state, plan, interrupt.signal, command),
      onNewFailure: (entry, shrunk) => {
        writeOutputFile(
          checkOutputPath('saving the failure', join(plan.dir, entry.file), { createParent: true }),
          serializeTraceFile(shrunk.trace),
        );
        say(
          `found    ${entry.property} (${entry.id}) in seed ${entry.firstSeed}: ${truncateText(entry.signature, SIGNATURE_SHOWN_CHARS)}\n`,
        );
      },
      onChunk: (s, done) => {
        saveState();
        say(
          `fuzz     ${num(done)} seeds this session, ${num(s.nextSeed - s.startSeed)} in all, ` +
            `${s.corpus.length} distinct failure${s.corpus.length === 1 ? '' : 's'}` +
            `${s.canary === null ? '' : `, canary found ${s.canary.found}/${s.canary.runs}`}` +
            `, ${seconds(performance.now() - startMs)} elapsed\n`,
        );
      },
      onCanary: (status, canary) => say(`canary   ${canaryLine(status, canary)}\n`),
      replay: (seed) => replayCommand(seed, state.settings),
    }));
  } finally {
    if (timer !== null) clearTimeout(timer);
    interrupt.dispose();
  }
  saveState();
  const signal = interrupt.received();
  const stopped = signal ?? (budget.signal.aborted ? 'budget' : 'max-seeds');
  return { seeds, wallMs: performance.now() - startMs, stopped, signal };
}

/** Shrinks a fresh failure on a worker thread; null when Ctrl-C cut the shrink. */
async function shrinkFailure(
  outcome: SeedOutcome,
  state: FuzzState,
  plan: FuzzPlan,
  signal: AbortSignal,
  command: string,
) {
  if (signal.aborted) return null;
  const { mode, overrides, bugs } = state.settings;
  const schedule = generateSchedule(outcome.seed, configFor(outcome.seed, mode, overrides));
  const result = await shrinkInWorker(schedule, { bugs, budget: plan.shrinkBudget, signal });
  if (signal.aborted) return null;
  const trace = shrunkTrace(result, bugs, command, raftsimVersion());
  const property = result.outcome.property;
  const found = shrunkFailure(trace, property, '');
  return { ...found, file: `corpus/${property}-${found.id}.json` };
}

function canaryLine(status: CanaryStatus, c: CanaryState): string {
  const counts = `found in ${num(c.found)} of ${num(c.runs)} canary runs (one per ${c.every} seeds)`;
  switch (status) {
    case 'found':
      return `${c.bug} ${counts}, last in seed ${c.lastFoundSeed}`;
    case 'not-yet':
      return `${c.bug} not found yet in ${num(c.runs)} canary runs`;
    case 'never-found':
      return `${c.bug} NOT FOUND in ${num(c.runs)} canary runs: the harness may not catch ${c.property} as it should`;
    case 'lost':
      return `${c.bug} LOST: ${counts}, but not in the last ${num(c.sinceFound)}: the harness may have stopped catching ${c.property}`;
  }
}

/** The command that continues this fuzz: the same one (flags that set nothing new are harmless). */
function resumeCommand(argv: readonly string[]): string {
  const quote = (arg: string): string =>
    /^[\w./:=,@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
  return ['npx raftsim fuzz', ...argv.map(quote)].join(' ');
}

function formatFuzz(
  s: FuzzState,
  plan: FuzzPlan,
  session: Session,
  argv: readonly string[],
  c: ChalkInstance,
): string[] {
  const { seeds: sessionSeeds, wallMs: sessionMs, stopped } = session;
  const label = (x: string): string => c.cyan(x.padEnd(9));
  const total = s.nextSeed - s.startSeed;
  const lines = [
    `${label('fuzz')}${num(sessionSeeds)} seeds this session (${stopped === 'budget' ? 'budget spent' : stopped === 'max-seeds' ? 'seed budget spent' : `interrupted by ${stopped}`}); ` +
      `${num(total)} in all, seeds ${s.startSeed}..${s.nextSeed - 1}, ${s.sessions} session${s.sessions === 1 ? '' : 's'}`,
    `${label('ran')}${seconds(sessionMs)} on ${plan.workers} worker${plan.workers === 1 ? '' : 's'}, ` +
      `${((sessionSeeds * 1000) / Math.max(1, sessionMs)).toFixed(1)} seeds/s (profile ${s.settings.mode}` +
      `${s.settings.bugs.length > 0 ? `, bugs: ${s.settings.bugs.join(', ')}` : ''})`,
  ];
  if (s.canary !== null) {
    const status = canaryStatus(s.canary);
    const text = canaryLine(status, s.canary);
    lines.push(`${label('canary')}${status === 'found' ? text : c.yellow.bold(text)}`);
  }
  if (s.notJudged > 0)
    lines.push(
      `${label('limits')}${c.yellow(`${num(s.notJudged)} seeds hit a simulator limit and were not judged (first: ${s.notJudgedSeeds.slice(0, 5).join(', ')})`)}`,
    );
  if (s.corpus.length === 0) {
    lines.push(`${label('verdict')}${c.green.bold(`✓ no failure in ${num(total)} fresh seeds`)}`);
  } else {
    lines.push(
      `${label('verdict')}${c.red.bold(`✗ ${num(s.failed - s.notJudged)} failing seeds, ${s.corpus.length} distinct (by property and shrunk-trace signature)`)}`,
    );
    for (const e of s.corpus) lines.push(...corpusLines(e, plan.dir, c));
  }
  lines.push(`${label('resume')}${resumeCommand(argv)}`);
  return lines;
}

function corpusLines(e: CorpusEntry, dir: string, c: ChalkInstance): string[] {
  return [
    `  ${c.bold(e.property)} ${e.id}: ${truncateText(e.signature, SIGNATURE_SHOWN_CHARS)}`,
    `    ${num(e.seeds)} seed${e.seeds === 1 ? '' : 's'}, first ${e.firstSeed}; replay  npm run sim -- --replay ${join(dir, e.file)}`,
  ];
}
