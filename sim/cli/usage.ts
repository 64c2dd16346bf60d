import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { DEFAULT_SHRINK_BUDGET, parseShrinkBudget, type ShrinkBudget } from '../explore/shrink.ts';
import { UsageError } from '../model/errors.ts';

export { UsageError };

export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;

function fail(flag: string, value: string, what: string): never {
  throw new UsageError(`${flag}: '${value}' is not ${what}`);
}

/** A non-negative safe integer, written in decimal. */
export function parseUint(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value)) fail(flag, value, 'a non-negative integer');
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n > max) fail(flag, value, `an integer from 0 to ${max}`);
  return n;
}

export function parseIntInRange(flag: string, value: string, min: number, max: number): number {
  const n = parseUint(flag, value, Number.MAX_SAFE_INTEGER);
  if (n < min || n > max) fail(flag, value, `an integer from ${min} to ${max}`);
  return n;
}

/** A probability in [0, 1]. */
export function parseProbability(flag: string, value: string): number {
  if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(value)) fail(flag, value, 'a probability from 0 to 1');
  return Number(value);
}

/** Milliseconds in the largest unit that divides them: `1440m`, `90s`, `1500ms`. */
function showMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A virtual duration: `60s`, `500ms`, `2m`; a bare number means seconds. Returns integer ms, 1 to maxMs. */
export function parseDurationMs(flag: string, value: string, maxMs = Number.MAX_SAFE_INTEGER): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (m === null) fail(flag, value, 'a duration such as 60s, 500ms or 2m');
  const unit = m[2] ?? 's';
  const ms = Math.round(Number(m[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > maxMs)
    fail(flag, value, `a duration from 1ms to ${showMs(maxMs)}`);
  return ms;
}

/** `A..B` (inclusive) or `A-B` of integers from 0 to max, A <= B, with at most maxCount values. */
export function parseRange(
  flag: string,
  value: string,
  max = Number.MAX_SAFE_INTEGER,
  maxCount = Number.POSITIVE_INFINITY,
): { lo: number; hi: number } {
  const m = /^(\d+)(?:\.\.|-)(\d+)$/.exec(value);
  if (m === null) fail(flag, value, 'a range such as 1..1000');
  const lo = parseUint(flag, m[1]!, max);
  const hi = parseUint(flag, m[2]!, max);
  if (lo > hi) fail(flag, value, 'a range with its start at or below its end');
  if (hi - lo + 1 > maxCount) fail(flag, value, `a range of at most ${maxCount} values`);
  return { lo, hi };
}

/** A rate per virtual minute from 0 to max, or `off` (= 0). */
export function parseRate(flag: string, value: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === 'off') return 0;
  if (!/^\d+(\.\d+)?$/.test(value) || !(Number(value) <= max))
    fail(flag, value, `a rate per minute from 0 to ${max}, or 'off'`);
  return Number(value);
}

/** Whether the module at `moduleUrl` (its import.meta.url) is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

/**
 * --shrink-budget for commands whose output must not depend on the machine (fuzz, explore): a
 * number of runs only, never wall time. Absent: the default budget.
 */
export function parseRunsShrinkBudget(text: string | undefined): ShrinkBudget {
  if (text === undefined) return DEFAULT_SHRINK_BUDGET;
  const parsed = parseShrinkBudget(text);
  if (parsed === null || parsed.kind !== 'runs' || parsed.runs > 100_000)
    throw new UsageError(`--shrink-budget: '${text}' is not a number of runs from 1 to 100000`);
  return parsed;
}
