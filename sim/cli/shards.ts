// The command line of sweeps beyond one machine: `--shard i/n` (or `--shards n` with the index
// from JOB_COMPLETION_INDEX, as a Kubernetes Indexed Job sets it), `--results DIR` (one results
// file per shard) and `raftsim merge DIR…`. The partition, the file format and the merge itself
// live in sim/explore/ (shard.ts, results.ts); this is flags, environment, files and output.

import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Chalk, type ChalkInstance } from 'chalk';
import { Command, CommanderError } from 'commander';
import {
  type Build,
  type MergedResults,
  makeResults,
  mergeResults,
  type NamedResults,
  parseResults,
  type ResultsFile,
  type ShrunkFailure,
  serializeResults,
  shrunkFailure,
} from '../explore/results.ts';
import type { SeedOutcome, SweepSettings } from '../explore/seed-job.ts';
import { MAX_SHARDS, type SeedRange, type Shard, shardRange } from '../explore/shard.ts';
import { readInputFile } from '../model/input-file.ts';
import {
  checkOutputPath,
  errnoReason,
  type OutputTarget,
  userPath,
  writeOutputFile,
} from '../model/output-file.ts';
import type { FailureKind, TraceFile } from '../model/trace-file.ts';
import { num, seconds, truncateText } from '../view/report.ts';
import { exitCodeOfAll } from './exit-codes.ts';
import { checkFailuresDirectory } from './run-files.ts';
import { EXIT_OK, parseIntInRange, parseUint, UsageError } from './usage.ts';
import { raftsimCommit, raftsimVersion } from './version.ts';

/** The variable a Kubernetes Indexed Job sets in each pod: its index, 0 to completions - 1. */
export const INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** The shard count when no --shards is given (an Indexed Job does not tell a pod the count). */
export const COUNT_ENV = 'RAFTSIM_SHARDS';

export interface ShardFlags {
  readonly shard?: string | undefined;
  readonly shards?: string | undefined;
  readonly results?: string | undefined;
}

/**
 * The shard this process runs: `--shard i/n`; or `--shards n` (or RAFTSIM_SHARDS) with i from
 * JOB_COMPLETION_INDEX; or null. An index without a count is refused: every pod of the Job would
 * run the whole range.
 */
