// The student Raft (./raft.ts) as an implementation raftsim can test:
//
//   npm run sim -- conform --impl examples/student-raft/index.ts
//
// `studentRaft(options)` builds it with one of its seeded bugs on; the bug-*.ts modules beside this
// one are those builds, so that a bug is switched on by naming a module, and every replay command
// the harness prints names it again.

import type { RaftImplementation } from '../../sim/adapters/impl.ts';
import { type StudentOptions, StudentRaft } from './raft.ts';

export function studentRaft(options: StudentOptions = {}): RaftImplementation {
  return {
    name: options.bug === undefined ? 'student-raft' : `student-raft (bug: ${options.bug})`,
    // Figure 2 and scripted elections; no PreVote, CheckQuorum, reads without a log entry,
    // membership change or snapshots.
    capabilities: { campaign: true },
    createNode: (args) => new StudentRaft(args, options),
  };
}

export default studentRaft();
