/**
 * Thrown when the implementation under test misbehaves: its code threw, its process exited, wrote
 * something that is not an answer, or did not answer in time. A run stopped by it has the outcome
 * 'impl-error' (sim/explore/outcome.ts), naming the node and what went wrong: a finding about the
 * implementation, not a bug in raftsim.
 */
export class ImplementationError extends Error {
  override name = 'ImplementationError';
}