export function resolveShard(o: ShardFlags, env: NodeJS.ProcessEnv): Shard | null {
  const countText = o.shards ?? nonEmpty(env[COUNT_ENV]);
  const countFrom = o.shards !== undefined ? '--shards' : COUNT_ENV;
  if (o.shard !== undefined) {
    if (o.shards !== undefined) throw new UsageError('give either --shard i/n or --shards n, not both');
    const m = /^(\d+)\/(\d+)$/.exec(o.shard);
    if (m === null)
      throw new UsageError(`--shard: '${o.shard}' is not i/n, such as 0/4 (shards count from 0)`);
    const count = parseIntInRange('--shard', m[2]!, 1, MAX_SHARDS);
    const index = parseUint('--shard', m[1]!);
    if (index >= count)
      throw new UsageError(`--shard: '${o.shard}': the index counts from 0, so it must be below ${count}`);
    return { index, count };
  }
  const indexText = nonEmpty(env[INDEX_ENV]);
  if (countText === undefined) {
    if (indexText !== undefined)
      throw new UsageError(
        `${INDEX_ENV} is set (a Kubernetes Indexed Job) but no shard count: give --shards N or ${COUNT_ENV}=N`,
      );
    return null;
  }
  const count = parseIntInRange(countFrom, countText, 1, MAX_SHARDS);
  if (indexText === undefined)
    throw new UsageError(
      `${countFrom} gives the shard count; the index comes from ${INDEX_ENV}, which is not set`,
    );
  const index = parseUint(INDEX_ENV, indexText);
  if (index >= count)
    throw new UsageError(`${INDEX_ENV}: '${indexText}' is not below the shard count ${count} (${countFrom})`);
  return { index, count };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** A sweep as the flags cut it: the seeds this process runs, and where its results go. */
export interface SweepPlan {
  /** The range the command line asked for. */
  readonly whole: SeedRange;
  /** This shard's part of it (the whole range when unsharded). */
  readonly range: SeedRange;
  readonly shard: Shard | null;
  /** The results file, or null without --results. */
  readonly results: OutputTarget | null;
  /** Where shrunk failures are saved: DIR/failures with --results, else failures/ (null). */
  readonly failuresDir: string | null;
}

/**
 * Checks the shard and --results flags of a sweep before it runs: the results file can be
 * written (DIR is created when missing), and so can DIR/failures/, where shrunk failures go.
 */
export function planSweep(whole: SeedRange, o: ShardFlags): SweepPlan {
  const shard = resolveShard(o, process.env);
  const range = shard === null ? whole : shardRange(whole, shard);
  if (o.results === undefined) return { whole, range, shard, results: null, failuresDir: null };
  const name =
    shard === null
      ? `seeds-${whole.lo}-${whole.hi}.results.json`
      : `shard-${shard.index}-of-${shard.count}.results.json`;
  if (o.results === '') throw new UsageError('--results: the directory name is empty');
  const results = checkOutputPath('--results', join(o.results, name), { createParent: true });
  const failuresDir = join(o.results, 'failures');
  checkFailuresDirectory(failuresDir);
  return { whole, range, shard, results, failuresDir };
}

/** The shard flags need a sweep. */
export function checkShardFlagsUse(o: ShardFlags, sweeping: boolean): void {
  if (sweeping) return;
  for (const [flag, value] of [
    ['--shard', o.shard],
    ['--shards', o.shards],
    ['--results', o.results],
  ] as const) {
    if (value !== undefined) throw new UsageError(`${flag} belongs to a sweep: use it with --seeds`);
  }
}

export function currentBuild(): Build {
  return { version: raftsimVersion(), commit: raftsimCommit() };
}

export function writeResultsFile(target: OutputTarget, results: ResultsFile): void {
  writeOutputFile(target, serializeResults(results));
}

/**
 * Writes the results file of a sweep, when --results asked for one; returns its path as shown.
 * `shrunk`: the failures the sweep shrank and saved (the first failing seed of each property).
 */
export function recordSweep(
  plan: SweepPlan,
  sweep: { readonly outcomes: readonly SeedOutcome[]; readonly wallMs: number; readonly workers: number },
  settings: SweepSettings,
  seedsFired: Record<string, number>,
  shrunk: readonly { seed: number; property: string; file: string; trace: TraceFile }[],
  interrupted: boolean,
  replay: (seed: number, settings: SweepSettings) => string,
): string | null {
  if (plan.results === null) return null;
  const home = dirname(plan.results.shown);
  const byseed = new Map<number, ShrunkFailure>();
  for (const x of shrunk)
    byseed.set(x.seed, shrunkFailure(x.trace, x.property as FailureKind, relative(home, x.file)));
  const results = makeResults({
    build: currentBuild(),
    settings,
    range: plan.whole,
    shard: plan.shard,
    outcomes: sweep.outcomes,
    wallMs: sweep.wallMs,
    workers: sweep.workers,
    interrupted,
    seedsFired,
    replay: (seed) => replay(seed, settings),
    shrunk: byseed,
  });
  writeResultsFile(plan.results, results);
  return plan.results.shown;
}

/** `shard 1/4: seeds 11..20 of 1..40`, for the sweep summary. */
export function describePlan(plan: SweepPlan): string {
  const { range, whole, shard } = plan;
  const seeds = range.hi < range.lo ? 'no seeds' : `seeds ${range.lo}..${range.hi}`;
  return shard === null
    ? `seeds ${whole.lo}..${whole.hi}`
    : `shard ${shard.index}/${shard.count}: ${seeds} of ${whole.lo}..${whole.hi}`;
}

// ---------------------------------------------------------------------------------------------
// raftsim merge

/** Switches that may come before a subcommand's name (`raftsim --no-color merge DIR`). */
const LEADING_SWITCHES = new Set(['--no-color', '--json', '--quiet']);

/**
 * `merge`, `fuzz`, `view` or `scenario` and the rest of the arguments when argv names a subcommand, else null. Only
 * value-less switches may come before the name, so that `--seed merge` stays a bad seed.
 */
export function subcommandOf(
  argv: readonly string[],
): { name: 'merge' | 'fuzz' | 'view' | 'scenario' | 'explore'; args: string[] } | null {
  let i = 0;
  while (i < argv.length && LEADING_SWITCHES.has(argv[i]!)) i++;
  const name = argv[i];
  if (name !== 'merge' && name !== 'fuzz' && name !== 'view' && name !== 'scenario' && name !== 'explore')
    return null;
  return { name, args: [...argv.slice(0, i), ...argv.slice(i + 1)] };
}

/** Directory levels searched below a DIR given to merge (CI artifacts land one level down). */
const MERGE_DEPTH = 3;
const RESULTS_SUFFIX = '.results.json';

/** The results files of a path: itself when a file, its `*.results.json` files when a directory. */
function resultsFilesOf(shown: string): string[] {
  const path = userPath(shown);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    throw new UsageError(`merge: cannot read '${shown}': ${errnoReason(error)}`);
  }
  if (!isDir) return [shown];
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const name of readdirSync(userPath(dir)).sort()) {
      const child = join(dir, name);
      const st = statSync(userPath(child));
      if (st.isDirectory() && depth < MERGE_DEPTH) walk(child, depth + 1);
      else if (st.isFile() && name.endsWith(RESULTS_SUFFIX)) found.push(child);
    }
  };
  walk(shown, 1);
  if (found.length === 0) throw new UsageError(`merge: no *${RESULTS_SUFFIX} files in '${shown}'`);
  return found;
}

