// `raftsim view FILE`: a saved trace replayed and shown — by default as one self-contained HTML
// file (sim/view/html), or as the text and Mermaid views — with an optional window of time and
// nodes. Also the helpers `--format` on --seed and --replay runs shares with it: the window flags
// and writing an HTML view to a file.

import { basename } from 'node:path';
import { Command, Option } from 'commander';
import type { ImplSpec } from '../adapters/impl.ts';
import { compareOutcome, runForOutcome, selectExpectation } from '../explore/replay.ts';
import { DEFAULT_MAX_INPUT_MB, parseMaxInputMb } from '../model/input-file.ts';
import { checkOutputPath, type OutputTarget, userPath, writeOutputFile } from '../model/output-file.ts';
import type { Schedule } from '../model/schedule.ts';
import { readTraceFile } from '../model/trace-file.ts';
import { renderView, VIEW_FORMATS, type ViewFormat } from '../view/render-view.ts';
import { num } from '../view/report.ts';
import type { ViewInput } from '../view/views.ts';
import { parseNodeList, type ViewWindow, WHOLE_RUN } from '../view/window.ts';
import { isSameFile } from './run-files.ts';
import { parseSubcommand } from './shards.ts';
import { EXIT_OK, parseDurationMs, UsageError } from './usage.ts';

/** The window flags as typed; checked against the run's node count once it is known. */
export interface WindowFlags {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly nodes?: string | undefined;
}

/** A virtual instant for --from/--to: `0`, or a duration such as 1500ms, 2s, 1m (bare numbers are seconds). */
function parseInstantMs(flag: string, value: string): number {
  return /^0+(\.0*)?(ms|s|m)?$/.test(value) ? 0 : parseDurationMs(flag, value);
}

/** The window asked for; `nodesFlag` is the flag's name as typed (--nodes, or --view-nodes on a run). */
export function parseViewWindow(flags: WindowFlags, nodesFlag: string, nodeCount: number): ViewWindow {
  const fromMs = flags.from === undefined ? null : parseInstantMs('--from', flags.from);
  const toMs = flags.to === undefined ? null : parseInstantMs('--to', flags.to);
  if (fromMs !== null && toMs !== null && toMs < fromMs)
    throw new UsageError(`--to: '${flags.to}' is before --from '${flags.from}'`);
  let nodes: number[] | null = null;
  if (flags.nodes !== undefined) {
    const parsed = parseNodeList(flags.nodes, nodeCount);
    if (typeof parsed === 'string') throw new UsageError(`${nodesFlag}: ${parsed}`);
    nodes = parsed;
  }
  return fromMs === null && toMs === null && nodes === null ? WHOLE_RUN : { fromMs, toMs, nodes };
}

