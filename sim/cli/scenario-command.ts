// `raftsim scenario FILE|DIR...`: runs scenario files (sim/scenario/), a directory's `*.scn` files
// recursively, and says per scenario whether it passed; on a failure, the line, the time and the steps
// before it. Exit 0 when every scenario passed, 1 when one failed, 2 for bad input.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { findBug } from '../../bugs/index.ts';
import { loadImpl } from '../adapters/impl.ts';
import { runForOutcome } from '../explore/replay.ts';
import { shrinkSchedule } from '../explore/shrink.ts';
import { checkOutputPath, userPath } from '../model/output-file.ts';
import { makeTraceFile, writeTraceFile } from '../model/trace-file.ts';
import type { Scenario } from '../scenario/ast.ts';
import type { ConfigSetting, ScenarioResult } from '../scenario/run.ts';
import { loadScenario, runScenario, scenarioConfig } from '../scenario/run.ts';
import { implSpecOf } from './impl-options.ts';
import { parseSubcommand } from './shards.ts';
import { EXIT_OK, EXIT_VIOLATION, parseUint, UsageError } from './usage.ts';
import { raftsimVersion } from './version.ts';

/** The extension of scenario files. */
export const SCENARIO_EXT = '.scn';
/** Runs a shrink of a failing scenario may spend. */
const SHRINK_RUNS = 500;

interface ScenarioFlags {
  bug: string[];
  set: string[];
  seed?: string;
  json?: boolean;
  quiet?: boolean;
  save?: string;
  impl?: string;
  implCmd?: string;
  implTimeout?: string;
}

function program(): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  return new Command('raftsim scenario')
    .description(
      'Run scenario files: reactive scripts of faults and expectations (README, "Writing scenarios").',
    )
    .argument('<paths...>', `scenario files (${SCENARIO_EXT}) or directories holding them`)
    .option('--bug <name>', 'switch on a catalogue bug in the reference node (repeatable)', collect, [])
    .option('--seed <n>', "run with this seed instead of the file's")
    .option(
      '--set <field=value>',
      'set a config field after the file, e.g. raft.heartbeatMs=20 (repeatable)',
      collect,
      [],
    )
    .option('--json', 'one JSON object per scenario, one per line')
    .option('--quiet', 'print failures and the closing count only')
    .option('--no-color', 'accepted for symmetry with runs: scenario prints no colours')
    .option(
      '--save <file>',
      'a failing scenario (one only) is saved here as a trace file, shrunk when a property broke',
    )
    .option('--impl <module>', 'run another implementation, in-process (docs/implementing.md)')
    .option('--impl-cmd <command>', 'run another implementation as a process speaking JSON lines')
    .option('--impl-timeout <time>', 'real-time bound on one answer of --impl-cmd')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run sim -- scenario scenarios/\n  npm run sim -- scenario scenarios/figure8.scn --bug figure8',
    )
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

/** The scenario files a path names: itself, or a directory's `.scn` files, recursively, sorted. */
export function scenarioFiles(shown: string): string[] {
  const path = userPath(shown);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`${shown}: no such file or directory`);
  }
  if (!isDir) return [shown];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const child = join(shown, name);
    if (statSync(userPath(child)).isDirectory()) out.push(...scenarioFiles(child));
    else if (name.endsWith(SCENARIO_EXT)) out.push(child);
  }
  return out;
}

function parseSetting(value: string): ConfigSetting {
  const m = /^([a-zA-Z.]+)=(.+)$/.exec(value);
  if (m === null)
    throw new UsageError(`--set: expected FIELD=VALUE such as raft.heartbeatMs=20, got '${value}'`);
  const raw = m[2]!;
  const parsed =
    raw === 'true' ? true : raw === 'false' ? false : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  return { path: m[1]!, value: parsed };
}

function describe(r: ScenarioResult): string[] {
  const bugs = r.bugs.length > 0 ? ` [bug ${r.bugs.join(', ')}]` : '';
  if (r.ok) {
    const outcome =
      r.outcome.status === 'ok' ? 'every property held' : `${r.outcome.property} violated, as expected`;
    return [`ok    ${r.file}${bugs}: ${outcome} (${r.steps} steps, ${r.simulatedMs} ms virtual)`];
  }
  const f = r.failure!;
  const where = f.line > 0 ? `${r.file}:${f.line}` : r.file;
  const lines = [`FAIL  ${where}${bugs} at ${f.timeMs} ms: ${f.message}`];
  if (f.text !== '') lines.push(`      line ${f.line}: ${f.text}`);
  if (r.recentSteps.length > 0) {
    lines.push('      the last steps (text view):');
    for (const s of r.recentSteps) lines.push(`        ${s}`);
  }
  return lines;
}