function program(): Command {
  return new Command('raftsim merge')
    .description(
      'Combine the results files of a sharded sweep (--results DIR) into one summary: totals, ' +
        'failures, and distinct failures by property and shrunk-trace signature.',
    )
    .argument('<paths...>', 'results files, or directories holding *.results.json files')
    .option('--json', 'print one JSON object instead of the summary')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .addHelpText(
      'after',
      '\nExit codes: 0 every seed held, 1 a Raft finding, 2 bad usage or results that cannot be merged\n' +
        '(different versions or configs, a seed in two files), 3 a run could not be judged.',
    )
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

/**
 * Parses a subcommand's arguments; false when it printed its help (exit 0). Commander's errors
 * become one UsageError line naming the subcommand.
 */
export function parseSubcommand(cmd: Command, argv: readonly string[], name: string): boolean {
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed') return false;
      throw new UsageError(`${name}: ${error.message.replace(/^error: /, '')}`);
    }
    throw error;
  }
  return true;
}

/** `raftsim merge PATH…`: returns the exit code; throws UsageError for what cannot be merged. */
export function mergeCommand(argv: string[]): number {
  const cmd = program();
  if (!parseSubcommand(cmd, argv, 'merge')) return EXIT_OK;
  const o = cmd.opts<{ json?: boolean; color: boolean }>();
  const files = [...new Set(cmd.args.flatMap(resultsFilesOf))];
  const inputs: NamedResults[] = files.map((file) => ({
    file,
    results: parseResults(readInputFile(userPath(file), { shown: file }), file),
  }));
  const merged = mergeResults(inputs, (file) => dirname(file));
  if (o.json === true) process.stdout.write(`${JSON.stringify(mergedJson(merged))}\n`);
  else {
    const noColor = o.color === false || (process.env.NO_COLOR ?? '') !== '';
    process.stdout.write(`${formatMerged(merged, new Chalk(noColor ? { level: 0 } : {})).join('\n')}\n`);
  }
  return exitCodeOfAll(merged.failures.map((f) => f.kind));
}

