// Progress of long work (a sweep, a shrink, a long single run) on stderr. On a terminal: a bar or
// a line rewritten in place. Without one (CI, a pipe): a plain line at a modest interval, so that
// a log shows the work is alive without filling up. `--quiet` silences both. Wall-clock code,
// outside any run: it never touches what a run computes.

import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';

/** How often a plain progress line is printed when stderr is not a terminal. */
export const PLAIN_INTERVAL_MS = 10_000;
/** How often a terminal line is redrawn. */
const TTY_INTERVAL_MS = 100;

/** Where progress goes and how it is shown. */
export interface ProgressSink {
  readonly write: (text: string) => void;
  readonly isTTY: boolean;
  readonly quiet: boolean;
  /** Wall clock in ms (tests pass their own). */
  readonly clockMs?: () => number;
  readonly plainIntervalMs?: number;
}

/**
 * Progress on stderr. RAFTSIM_PROGRESS_MS sets the plain-line interval (the signal test uses it to
 * see a sweep under way within a second).
 */
export function stderrSink(quiet: boolean): ProgressSink {
  const fromEnv = Number(process.env.RAFTSIM_PROGRESS_MS ?? '');
  return {
    write: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    quiet,
    ...(Number.isInteger(fromEnv) && fromEnv > 0 ? { plainIntervalMs: fromEnv } : {}),
  };
}

/**
 * A remaining time as a person reads it: `7s`, `4m05s`, `2h07m`, `3d04h`; `?` when it cannot be
 * known yet (no rate). Rounded to whole seconds first, so that a unit never shows 60.
 */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  const m = Math.round(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)}h${pad(m % 60)}m`;
  const h = Math.round(m / 60);
  return `${Math.floor(h / 24)}d${pad(h % 24)}h`;
}

export interface SweepProgressState {
  readonly done: number;
  readonly total: number;
  readonly failures: number;
  readonly elapsedMs: number;
}

/** Seeds per second and the time left at that rate. */
export function rateAndEta(p: SweepProgressState): { perSec: number; etaSec: number } {
  const perSec = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const etaSec = perSec > 0 ? (p.total - p.done) / perSec : Number.POSITIVE_INFINITY;
  return { perSec, etaSec };
}

/** The plain line: `seeds 120/1,000 (12%) · 0 failures · 45.2 seeds/s · ETA 19s`. */
export function formatSweepLine(p: SweepProgressState): string {
  const { perSec, etaSec } = rateAndEta(p);
  const pct = p.total > 0 ? Math.floor((p.done * 100) / p.total) : 100;
  const fmt = new Intl.NumberFormat('en-US');
  return (
    `seeds ${fmt.format(p.done)}/${fmt.format(p.total)} (${pct}%) · ` +
    `${fmt.format(p.failures)} failure${p.failures === 1 ? '' : 's'} · ` +
    `${perSec.toFixed(1)} seeds/s · ETA ${formatEta(etaSec)}`
  );
}

export interface SweepProgress {
  update(done: number, failures: number): void;
  /** Ends the display and gives the terminal back as it was (cursor shown, line wrap on). */
  stop(): void;
}

/** The progress of a sweep of `total` seeds. */
export function sweepProgress(total: number, sink: ProgressSink): SweepProgress {
  if (sink.quiet) return { update: () => {}, stop: () => {} };
  const clock = sink.clockMs ?? (() => performance.now());
  const startMs = clock();
  if (!sink.isTTY) {
    const interval = sink.plainIntervalMs ?? PLAIN_INTERVAL_MS;
    let lastMs = startMs;
    return {
      update: (done, failures) => {
        const now = clock();
        if (now - lastMs < interval || done >= total) return;
        lastMs = now;
        sink.write(`${formatSweepLine({ done, total, failures, elapsedMs: now - startMs })}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'seeds {bar} {value}/{total} | failures {failures} | {rate} seeds/s | ETA {eta}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { failures: 0, rate: '0.0', eta: '?' });
  let stopped = false;
  return {
    update: (done, failures) => {
      const { perSec, etaSec } = rateAndEta({ done, total, failures, elapsedMs: clock() - startMs });
      bar.update(done, { failures, rate: perSec.toFixed(1), eta: formatEta(etaSec) });
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

/** One line of a long task that is not counted in seeds (a shrink, a long run). */
export interface LineProgress {
  update(text: string): void;
  done(): void;
}

/** On a terminal: one line rewritten in place. Otherwise: the line at the plain interval. */
export function lineProgress(sink: ProgressSink): LineProgress {
  if (sink.quiet) return { update: () => {}, done: () => {} };
  const clock = sink.clockMs ?? (() => performance.now());
  const interval = sink.isTTY ? TTY_INTERVAL_MS : (sink.plainIntervalMs ?? PLAIN_INTERVAL_MS);
  let lastMs = clock();
  let shown = false;
  return {
    update: (text) => {
      const now = clock();
      if (now - lastMs < interval) return;
      lastMs = now;
      if (sink.isTTY) {
        sink.write(`\r\x1b[K${text}`);
        shown = true;
      } else {
        sink.write(`${text}\n`);
      }
    },
    done: () => {
      if (shown) sink.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** What a terminal needs back after a bar that was cut short: the cursor shown, line wrap on. */
export const RESTORE_TERMINAL = '\x1b[?25h\x1b[?7h';

/**
 * Progress of one long run, on a terminal only: called from inside the run (sim/engine/runner.ts,
 * onProgress) every 65,536 steps, so it must not read a clock: it shows virtual time and steps.
 */
export function runProgress(
  label: string,
  endMs: number,
  sink: ProgressSink,
): { onProgress: ((nowMs: number, steps: number) => void) | undefined; done: () => void } {
  if (sink.quiet || !sink.isTTY) return { onProgress: undefined, done: () => {} };
  const fmt = new Intl.NumberFormat('en-US');
  let shown = false;
  return {
    onProgress: (nowMs, steps) => {
      shown = true;
      sink.write(
        `\r\x1b[K${label}: ${(nowMs / 1000).toFixed(1)} of ${(endMs / 1000).toFixed(1)} s virtual, ${fmt.format(steps)} events`,
      );
    },
    done: () => {
      if (shown) sink.write('\r\x1b[K');
    },
  };
}
