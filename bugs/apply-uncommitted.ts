import type { Bug } from './bug.ts';

export const applyUncommitted: Bug = {
  name: 'apply-uncommitted',
  property: 'state-machine-safety',
  description:
    'A node applies every entry in its log as soon as it has it, not only committed ones; an entry ' +
    'later overwritten by a new leader has then already changed its state machine.',
  policy: (base) => ({ ...base, applyLimit: (_commitIndex, lastIndex) => lastIndex }),
};
