// `raftsim explore --for 10m`: coverage-guided exploration (sim/explore/search/). Keeps a corpus
// of schedules that reached new abstract states, mutates them, reports new states per minute as
// it goes and at the end, and shrinks and saves every distinct failure as a trace file that
// `--replay` re-runs. This file is flags, the clock, files and output; the loop is Explorer.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, Option } from 'commander';
import { findBug } from '../../bugs/index.ts';
import type { ConfigOverrides, ProfileMode } from '../explore/profile.ts';
import { PROFILE_MODES } from '../explore/profile.ts';
import { shrunkFailure, shrunkTrace } from '../explore/results.ts';
import { type ExploreFailure, type ExploreProgress, Explorer } from '../explore/search/explore.ts';
import type { SweepSettings } from '../explore/seed-job.ts';
import { type ShrinkBudget, shrinkSchedule } from '../explore/shrink.ts';
import { catchInterrupts, exitCodeOfSignal } from '../explore/signals.ts';
import { checkOutputPath, writeOutputFile } from '../model/output-file.ts';
import { type FailureKind, serializeTraceFile } from '../model/trace-file.ts';
import { num, seconds } from '../view/report.ts';
import { applyBugRequirements } from './bug-options.ts';
import { EXIT_FINDING, EXIT_NOT_JUDGED } from './exit-codes.ts';
import { configOptions, flagsOf, overridesFrom } from './flags.ts';
import { parseWallDuration } from './fuzz.ts';
import { stderrSink } from './progress.ts';
import { parseSubcommand } from './shards.ts';
import { EXIT_OK, parseIntInRange, parseRunsShrinkBudget, parseUint, UsageError } from './usage.ts';
import { raftsimVersion } from './version.ts';

interface ExploreFlags {
  for?: string;
  runs?: string;
  seed?: string;
  results?: string;
  profile?: string;
  bug: string[];
  stopOnFailure?: boolean;
  shrinkBudget?: string;
  progressEvery?: string;
  json?: boolean;
  quiet?: boolean;
}

const MAX_SEED = 2 ** 32 - 1;
const DEFAULT_RESULTS = 'failures';
/** Progress lines this far apart (wall time) unless --progress-every says otherwise. */
const DEFAULT_PROGRESS_MS = 10_000;

function program(): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  const cmd = new Command('raftsim explore')
    .description(
      'Coverage-guided exploration: keep the schedules that reached new abstract states (roles and ' +
        'terms against the newest, commit lag, stale leaders, cut links, reads, joint configurations) ' +
        'and mutate them (insert, delete, shift, retarget faults; change knobs; splice; redraw); half ' +
        'the runs are fresh seeds from the least-run knob values and pairs of them. ' +
        'Every distinct failure is shrunk and saved. Deterministic for a --seed and --runs.',
    )
    .option('--for <duration>', 'wall-time budget: 90s, 10m, 8h')
    .option('--runs <n>', 'stop after n runs (with --seed: the same exploration every time)')
    .option('--seed <n>', 'the exploration seed, 0 to 2^32-1 (default 1)')
    .option('--results <dir>', `where shrunk failures are saved (default ${DEFAULT_RESULTS}/)`)
    .addOption(
      new Option(
        '--profile <mode>',
        "how fresh schedules are drawn: 'random' (default: the swarm without its hand-tuned layers), 'swarm', 'fixed'",
      ).choices(PROFILE_MODES as string[]),
    )
    .option('--bug <name>', 'switch on a bug from the catalogue (repeatable)', collect, [])
    .option('--stop-on-failure', 'stop at the first failure');
  for (const option of configOptions()) cmd.addOption(option);
  return cmd
    .option('--shrink-budget <n>', 'runs the shrinker may spend on each failure (default 500)')
    .option('--progress-every <s>', 'seconds between progress lines, 1 to 3600 (default 10)')
    .option('--json', 'print one JSON object at the end instead of the summary')
    .option('--quiet', 'no progress lines on stderr')
    .option('--no-color', 'no colours (explore prints none; accepted like every command)')
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing found, 1 a failure was found (and saved), 2 bad usage, 3 a run could\n' +
        'not be judged (a resource limit), 130/143 interrupted.',
    )
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

interface ExplorePlan {
  readonly seed: number;
  readonly forMs: number | null;
  readonly maxRuns: number | null;
  readonly settings: SweepSettings;
  readonly dir: string;
  readonly shrinkBudget: ShrinkBudget;
  readonly progressMs: number;
  readonly stopOnFailure: boolean;
}

