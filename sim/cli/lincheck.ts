// `npm run lincheck -- FILE [--json] [--budget N]`: is a recorded client history linearizable?
//
// FILE is either raftsim's JSON history (properties/history.ts), recognised as a JSON object
// with a `version` field, or Jepsen/Porcupine-style EDN, one map per line (properties/edn.ts).
//
// Exit codes: 0 linearizable, 1 not linearizable, 3 unknown (search budget exhausted),
// 2 bad input or usage. A bad input is reported as one line naming the file (and line, or JSON
// path); an AssertionError is a bug in the checker and keeps its stack trace.

import { Chalk } from 'chalk';
import { Command, CommanderError } from 'commander';
import { parseEdnHistory } from '../../properties/edn.ts';
import type { History } from '../../properties/history.ts';
import { describeHistoryOp, validateHistory } from '../../properties/history.ts';
import type { LinResult } from '../../properties/linearizability.ts';
import {
  checkLinearizability,
  DEFAULT_BUDGET_STEPS,
  DEFAULT_BUDGET_STEPS_PER_OP,
} from '../../properties/linearizability.ts';
import { AssertionError } from '../../src/assert.ts';
import { isEventTrace, TRACE_FORMAT } from '../model/file-kinds.ts';
import { DEFAULT_MAX_INPUT_MB, MAX_INPUT_MB, parseMaxInputMb, readInputFile } from '../model/input-file.ts';
import { userPath } from '../model/output-file.ts';
import { isMainModule } from './usage.ts';

export const EXIT_LINEARIZABLE = 0;
export const EXIT_NOT_LINEARIZABLE = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_UNKNOWN = 3;

export type CliIo = {
  /** One line of output, without its newline. */
  stdout(line: string): void;
  stderr(line: string): void;
  /** Colour the human-readable output. */
  color: boolean;
};

/** A problem with what the user gave us: one line on stderr, exit code 2. */
class InputError {
  constructor(readonly message: string) {}
}

type LoadedHistory = { format: 'json' | 'edn'; history: History };

/** Runs the command on `args` (without `node` and the script); returns the exit code. */
export function runLincheck(args: readonly string[], io: CliIo): number {
  try {
    return run(args, io);
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`lincheck: ${e.message}`);
      return EXIT_BAD_INPUT;
    }
    // A failed assertion is a bug in the checker: let it show where it happened.
    if (e instanceof Error && e.name === 'AssertionError') throw e;
    io.stderr(`lincheck: ${e instanceof Error ? e.message : String(e)}`.replace(/\s*\n\s*/g, ' '));
    return EXIT_BAD_INPUT;
  }
}

function run(args: readonly string[], io: CliIo): number {
  const program = new Command()
    .name('lincheck')
    .description('Check a key-value client history for linearizability.')
    .argument('<file>', 'history: raftsim JSON, or EDN with one map per line')
    .option('--json', 'print the result as one JSON object')
    .option(
      '--budget <steps>',
      `search steps before giving up with "unknown", 1 to ${MAX_BUDGET_STEPS} (default ${DEFAULT_BUDGET_STEPS} + ${DEFAULT_BUDGET_STEPS_PER_OP} per op)`,
    )
    .option(
      '--max-input-mb <n>',
      `size limit of the history file in MiB, 1 to ${MAX_INPUT_MB} (default ${DEFAULT_MAX_INPUT_MB})`,
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s.replace(/\n$/, '')),
      writeErr: (s) => io.stderr(s.replace(/\n$/, '')),
      // Usage errors are printed below, as one line in our own format.
      outputError: () => {},
    });
  try {
    program.parse([...args], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT_LINEARIZABLE;
    throw new InputError(e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '));
  }
  const file = program.args[0]!;
  const options = program.opts<{ json?: boolean; budget?: string; maxInputMb?: string }>();
  const budgetSteps = options.budget === undefined ? undefined : parseBudget(options.budget);
  const maxMb =
    options.maxInputMb === undefined ? undefined : parseMaxInputMb('--max-input-mb', options.maxInputMb);

  const loaded = loadHistory(file, maxMb);
  const startMs = performance.now();
  const result = checkLinearizability(loaded.history, budgetSteps === undefined ? {} : { budgetSteps });
  const elapsedMs = performance.now() - startMs;

  if (options.json) io.stdout(JSON.stringify(jsonReport(file, loaded, result, elapsedMs)));
  else for (const line of humanReport(file, loaded, result, elapsedMs, io.color)) io.stdout(line);
  switch (result.verdict) {
    case 'ok':
      return EXIT_LINEARIZABLE;
    case 'violation':
      return EXIT_NOT_LINEARIZABLE;
    case 'unknown':
      return EXIT_UNKNOWN;
    default:
      return unreachable(result);
  }
}

/** The search's memo grows with its steps: this bound keeps a run within a few GB. */
const MAX_BUDGET_STEPS = 1_000_000_000;

function parseBudget(text: string): number {
  const n = /^[1-9][0-9]*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > MAX_BUDGET_STEPS)
    throw new InputError(
      `--budget: '${text}' is not an integer from 1 to ${MAX_BUDGET_STEPS} (e.g. 5000000)`,
    );
  return n;
}

