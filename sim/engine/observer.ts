import type { NodeStep } from '../../properties/types.ts';
import type { Fault } from '../model/faults.ts';
import type { SimEvent } from './events.ts';

/**
 * Watches a run without judging it: coverage-guided exploration (sim/explore/search/) measures
 * what a run reached through it. Called inside the run, under the determinism fence; it must
 * not change the run (it sees the node read-only, after the checkers) and its cost per call must
 * not grow with the run.
 */
export interface StepObserver {
  /** A node step, with the event that caused it (null for steps outside an event, such as start). */
  onNodeStep(step: NodeStep, event: SimEvent | null): void;
  /** A scheduled fault takes effect at `atMs` (before the nodes see its consequences). */
  onFault(fault: Fault, atMs: number): void;
}