function planExplore(o: ExploreFlags, overrides: ConfigOverrides): ExplorePlan {
  if (o.for === undefined && o.runs === undefined)
    throw new UsageError('explore: give a budget: --for DURATION (10m) or --runs N');
  const forMs = o.for === undefined ? null : parseWallDuration('--for', o.for);
  const maxRuns = o.runs === undefined ? null : parseIntInRange('--runs', o.runs, 1, 1_000_000_000);
  const seed = o.seed === undefined ? 1 : parseUint('--seed', o.seed, MAX_SEED);
  for (const name of o.bug)
    if (findBug(name) === undefined)
      throw new UsageError(`--bug: unknown bug '${name}' (--list-bugs shows the catalogue)`);
  // Runs only: a time budget would make what is saved depend on the machine's speed.
  const shrinkBudget = parseRunsShrinkBudget(o.shrinkBudget);
  const progressMs =
    o.progressEvery === undefined
      ? DEFAULT_PROGRESS_MS
      : 1000 * parseIntInRange('--progress-every', o.progressEvery, 1, 3600);
  const mode = (o.profile ?? 'random') as ProfileMode;
  const applied = applyBugRequirements(o.bug, overrides, mode);
  if (o.quiet !== true) for (const n of applied.notices) process.stderr.write(`raftsim: note: ${n}\n`);
  const settings: SweepSettings = { mode, overrides: applied.overrides, bugs: o.bug };
  flagsOf(settings.overrides);
  const dir = o.results ?? DEFAULT_RESULTS;
  // Checked now, not at the first failure: a bad directory must not cost an hour of exploring.
  checkOutputPath('--results', join(dir, 'x.json'), { createParent: true });
  return {
    seed,
    forMs,
    maxRuns,
    settings,
    dir,
    shrinkBudget,
    progressMs,
    stopOnFailure: o.stopOnFailure === true,
  };
}

/** A failure as saved: the shrunk trace's file and signature. */
interface SavedFailure {
  readonly run: number;
  readonly property: string;
  readonly message: string;
  readonly origin: string;
  readonly id: string;
  readonly file: string;
  readonly replay: string;
}

/** New states per minute of wall time (0 before any time has passed). */
function perMinute(count: number, ms: number): number {
  return ms <= 0 ? 0 : Math.round((count * 60_000) / ms);
}

function progressLine(p: ExploreProgress, elapsedMs: number, recentStates: number, recentMs: number): string {
  return (
    `explore  ${num(p.runs)} runs, ${num(p.states)} states (${num(perMinute(recentStates, recentMs))}/min now, ` +
    `${num(perMinute(p.states, elapsedMs))}/min overall), ${num(p.transitions)} transitions, corpus ${num(p.corpus)}, ` +
    `${p.failures} failure${p.failures === 1 ? '' : 's'}, ${seconds(elapsedMs)} elapsed\n`
  );
}

