import { Durability } from './durability.ts';
import { ElectionSafety } from './election-safety.ts';
import { LeaderAppendOnly } from './leader-append-only.ts';
import { LeaderCompleteness } from './leader-completeness.ts';
import { LogMatching } from './log-matching.ts';
import { MembershipSafety } from './membership-safety.ts';
import { StateMachineSafety } from './state-machine-safety.ts';
import type { Checker } from './types.ts';

export type { Checker, NodeStep, PropertyId, Violation } from './types.ts';
export { PROPERTY_IDS } from './types.ts';

/** The safety checkers run after every step. Each call gives fresh history variables. */
export function createSafetyCheckers(): Checker[] {
  return [
    new ElectionSafety(),
    new Durability(),
    new LeaderAppendOnly(),
    new LogMatching(),
    new LeaderCompleteness(),
    new StateMachineSafety(),
    new MembershipSafety(),
  ];
}