function loadHistory(file: string, maxMb: number | undefined): LoadedHistory {
  let text: string;
  try {
    // Only a regular file within the size limit: a FIFO or /dev/zero is refused, never waited on.
    text = readInputFile(userPath(file), {
      shown: file,
      limitFlag: '--max-input-mb',
      ...(maxMb === undefined ? {} : { maxMb }),
    });
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  // An empty file is more likely a write that never happened than a history of no operations.
  if (text.trim() === '')
    throw new InputError(`${file}: the file is empty (an empty history is {"version": 1, "ops": []})`);
  const json = parseJsonHistory(file, text);
  if (json !== null) return { format: 'json', history: json };
  const edn = parseEdnHistory(text);
  if (!edn.ok) throw new InputError(`${file}:${edn.line}: ${edn.message}`);
  return { format: 'edn', history: edn.history };
}

/** The JSON history in `text`, or null if `text` is not JSON (then it is read as EDN). */
function parseJsonHistory(file: string, text: string): History | null {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    if (isEventTrace(text))
      throw new InputError(
        `${file}: this is a JSON Lines event trace (as raftsim --trace writes), not a client history; ` +
          'raftsim --history writes one',
      );
    // An EDN map starts with a keyword; `{"` can only be meant as JSON.
    if (/^\{\s*"/.test(trimmed)) throw new InputError(`${file}: not valid JSON: ${(e as Error).message}`);
    return null;
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    (value as { format?: unknown }).format === TRACE_FORMAT
  ) {
    throw new InputError(
      `${file}: this is a raftsim trace file (a schedule to replay), not a client history; ` +
        `npm run sim -- --replay ${file} --history FILE writes the history of its run`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('version' in value)) {
    throw new InputError(`${file}: a JSON history must be an object with "version" and "ops"`);
  }
  const validated = validateHistory(value);
  if (!validated.ok) throw new InputError(`${file}: ${validated.message}`);
  return validated.history;
}

function keyCount(history: History): number {
  return new Set(history.ops.map((o) => o.op.key)).size;
}

function humanReport(
  file: string,
  loaded: LoadedHistory,
  result: LinResult,
  elapsedMs: number,
  color: boolean,
): string[] {
  const c = new Chalk({ level: color ? 1 : 0 });
  const { history } = loaded;
  const stats = `${history.ops.length} ops, ${keyCount(history)} keys, ${result.steps} steps, ${elapsedMs.toFixed(1)} ms`;
  switch (result.verdict) {
    case 'ok':
      return [`${c.green('linearizable')}: ${file} (${stats})`];
    case 'unknown':
      return [`${c.yellow('unknown')}: ${file}: ${result.reason} (${stats})`];
    case 'violation': {
      const w = result.witness;
      const lines = [
        `${c.red('NOT linearizable')}: ${file}: key ${JSON.stringify(w.key)} (${stats})`,
        `  cannot be placed: ${describeHistoryOp(w.op)}`,
        `  after the longest linearizable prefix found for the key: ${w.prefix.length} ops, ` +
          `leaving the value ${JSON.stringify(w.valueAfterPrefix)}`,
      ];
      const shown = w.prefix.slice(-PREFIX_OPS_SHOWN);
      if (shown.length > 0) lines.push(`  its last ${shown.length === 1 ? 'op' : `${shown.length} ops`}:`);
      for (const o of shown) lines.push(`    ${describeHistoryOp(o)}`);
      return lines;
    }
    default:
      return unreachable(result);
  }
}

/** The end of the prefix is what led to the dead end; the rest is context the JSON output has. */
const PREFIX_OPS_SHOWN = 5;

function jsonReport(file: string, loaded: LoadedHistory, result: LinResult, elapsedMs: number): object {
  const base = {
    file,
    format: loaded.format,
    ops: loaded.history.ops.length,
    keys: keyCount(loaded.history),
    verdict: result.verdict,
    steps: result.steps,
    elapsedMs: Math.round(elapsedMs * 10) / 10,
  };
  switch (result.verdict) {
    case 'ok':
      return base;
    case 'unknown':
      return { ...base, reason: result.reason };
    case 'violation': {
      const w = result.witness;
      return { ...base, witness: w };
    }
    default:
      return unreachable(result);
  }
}

function unreachable(x: never): never {
  throw new AssertionError(`unreachable: ${JSON.stringify(x)}`);
}

/** The command line: `npm run lincheck -- FILE`, or `raftsim lincheck FILE` (sim/cli/bin.ts). */
export function lincheckMain(args: readonly string[]): number {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return runLincheck(args, {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    color: !noColor && process.stdout.isTTY === true,
  });
}

if (isMainModule(import.meta.url)) process.exitCode = lincheckMain(process.argv.slice(2));