/** `raftsim explore ...`: returns the exit code; throws UsageError for bad flags. */
export async function exploreCommand(argv: string[]): Promise<number> {
  const cmd = program();
  if (!parseSubcommand(cmd, argv, 'explore')) return EXIT_OK;
  if (cmd.args.length > 0) throw new UsageError(`explore: unexpected argument '${cmd.args[0]}'`);
  const o = cmd.opts<ExploreFlags>();
  const plan = planExplore(o, overridesFrom(cmd.opts()));
  const sink = stderrSink(o.quiet === true);
  const say = (text: string): void => {
    if (o.quiet !== true) sink.write(text);
  };
  const command = ['raftsim explore', ...argv].join(' ');
  const explorer = new Explorer(plan.seed, plan.settings);
  const interrupt = catchInterrupts();
  const startMs = performance.now();
  const saved: SavedFailure[] = [];
  const seen = new Set<string>();
  let lastLineMs = startMs;
  let statesAtLastLine = 0;
  say(
    `explore  seed ${plan.seed}, profile ${plan.settings.mode}` +
      `${plan.settings.bugs.length > 0 ? `, bugs ${plan.settings.bugs.join(' ')}` : ''}` +
      `${plan.forMs === null ? '' : `, for ${seconds(plan.forMs)}`}${plan.maxRuns === null ? '' : `, at most ${num(plan.maxRuns)} runs`}\n`,
  );
  try {
    for (;;) {
      if (plan.maxRuns !== null && explorer.runs >= plan.maxRuns) break;
      if (plan.forMs !== null && performance.now() - startMs >= plan.forMs) break;
      if (interrupt.signal.aborted) break;
      const failure = explorer.step();
      if (failure !== null) {
        const kept = saveFailure(failure, plan, command, seen, () => interrupt.signal.aborted);
        if (kept !== null) {
          saved.push(kept);
          say(`found    ${kept.property} in run ${kept.run} (${kept.origin}): ${kept.message}\n`);
          say(`         saved ${kept.file}; replay: ${kept.replay}\n`);
        }
        if (plan.stopOnFailure) break;
      }
      const nowMs = performance.now();
      if (nowMs - lastLineMs >= plan.progressMs) {
        const p = explorer.progress();
        say(progressLine(p, nowMs - startMs, p.states - statesAtLastLine, nowMs - lastLineMs));
        lastLineMs = nowMs;
        statesAtLastLine = p.states;
      }
      // Let signals in between runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    interrupt.dispose();
  }
  const elapsedMs = performance.now() - startMs;
  const r = explorer.result();
  if (o.json === true) {
    process.stdout.write(
      `${JSON.stringify({
        seed: plan.seed,
        profile: plan.settings.mode,
        bugs: plan.settings.bugs,
        runs: r.runs,
        states: r.states,
        transitions: r.transitions,
        corpus: r.corpus,
        statesPerMinute: perMinute(r.states, elapsedMs),
        curve: r.curve,
        notJudged: r.notJudged,
        failures: saved,
        wallMs: Math.round(elapsedMs),
      })}\n`,
    );
  } else {
    const lines = [
      `explore  ${num(r.runs)} runs in ${seconds(elapsedMs)}: ${num(r.states)} distinct abstract states ` +
        `(${num(perMinute(r.states, elapsedMs))} new per minute), ${num(r.transitions)} transitions, corpus ${num(r.corpus)}`,
      r.notJudged > 0 ? `         ${num(r.notJudged)} runs not judged (a resource limit)` : null,
      saved.length === 0
        ? '         no violation found'
        : `         ${saved.length} distinct failure${saved.length === 1 ? '' : 's'} (of ${r.failures} failing runs):`,
      ...saved.map(
        (f) => `         ${f.property} in run ${f.run}: ${f.file}\n           replay: ${f.replay}`,
      ),
    ];
    process.stdout.write(`${lines.filter((l) => l !== null).join('\n')}\n`);
  }
  const signal = interrupt.received();
  if (signal !== null) return exitCodeOfSignal(signal);
  if (r.failures > 0) return EXIT_FINDING;
  if (r.notJudged > 0) return EXIT_NOT_JUDGED;
  return EXIT_OK;
}

/**
 * Shrinks a failing schedule and saves it, unless a failure of the same property and shrunk
 * signature was saved already. Null when it was a duplicate or the shrink was interrupted.
 */
function saveFailure(
  failure: ExploreFailure,
  plan: ExplorePlan,
  command: string,
  seen: Set<string>,
  stopped: () => boolean,
): SavedFailure | null {
  const bugs = plan.settings.bugs;
  let result: ReturnType<typeof shrinkSchedule>;
  try {
    result = shrinkSchedule(failure.schedule, { bugs, budget: plan.shrinkBudget, shouldStop: stopped });
  } catch (error) {
    // Only a run that stopped on an exception (an assertion, a harness error) cannot be shrunk as
    // a violation: it is saved as it ran.
    if (!(error instanceof RangeError)) throw error;
    return null;
  }
  const trace = shrunkTrace(result, bugs, command, raftsimVersion());
  const property = result.outcome.property as FailureKind;
  const found = shrunkFailure(trace, property, '');
  const key = `${property} ${found.id}`;
  if (seen.has(key)) return null;
  seen.add(key);
  const file = join(plan.dir, `${property}-explore${plan.seed}-${found.id}.json`);
  writeOutputFile(
    checkOutputPath('saving the failure', file, { createParent: true }),
    serializeTraceFile(trace),
  );
  const bugFlags = bugs.map((b) => ` --bug ${b}`).join('');
  return {
    run: failure.run,
    property,
    message: failure.message,
    origin: failure.origin,
    id: found.id,
    file,
    replay: `npm run sim -- --replay ${file}${bugFlags}`,
  };
}
