import type { PropertyId } from '../properties/types.ts';
import type { Policy } from '../src/raft/policy.ts';
import type { ReadMode } from '../src/raft/types.ts';

/** Options of the node without which a bug's decision is never reached. */
export interface BugRequirements {
  /** The bug is in the PreVote path. */
  readonly preVote?: true;
  /** The bug is in the read path of one of these read modes. */
  readonly readModes?: readonly ReadMode[];
  /** The bug is what CheckQuorum would prevent: with it on, the bug never fires. */
  readonly checkQuorumOff?: true;
  /** The bug is in membership change: it fires only in runs with membership operations. */
  readonly membership?: true;
  /** The bug is in log compaction: it fires only in runs that compact (config.compaction). */
  readonly compaction?: true;
}

/**
 * A known way to get Raft wrong, as a change to one decision of the node's policy. `property` is
 * the property the harness is expected to report first when the bug bites. (A type-only import
 * from properties/: nothing of it exists at run time, so src/ still does not depend on it.)
 */
export interface Bug {
  /** Kebab-case name, as given to `--bug`. */
  readonly name: string;
  readonly property: PropertyId;
  /** One or two sentences: what the buggy node does, and why that breaks `property`. */
  readonly description: string;
  /** Options it needs to fire at all (none: it can fire in any config). */
  readonly requires?: BugRequirements;
  /** The policy with this bug switched on, on top of `base`; every other decision is left as it was. */
  readonly policy: (base: Policy) => Policy;
}
