/**
 * A violated assertion is a found bug, not an exception to catch: it names what must hold.
 * The message may be a function so that building it costs nothing on the hot path.
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new AssertionError(typeof message === 'function' ? message() : message);
}

/** The end of an exhaustive switch: a new case added to a union does not compile until handled. */
export function unreachable(value: never): never {
  throw new AssertionError(`unreachable: ${JSON.stringify(value) ?? String(value)}`);
}
