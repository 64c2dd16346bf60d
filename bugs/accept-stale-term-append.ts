import type { Bug } from './bug.ts';

export const acceptStaleTermAppend: Bug = {
  name: 'accept-stale-term-append',
  property: 'state-machine-safety',
  description:
    'A node accepts AppendEntries from a leader of an older term as if it came from the current ' +
    'leader. A deposed leader can then overwrite entries the current leader has already committed.',
  policy: (base) => ({ ...base, acceptAppendTerm: () => true }),
};
