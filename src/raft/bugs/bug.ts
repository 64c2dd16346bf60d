import type { PropertyId } from '../../../properties/types.ts';
import type { Policy } from '../policy.ts';

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
  /** The policy with this bug switched on, on top of `base`; every other decision is left as it was. */
  readonly policy: (base: Policy) => Policy;
}
