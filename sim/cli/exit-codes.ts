// The one place where what happened becomes the process's exit code.

import type { RunKind } from '../explore/outcome.ts';
import { EXIT_OK, EXIT_VIOLATION } from './usage.ts';

/** A Raft property was violated or a node assertion fired (replay: the outcome differed). */
export const EXIT_FINDING = EXIT_VIOLATION;
/** raftsim could not judge a run: an exception in the harness, or a simulator resource limit. */
export const EXIT_NOT_JUDGED = 3;

/** Exit code of one run of this kind. */
export function exitCodeOf(kind: RunKind): number {
  switch (kind) {
    case 'ok':
      return EXIT_OK;
    case 'violation':
    case 'assertion':
    case 'impl-error':
      return EXIT_FINDING;
    case 'harness-error':
    case 'resource-limit':
      return EXIT_NOT_JUDGED;
  }
}

/** Exit code of several runs (a sweep): a Raft finding wins over a run not judged. */
export function exitCodeOfAll(kinds: Iterable<RunKind>): number {
  let code = EXIT_OK;
  for (const kind of kinds) {
    const c = exitCodeOf(kind);
    if (c === EXIT_FINDING) return EXIT_FINDING;
    if (c !== EXIT_OK) code = c;
  }
  return code;
}
