// What a file is, told from its first bytes, for messages when a file is given to the wrong
// command (an event trace to --replay, a trace file to lincheck). Kept apart from trace-file.ts so
// that lincheck can ask without loading the trace schemas and the bug catalogue.

/** The `format` field of a trace file (sim/model/trace-file.ts). */
export const TRACE_FORMAT = 'raftsim-trace';

/**
 * Whether `text` is a JSON Lines event trace (what --trace writes): its first line is a step
 * record such as `{"step":1,"t":0,"ev":...}`.
 */
export function isEventTrace(text: string): boolean {
  const newline = text.indexOf('\n');
  const first = newline < 0 ? text : text.slice(0, newline);
  let record: unknown;
  try {
    record = JSON.parse(first);
  } catch {
    return false;
  }
  return typeof record === 'object' && record !== null && 'step' in record && 'ev' in record;
}