/** The merged summary as JSON: everything but the traces themselves (they are in their files). */
export function mergedJson(m: MergedResults) {
  return {
    ...m,
    ok: m.failures.length === 0,
    complete: m.missing.length === 0,
    distinct: m.distinct.map(({ trace: _trace, ...rest }) => rest),
  };
}

/**
 * A signature shown in a summary: one that shrinking did not finish can list hundreds of
 * operations; the whole of it is in --json and in the trace.
 */
export const SIGNATURE_SHOWN_CHARS = 160;

function seedsList(seeds: readonly number[]): string {
  const shown = seeds.slice(0, 8).join(', ');
  return `seed${seeds.length === 1 ? '' : 's'} ${shown}${seeds.length > 8 ? `, … (${num(seeds.length)} in all)` : ''}`;
}

function seedsText(n: number): string {
  return `${num(n)} seed${n === 1 ? '' : 's'}`;
}

function rangesText(ranges: readonly (readonly [number, number])[]): string {
  const shown = ranges.slice(0, 6).map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}..${hi}`));
  return `${shown.join(', ')}${ranges.length > 6 ? ', …' : ''}`;
}

export function formatMerged(m: MergedResults, c: ChalkInstance): string[] {
  const label = (s: string): string => c.cyan(s.padEnd(9));
  const s = m.settings;
  const lines = [
    `${label('merged')}${m.files.length} file${m.files.length === 1 ? '' : 's'}: ${seedsText(m.seeds)} ` +
      `(${rangesText(m.seedsRun) || 'none'}; profile ${s.mode}${s.bugs.length > 0 ? `, bugs: ${s.bugs.join(', ')}` : ''})`,
    `${label('build')}raftsim ${m.build.version}, commit ${m.build.commit}`,
    `${label('ran')}${num(m.events)} events in ${seconds(m.wallMs)} of machine time`,
  ];
  for (const [name, n] of Object.entries(m.seedsFired))
    lines.push(`${label('bug')}${name} fired in ${num(n)} of ${seedsText(m.seeds)}`);
  if (m.missing.length > 0) {
    const one = m.missing.length === 1 && m.missing[0]![0] === m.missing[0]![1];
    lines.push(
      `${label('missing')}${c.yellow.bold(`${one ? 'seed' : 'seeds'} ${rangesText(m.missing)} ${one ? 'was' : 'were'} asked for but ${one ? 'is' : 'are'} in no file`)}`,
    );
  }
  if (m.interrupted)
    lines.push(`${label('stopped')}${c.yellow('a shard was interrupted: its results are partial')}`);
  if (m.failures.length === 0) {
    const all = m.seeds === 1 ? `seed ${m.seedsRun[0]![0]}` : `all ${seedsText(m.seeds)}`;
    lines.push(`${label('verdict')}${c.green.bold(`✓ ${all} held every property`)}`);
    return lines;
  }
  lines.push(
    `${label('verdict')}${c.red.bold(`✗ ${num(m.failures.length)} of ${seedsText(m.seeds)} failed`)}`,
  );
  for (const first of m.firstByProperty) {
    const list = m.failures.filter((f) => f.property === first.property);
    const example = list[0]!;
    const seeds = list.slice(0, 8).map((f) => f.seed);
    lines.push(
      `  ${c.bold(first.property)}: ${list.length === 1 ? `seed ${seeds[0]}` : `${num(list.length)} seeds, first ${seeds.join(', ')}${list.length > 8 ? ', …' : ''}`}`,
      `    seed ${example.seed}: ${example.message ?? example.kind}`,
      `    replay  ${example.replay}`,
    );
  }
  lines.push(
    `${label('distinct')}${num(m.distinct.length)} shrunk failure${m.distinct.length === 1 ? '' : 's'} by property and signature`,
  );
  for (const d of m.distinct) {
    lines.push(
      `  ${c.bold(d.id)}  ${truncateText(d.signature, SIGNATURE_SHOWN_CHARS)}  (${seedsList(d.seeds)})`,
      `    replay  npm run sim -- --replay ${d.file}`,
    );
  }
  return lines;
}
