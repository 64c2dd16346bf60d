// Ctrl-C and SIGTERM during long work: instead of dying with the results, the CLI stops its
// workers, gives the terminal back, and prints what it has. This module only turns the signals
// into an AbortSignal and knows the exit codes; the callers decide what "what it has" is.

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The shell's convention: 128 + the signal number. */
export function exitCodeOfSignal(signal: StopSignal): number {
  switch (signal) {
    case 'SIGINT':
      return 130;
    case 'SIGTERM':
      return 143;
  }
}

export interface Interrupt {
  /** Aborted at the first SIGINT or SIGTERM; `reason` is the signal's name. */
  readonly signal: AbortSignal;
  /** The signal that arrived, or null. */
  received(): StopSignal | null;
  /** Removes the handlers: the next signal has its default effect again. */
  dispose(): void;
}

/**
 * Catches SIGINT and SIGTERM until disposed. The first one aborts `signal`; a second one (the user
 * insisting) runs `onSecond`, which by default exits at once with the signal's code.
 */
export function catchInterrupts(
  onSecond: (signal: StopSignal) => void = (s) => process.exit(exitCodeOfSignal(s)),
): Interrupt {
  const controller = new AbortController();
  let got: StopSignal | null = null;
  const handler = (signal: StopSignal): void => {
    if (got !== null) {
      onSecond(signal);
      return;
    }
    got = signal;
    controller.abort(signal);
  };
  const onInt = (): void => handler('SIGINT');
  const onTerm = (): void => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
