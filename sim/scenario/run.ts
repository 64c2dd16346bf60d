// Running a scenario file: its config from the header, a run driven by ScenarioDriver, and a verdict
// that names the line and the time of what failed, with the text view of the steps before it.

import { readFileSync } from 'node:fs';
import { createSafetyCheckers } from '../../properties/index.ts';
import type { ImplSpec } from '../adapters/impl.ts';
import { type ClassifiedRun, isStopped, runClassified } from '../explore/outcome.ts';
import { nodeUnderTest } from '../explore/seed-job.ts';
import { defaultConfig, type SimConfig, validateConfig } from '../model/config.ts';
import type { Schedule } from '../model/schedule.ts';
import { sameBugSet } from '../model/trace-file.ts';
import { describeStep, parseTraceLines } from '../view/views.ts';
import type { OutcomeExpectation, Scenario } from './ast.ts';
import { ScenarioDriver } from './driver.ts';
import { parseScenario } from './parse.ts';

/** A config field set from outside the file (a test, `--set`), after the file's own. */
export interface ConfigSetting {
  readonly path: string;
  readonly value: number | boolean | string;
}

export interface ScenarioOptions {
  readonly bugs?: readonly string[];
  readonly impl?: ImplSpec | null;
  /** Overrides the file's seed. */
  readonly seed?: number;
  readonly settings?: readonly ConfigSetting[];
  /** Record the trace (its hash, and the steps shown around a failure). Default true. */
  readonly trace?: boolean;
  /** Every trace line, for a caller that saves or views the run. */
  readonly onTrace?: (line: string) => void;
}

export interface ScenarioResult {
  readonly file: string;
  readonly seed: number;
  readonly bugs: readonly string[];
  readonly ok: boolean;
  /** What failed: a line of the scenario (0 when it is the run's property outcome with no line). */
  readonly failure: {
    readonly line: number;
    readonly text: string;
    readonly timeMs: number;
    readonly message: string;
  } | null;
  /** The run's property outcome. */
  readonly outcome:
    | { readonly status: 'ok' }
    | {
        readonly status: 'violation';
        readonly property: string;
        readonly timeMs: number;
        readonly message: string;
      };
  /** The outcome the scenario expected for this bug set. */
  readonly expected: OutcomeExpectation['outcome'];
  readonly traceHash: string | null;
  readonly steps: number;
  readonly simulatedMs: number;
  /** The schedule the scenario's actions made: it replays this run as a plain trace. */
  readonly schedule: Schedule;
  /** The last steps before the end or the failure, in the text view's words. */
  readonly recentSteps: readonly string[];
}

/** Steps shown before a failure. */
const RECENT_STEPS = 24;

/** Reads and parses a scenario file; a string is the error, `file:line: message`. */
export function loadScenario(file: string): Scenario | string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `${file}: cannot read it (${code ?? String(error)})`;
  }
  return parseScenario(file, text);
}

/** The run's config: defaults, the header, then the caller's settings. A string is the error. */
export function scenarioConfig(s: Scenario, extra: readonly ConfigSetting[] = []): SimConfig | string {
  const base = defaultConfig();
  const config = {
    ...base,
    nodes: s.nodes,
    clients: s.clients,
    timeMs: s.timeMs,
    // Liveness is the scenario's to state (`expect one leader within ...`): no probe, no quiet period.
    quietMs: 0,
    raft: { ...base.raft },
    network: { ...base.network },
    // Faults come from the scenario only.
    faults: { ...base.faults, partitionsPerMin: 0, crashesPerMin: 0, pausesPerMin: 0 },
    clientsCfg: { ...base.clientsCfg },
    ...(s.compaction === null ? {} : { compaction: s.compaction }),
  } as unknown as Record<string, unknown>;
  for (const setting of [...s.settings, ...extra]) {
    const where = 'line' in setting ? `${s.file}:${String(setting.line)}` : `${s.file} (--set)`;
    const error = setField(config, setting.path, setting.value);
    if (error !== null) return `${where}: ${error}`;
  }
  const c = config as unknown as SimConfig;
  const error = validateConfig(c);
  if (error !== null) {
    const field = /^config\.(\S+)/.exec(error)?.[1];
    if (extra.some((x) => x.path === field)) return `${s.file} (--set ${field}): ${error}`;
    const line = [...s.settings].reverse().find((x) => x.path === field)?.line;
    return `${s.file}${line === undefined ? '' : `:${line}`}: ${error}`;
  }
  return c;
}

function setField(
  config: Record<string, unknown>,
  path: string,
  value: number | boolean | string,
): string | null {
  const parts = path.split('.');
  let obj: Record<string, unknown> = config;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    let next = obj[part];
    // The optional membership section starts empty.
    if (next === undefined && part === 'membership' && obj === config) {
      next = { spares: 0, changesPerMin: 0 };
      obj[part] = next;
    }
    if (typeof next !== 'object' || next === null) return `unknown config field ${path}`;
    const copy = { ...(next as Record<string, unknown>) };
    obj[part] = copy;
    obj = copy;
  }
  const last = parts[parts.length - 1]!;
  // Optional raft fields, absent from the defaults.
  const optional = parts[0] === 'raft' && (last === 'leaseDriftPpm' || last === 'snapshotChunkBytes');
  if (!Object.hasOwn(obj, last) && !optional) return `unknown config field ${path}`;
  const old = obj[last];
  if (old !== undefined && typeof old !== typeof value)
    return `${path} must be a ${typeof old}, got ${String(value)}`;
  obj[last] = value;
  return null;
}

