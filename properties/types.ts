import type { RaftProcess } from '../src/raft/process.ts';
import type { NodeId, Ready, Role } from '../src/raft/types.ts';

/** Property ids, used in reports, `--json`, traces and the bug catalogue. */
export const PROPERTY_IDS = [
  'election-safety',
  'leader-append-only',
  'log-matching',
  'leader-completeness',
  'state-machine-safety',
  'durability',
  'membership-safety',
  'liveness',
  'leader-stability',
  'linearizability',
] as const;
export type PropertyId = (typeof PROPERTY_IDS)[number];

/** What a checker found. The runner adds where (step, time) and the events that led there. */
export interface Violation {
  readonly property: PropertyId;
  /** One line, naming nodes as S1..Sn, terms and indices. */
  readonly message: string;
  readonly nodes: readonly NodeId[];
  readonly terms: readonly number[];
  readonly indices: readonly number[];
}

/**
 * What one node did in one simulator step. `process` is the node after the step;
 * the `...Before` fields are its state before it. `ready` is what the step produced
 * (the runner hands it to checkers before acting on it). For a restart, `restarted`
 * is true, `process` is the new incarnation built from durable state and `ready` is empty.
 */
export interface NodeStep {
  readonly node: NodeId;
  readonly process: RaftProcess;
  readonly restarted: boolean;
  readonly roleBefore: Role;
  readonly termBefore: number;
  readonly commitIndexBefore: number;
  readonly lastIndexBefore: number;
  readonly lastAppliedBefore: number;
  readonly ready: Ready;
}

/**
 * A safety checker. It keeps history variables and updates them from the step's delta
 * only: its cost per step must not grow with the length of the logs or of the run.
 */
export interface Checker {
  readonly property: PropertyId;
  onNodeStep(step: NodeStep): Violation | null;
  /** Optional: called once before the first step with the bootstrap configuration's voters. */
  onStart?(voters: readonly NodeId[]): void;
}
