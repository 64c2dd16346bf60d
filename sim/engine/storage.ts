import { AssertionError } from '../../src/assert.ts';
import type {
  Command,
  DurableState,
  Entry,
  HardState,
  KvResult,
  Membership,
  Ready,
} from '../../src/raft/types.ts';

/** The replicated application. The reference is KvStore (src/raft/kv.ts); anything with `apply` will do. */
export interface StateMachine {
  /** Applies one committed command; returns the client's answer, or null for commands with none (noop). */
  apply(command: Command): KvResult | null;
}

/**
 * One node's disk. What is here survives a crash; everything else about the node does not.
 *
 * The state machine is durable together with lastApplied: we model an application that
 * persists its applied state atomically with the applied index, so a restarted node resumes
 * applying at lastApplied + 1 and never applies an entry twice.
 */
export class NodeStorage<SM extends StateMachine = StateMachine> {
  hardState: HardState = { currentTerm: 0, votedFor: 0 };
  /** log[i - 1] is the entry at index i. */
  readonly log: Entry[] = [];
  lastApplied = 0;
  readonly stateMachine: SM;

  /**
   * The configuration entries of the durable log (indexes ascending, and their configurations), so
   * that the simulator's own judgements (leader stability) can use the configuration a node is in
   * without reading its log. Kept up to date by persist, O(entries written).
   */
  readonly configIndexes: number[] = [];
  readonly configs: Membership[] = [];

  /** Counters for the run summary. */
  hardStateWrites = 0;
  entriesWritten = 0;

  constructor(stateMachine: SM) {
    this.stateMachine = stateMachine;
  }

  /**
   * Makes a step's writes durable: hard state, then the log write (truncate at fromIndex,
   * append). Never copies the log.
   */
  persist(ready: Ready): void {
    if (ready.hardState !== null) {
      this.hardState = ready.hardState;
      this.hardStateWrites++;
    }
    const write = ready.logWrite;
    if (write === null) return;
    const log = this.log;
    const keep = write.fromIndex - 1;
    if (keep < 0 || keep > log.length) {
      throw new AssertionError(
        `log write from index ${write.fromIndex} leaves a gap after last index ${log.length}`,
      );
    }
    // Most writes append: leave the length alone then (setting it is not free).
    if (keep < log.length) log.length = keep;
    const ci = this.configIndexes;
    while (ci.length > 0 && ci[ci.length - 1]! > keep) {
      ci.pop();
      this.configs.pop();
    }
    const entries = write.entries;
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k]!;
      log.push(entry);
      if (entry.command.kind === 'config') {
        ci.push(log.length);
        this.configs.push(entry.command.membership);
      }
    }
    this.entriesWritten += entries.length;
  }

  /** Applies the entry at `index`, which must be the next one, to the durable state machine. */
  apply(index: number, entry: Entry): KvResult | null {
    if (index !== this.lastApplied + 1) {
      throw new AssertionError(`applying index ${index} after ${this.lastApplied}`);
    }
    this.lastApplied = index;
    return this.stateMachine.apply(entry.command);
  }

  /** The latest configuration in the durable log, or null when it holds none (the bootstrap one applies). */
  latestConfig(): Membership | null {
    const n = this.configs.length;
    return n === 0 ? null : this.configs[n - 1]!;
  }

  get lastIndex(): number {
    return this.log.length;
  }

  termAt(index: number): number | undefined {
    if (index === 0) return 0;
    return this.log[index - 1]?.term;
  }

  /**
   * What a restarting node is built from. The log is copied because the new node owns and
   * mutates its own array while this one keeps receiving its writes; restarts are rare, so
   * the copy is cheap over a run.
   */
  durableState(): DurableState {
    return { hardState: this.hardState, log: this.log.slice(), lastApplied: this.lastApplied };
  }
}
