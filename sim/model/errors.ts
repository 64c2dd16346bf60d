/**
 * Errors in what a user gave us (a flag, a file, a range): shown as one line, exit code 2.
 * Distinct from AssertionError, which is a bug and must stay loud. Defined with the model because
 * reading and writing a run's files raise it; the CLI decides what it means for the process.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