/** Runs `raftsim scenario ARGS`. */
export async function scenarioCommand(argv: string[]): Promise<number> {
  const cmd = program();
  if (!parseSubcommand(cmd, argv, 'scenario')) return EXIT_OK;
  const o = cmd.opts<ScenarioFlags>();
  for (const name of o.bug) {
    if (findBug(name) === undefined)
      throw new UsageError(`--bug: unknown bug '${name}' (--list-bugs shows the catalogue)`);
  }
  const impl = implSpecOf(o);
  // An --impl module is imported once, here, before any run builds its nodes.
  if (impl !== null) await loadImpl(impl);
  const settings = o.set.map(parseSetting);
  const seed = o.seed === undefined ? undefined : parseUint('--seed', o.seed, 2 ** 32 - 1);
  const files = cmd.args.flatMap(scenarioFiles);
  if (files.length === 0) throw new UsageError(`no ${SCENARIO_EXT} files in ${cmd.args.join(' ')}`);
  if (o.save !== undefined && files.length !== 1) throw new UsageError('--save: give exactly one scenario');
  const target = o.save === undefined ? null : checkOutputPath('--save', o.save);
  // Every file is read and its config checked first: bad input stops the command before anything runs.
  const scenarios = files.map((file) => {
    const s = loadScenario(userPath(file));
    const bad = typeof s === 'string' ? s : scenarioConfig(s, settings);
    if (typeof bad === 'string') throw new UsageError(bad.replace(userPath(file), file));
    return { file, scenario: s as Scenario };
  });
  let failed = 0;
  for (const { file, scenario } of scenarios) {
    const r = runScenario(scenario, {
      bugs: o.bug,
      impl,
      settings,
      ...(seed === undefined ? {} : { seed }),
    });
    if (typeof r === 'string') throw new UsageError(r.replace(userPath(file), file));
    const shown = { ...r, file };
    if (!r.ok) failed++;
    if (o.json === true) {
      const { schedule: _schedule, ...rest } = shown;
      process.stdout.write(`${JSON.stringify(rest)}\n`);
    } else if (!r.ok || o.quiet !== true) process.stdout.write(`${describe(shown).join('\n')}\n`);
    if (target !== null && !r.ok) {
      const note = saveFailing(shown, target);
      process.stderr.write(`${note}\n`);
    }
  }
  if (o.json !== true && files.length > 1)
    // Not CI's closing line (`N passed, M failed`): that one is the test run's.
    process.stdout.write(`scenarios: ${files.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT_VIOLATION : EXIT_OK;
}

/**
 * Writes the failing run's schedule as a trace file. When a property broke, the shrinker keeps that
 * violation and removes what it can; a failed expectation of the scenario is not a property the
 * shrinker can keep, so that run is saved as it was, with its replay outcome.
 */
function saveFailing(r: ScenarioResult, target: ReturnType<typeof checkOutputPath>): string {
  const meta = { raftsimVersion: raftsimVersion(), command: `raftsim scenario ${r.file}` };
  // The run ended where the scenario stopped it: the plain replay stops there too.
  const schedule = { ...r.schedule, config: { ...r.schedule.config, timeMs: Math.max(1, r.simulatedMs) } };
  const first = runForOutcome(schedule, { bugs: r.bugs, recentEvents: 0 });
  const comment = `From scenario ${r.file}${r.failure!.line > 0 ? `:${r.failure!.line}` : ''}: ${r.failure!.message}`;
  if (first.outcome.status === 'violation') {
    const s = shrinkSchedule(schedule, { bugs: r.bugs, budget: { kind: 'runs', runs: SHRINK_RUNS } });
    writeTraceFile(
      target.path,
      makeTraceFile({
        comment,
        schedule: s.schedule,
        expectations: [{ bugs: [...r.bugs], outcome: s.outcome }],
        meta: { ...meta, shrink: { before: s.before, after: s.after, runs: s.runs, complete: s.complete } },
      }),
    );
    return `saved ${target.shown}: shrunk from ${s.before.faults} to ${s.after.faults} faults, ${s.outcome.property} kept`;
  }
  writeTraceFile(
    target.path,
    makeTraceFile({ comment, schedule, expectations: [{ bugs: [...r.bugs], outcome: first.outcome }], meta }),
  );
  return `saved ${target.shown}: the scenario's schedule as it ran (a failed expectation is not a property to shrink for)`;
}
