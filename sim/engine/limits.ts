/**
 * Thrown when a run reaches a bound of the simulator itself (the event-queue cap): the run cannot
 * go on, and what it showed so far says nothing about Raft. Not an AssertionError: a correct node
 * under heavy duplication can reach the cap, so it must never be reported as a found bug.
 */
export class ResourceLimitError extends Error {
  override name = 'ResourceLimitError';
}