/** The outcome expectation for this bug set: the one naming exactly these bugs, else the default, else ok. */
export function expectationFor(s: Scenario, bugs: readonly string[]): OutcomeExpectation {
  const exact = s.outcomes.find((o) => o.bugs !== null && sameBugSet(o.bugs, bugs));
  if (exact !== undefined) return exact;
  const fallback = s.outcomes.find((o) => o.bugs === null);
  return fallback ?? { line: 0, bugs: null, outcome: { status: 'ok' } };
}

/** Runs one parsed scenario. Deterministic: same scenario, seed, bugs and settings, same result. */
export function runScenario(s: Scenario, opts: ScenarioOptions = {}): ScenarioResult | string {
  const config = scenarioConfig(s, opts.settings ?? []);
  if (typeof config === 'string') return config;
  const seed = opts.seed ?? s.seed;
  const bugs = opts.bugs ?? [];
  const driver = new ScenarioDriver(s.body, seed, config.nodes, config.network, {
    count: config.clients,
    keys: config.clientsCfg.keys,
  });
  const recent: string[] = [];
  const tracing = opts.trace !== false || opts.onTrace !== undefined;
  const onTrace = (line: string) => {
    recent.push(line);
    if (recent.length > 4 * RECENT_STEPS) recent.splice(0, recent.length - RECENT_STEPS);
    opts.onTrace?.(line);
  };
  const schedule: Schedule = { version: 1, seed, config, faults: driver.faults, ops: driver.ops };
  const run: ClassifiedRun = runClassified(
    { ...schedule, faults: [], ops: [] },
    {
      ...nodeUnderTest(bugs, opts.impl),
      checkers: createSafetyCheckers(),
      director: driver,
      liveness: false,
      ...(tracing ? { onTrace } : {}),
    },
  );
  const expectation = expectationFor(s, bugs);
  const outcome = outcomeOfRun(run);
  const steps = isStopped(run) ? run.step : run.result.events;
  const simulatedMs = isStopped(run) ? run.timeMs : run.result.simulatedMs;
  const base = {
    file: s.file,
    seed,
    bugs,
    outcome,
    expected: expectation.outcome,
    traceHash: isStopped(run) ? null : run.result.traceHash,
    steps,
    simulatedMs,
    schedule: { ...schedule, faults: [...driver.faults], ops: [...driver.ops] },
    recentSteps: parseTraceLines(recent.slice(-RECENT_STEPS)).map(
      (r) => `#${r.step} ${r.t}ms ${describeStep(r)}`,
    ),
  };
  const failure = verdict(s, expectation, outcome, driver, isStopped(run) ? null : run.result.stoppedBy);
  return { ...base, ok: failure === null, failure };
}

function outcomeOfRun(run: ClassifiedRun): ScenarioResult['outcome'] {
  if (isStopped(run))
    return { status: 'violation', property: run.kind, timeMs: run.timeMs, message: run.message };
  const v = run.result.violation;
  if (v === null) return { status: 'ok' };
  return { status: 'violation', property: v.property, timeMs: v.timeMs, message: v.message };
}

/** What failed, if anything: a property outcome other than expected first, then the script's own failures. */
function verdict(
  s: Scenario,
  expectation: OutcomeExpectation,
  outcome: ScenarioResult['outcome'],
  driver: ScenarioDriver,
  stoppedBy: string | null,
): ScenarioResult['failure'] {
  const want = expectation.outcome;
  const line = expectation.line;
  const text =
    line === 0
      ? 'expect ok (implied)'
      : want.status === 'ok'
        ? 'expect ok'
        : `expect violation ${want.property}`;
  if (outcome.status === 'violation') {
    if (want.status === 'violation' && want.property === outcome.property) return null;
    return {
      line,
      text,
      timeMs: outcome.timeMs,
      message: `${outcome.property} violated: ${outcome.message}`,
    };
  }
  if (driver.failure !== null) return driver.failure;
  if (!driver.done && stoppedBy !== 'director')
    return {
      line: 0,
      text: '',
      timeMs: s.timeMs,
      message: `the run reached its time bound (time ${s.timeMs} ms) before the scenario ended`,
    };
  if (want.status === 'violation')
    return {
      line,
      text,
      timeMs: s.timeMs,
      message: `expected a ${want.property} violation, every property held`,
    };
  return null;
}

/** Loads and runs a scenario file; a string is a bad-input error (`file:line: message`). */
export function runScenarioFile(file: string, opts: ScenarioOptions = {}): ScenarioResult | string {
  const s = loadScenario(file);
  if (typeof s === 'string') return s;
  return runScenario(s, opts);
}
