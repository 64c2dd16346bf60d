import type { Bug } from './bug.ts';

/**
 * Paper §6: "a server always uses the latest configuration in its log, regardless of whether the
 * entry is committed". Waiting for the commit is a common misreading (the thesis §4.1 discusses it).
 */
export const configOnCommit: Bug = {
  name: 'config-on-commit',
  property: 'membership-safety',
  description:
    'Servers switch to a configuration only when its entry commits, not when it is appended. A ' +
    'leader then counts majorities of a configuration its log has already moved past, and commits ' +
    'entries that no majority of its current configuration stores.',
  requires: { membership: true },
  policy: (base) => ({ ...base, adoptConfigOnAppend: false }),
};
