// One step of a run as the runner's trace line records it (Simulation.endStep and the handlers).

/** The fields of a trace record the views read (see Simulation.endStep and the handlers). */
export interface StepRecord {
  step: number;
  t: number;
  ev: string;
  node?: number;
  client?: number;
  seq?: number;
  op?: string;
  accepted?: number | false;
  /** A get served outside the log: true when the node took it (its reply comes once confirmed). */
  read?: boolean;
  result?: string;
  status?: string;
  msg?: Record<string, unknown> & { type: string; from: number; to: number; term: number };
  fault?: Record<string, unknown> & { type: string };
  outcome?: string;
  role?: [string, string];
  term?: [number, number];
  commit?: [number, number];
  restarted?: { term: number; lastIndex: number; lastApplied: number };
  released?: number;
  sent?: number;
  logWrite?: [number, number];
  applied?: [number, number];
  /** A snapshot made durable in the step: [last included index, its term, 'taken' | 'installed']. */
  snapshot?: [number, number, string];
  violation?: string;
  /** Where the step's messages went: `[to, type]` dropped at send, else `[to, type, arrivalMs, …]` per copy. */
  net?: [number, string, ...number[]][];
  /** An admin-poll or scripted membership step: what the asked node answered. */
  admin?: string;
}

export function parseTraceLines(lines: readonly string[]): StepRecord[] {
  return lines.map((line) => JSON.parse(line) as StepRecord);
}