/** Writes a rendered view atomically; returns the words that say where it went. */
export function writeViewFile(target: OutputTarget, view: string): string {
  writeOutputFile(target, view);
  const bytes = Buffer.byteLength(view);
  const kb = bytes < 1024 * 1024 ? `${num(bytes / 1024)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return view.startsWith('<!DOCTYPE html>')
    ? `${target.shown} (${kb}, open it in a browser)`
    : `${target.shown} (${kb})`;
}

/** Runs a schedule again with tracing on (views never run the engine): what a view of it reads. */
export function replayForView(
  schedule: Schedule,
  bugs: readonly string[],
  window: ViewWindow,
  impl: ImplSpec | null = null,
): ViewInput {
  const lines: string[] = [];
  const run = runForOutcome(schedule, { bugs, impl, onTrace: (line) => lines.push(line) });
  return {
    schedule,
    bugs,
    lines,
    outcome: run.outcome,
    violation: run.result?.violation ?? null,
    history: run.result?.history ?? [],
    window,
  };
}

/** `figure8.json` → `figure8.html`, in the user's directory. */
export function defaultHtmlName(file: string): string {
  return `${basename(file).replace(/\.(json|jsonl)$/i, '')}.html`;
}

interface ViewOptions {
  bug: string[];
  format: ViewFormat;
  out?: string;
  from?: string;
  to?: string;
  nodes?: string;
  maxInputMb?: string;
}

function viewProgram(): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  return new Command('raftsim view')
    .description(
      'Replay a saved trace and show it: an HTML file with a lane per node, the messages between them, ' +
        'partitions, the client history and the violation (default), or the text and Mermaid views.',
    )
    .argument('<file>', 'a trace file (as --save, --out and scenarios/ hold)')
    .option(
      '--bug <name>',
      "replay with the file's expectation for these bugs (repeatable; default: the one without bugs, or the only one)",
      collect,
      [],
    )
    .addOption(
      new Option('--format <view>', 'html: a file to open in a browser; text or mermaid: printed')
        .choices(VIEW_FORMATS as string[])
        .default('html'),
    )
    .option('--out <file>', 'where to write the view (html default: FILE with .html, in this directory)')
    .option('--from <time>', 'show from this virtual instant (0, 1500ms, 2s; bare numbers are seconds)')
    .option('--to <time>', 'show up to this virtual instant')
    .option('--nodes <list>', 'show only these nodes and the messages among them (1,3 or S1,S3)')
    .option('--max-input-mb <n>', `size limit of FILE in MiB (default ${DEFAULT_MAX_INPUT_MB})`)
    .option('--quiet', 'accepted for symmetry with runs: view prints one line only anyway')
    .option('--no-color', 'accepted for symmetry with runs: view prints no colours')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run sim -- view scenarios/bugs/figure8.json\n' +
        '  npm run sim -- view scenarios/figure8.json --bug figure8 --out figure8.html\n' +
        '  npm run sim -- view scenarios/stale-leader.json --format mermaid --from 1s --to 2s --nodes 1,2',
    )
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
}

/** Runs `raftsim view ARGS`; a usage or input error is thrown as one UsageError line. */
export function runViewCommand(argv: string[]): number {
  const cmd = viewProgram();
  if (!parseSubcommand(cmd, argv, 'view')) return EXIT_OK;
  const file = cmd.args[0]!;
  const o = cmd.opts<ViewOptions>();
  const maxMb = o.maxInputMb === undefined ? undefined : parseMaxInputMb('--max-input-mb', o.maxInputMb);
  const trace = readTraceFile(userPath(file), {
    shown: file,
    limitFlag: '--max-input-mb',
    ...(maxMb === undefined ? {} : { maxMb }),
  });
  const window = parseViewWindow(o, '--nodes', trace.schedule.config.nodes);
  const outName = o.out ?? (o.format === 'html' ? defaultHtmlName(file) : undefined);
  // Checked before the replay: a bad path costs no simulation, and the trace is never overwritten.
  const target = outName === undefined ? null : checkOutputPath('--out', outName);
  if (target !== null && isSameFile(target.path, userPath(file)))
    throw new UsageError(`--out: '${target.shown}' is the trace file being viewed`);
  const chosen = selectExpectation(trace, file, o.bug.length > 0 ? o.bug : undefined);
  if (typeof chosen === 'string') throw new UsageError(chosen);
  const input = replayForView(trace.schedule, chosen.bugs, window);
  const { lines, outcome } = input;
  // The view shows what the replay did; if that is not what the file recorded, say so.
  const differs = compareOutcome(chosen.outcome, outcome);
  if (differs !== null)
    process.stderr.write(`raftsim: note: ${file} no longer replays as recorded: ${differs}\n`);
  if (target === null) {
    process.stdout.write(renderView(o.format, input));
    return EXIT_OK;
  }
  const where = writeViewFile(target, renderView(o.format, input));
  const verdict =
    outcome.status === 'ok'
      ? 'every property held'
      : `${outcome.property} violated at step ${outcome.step}, t=${outcome.timeMs} ms`;
  process.stdout.write(`wrote ${where}: ${num(lines.length)} steps, ${verdict}\n`);
  return EXIT_OK;
}
