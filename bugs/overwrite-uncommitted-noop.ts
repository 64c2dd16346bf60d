import type { Bug } from './bug.ts';

/**
 * An "optimisation" that saves a log entry: while a new leader's no-op has not committed, the
 * first client command takes the no-op's slot instead of the next one. The leader rewrites an
 * entry of its own term that it has already sent, so two different entries now carry the same
 * index and term.
 */
export const overwriteUncommittedNoop: Bug = {
  name: 'overwrite-uncommitted-noop',
  property: 'leader-append-only',
  description:
    "A new leader whose no-op has not committed yet puts the first client command in the no-op's " +
    'slot instead of after it, overwriting an entry of its own term that followers may already hold.',
  policy: (base) => ({
    ...base,
    leaderAppendIndex: (lastIndex, noopIndex, commitIndex) =>
      noopIndex !== 0 && noopIndex === lastIndex && commitIndex < noopIndex ? noopIndex : lastIndex + 1,
  }),
};
