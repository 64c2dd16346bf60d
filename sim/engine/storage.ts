import { AssertionError } from '../../src/assert.ts';
import type {
  Command,
  DurableState,
  Entry,
  HardState,
  KvResult,
  Membership,
  Ready,
  Snapshot,
} from '../../src/raft/types.ts';

/** The replicated application. The reference is KvStore (src/raft/kv.ts); anything with `apply` will do. */
export interface StateMachine {
  /** Applies one committed command; returns the client's answer, or null for commands with none (noop). */
  apply(command: Command): KvResult | null;
  /**
   * Its whole state as a string, for a snapshot (paper §7); `StateMachines.restore` reads it back.
   * A state machine without it is never compacted.
   */
  encode?(): string;
}

/** How a node's state machine is made: empty at first start, or from a snapshot's data. */
export interface StateMachines<SM extends StateMachine = StateMachine> {
  create(): SM;
  restore(data: string): SM;
}

/** A rough size of an entry on disk, in bytes: a fixed header and the command's strings. */
export function entryBytes(e: Entry): number {
  const c = e.command;
  switch (c.kind) {
    case 'noop':
      return 16;
    case 'config':
      return (
        24 + 4 * (c.membership.voters.length + c.membership.outgoing.length + c.membership.learners.length)
      );
    case 'kv': {
      const op = c.op;
      let n = 32 + op.key.length;
      if (op.type !== 'get') n += op.value.length;
      if (op.type === 'cas') n += op.expected.length;
      return n;
    }
  }
}

/**
 * One node's disk: hard state, the latest snapshot (paper §7) and the log after it. What is here
 * survives a crash; everything else about the node does not.
 *
 * The state machine is volatile, as in the paper: it lives here for the host's convenience, and a
 * restart rebuilds it from the snapshot (lastApplied = the snapshot's index), after which the node
 * hands out the log's committed entries again. A snapshot and the log write of the same step are
 * made durable together, before any message of that step leaves: `persist` checks the whole write
 * before it changes anything, so a step's writes land entirely or (a crash before the step ends)
 * not at all, and the previous snapshot stays until the new one is complete.
 */
export class NodeStorage<SM extends StateMachine = StateMachine> {
  hardState: HardState = { currentTerm: 0, votedFor: 0 };
  /** The latest snapshot, null before the first. */
  snapshot: Snapshot | null = null;
  /** log[k] is the entry at index snapshotIndex + 1 + k. */
  readonly log: Entry[] = [];
  /** Volatile: the state machine and the index it has applied. */
  lastApplied = 0;
  stateMachine: SM;
  private readonly machines: StateMachines<SM>;

  /**
   * The configuration entries of the durable log (indexes ascending, and their configurations), so
   * that the simulator's own judgements (leader stability) can use the configuration a node is in
   * without reading its log. Kept up to date by persist, O(entries written).
   */
  readonly configIndexes: number[] = [];
  readonly configs: Membership[] = [];

  /** Counters for the run summary and the benchmarks. */
  hardStateWrites = 0;
  entriesWritten = 0;
  snapshotsWritten = 0;
  /** Of those, the ones installed from a leader (scenarios ask: `S3 installed a snapshot`). */
  snapshotsInstalled = 0;
  /** Bytes on disk now: the log after the snapshot (entryBytes) and the snapshot's data. */
  logBytes = 0;
  snapshotBytes = 0;

  constructor(machines: StateMachines<SM>) {
    this.machines = machines;
    this.stateMachine = machines.create();
  }

  get snapshotIndex(): number {
    return this.snapshot === null ? 0 : this.snapshot.index;
  }

  /**
   * Makes a step's writes durable: hard state, the snapshot, then the log write (truncate at
   * fromIndex, append). A snapshot drops the log through its index (all of it when the log does not
   * reach that far); an installed one also resets the state machine. Never copies the log.
   */
  persist(ready: Ready): void {
    const snap = ready.snapshot ?? null;
    const write = ready.logWrite;
    // Check before writing anything: a write that cannot land leaves the disk as it was.
    const offsetAfter = snap === null ? this.snapshotIndex : snap.snapshot.index;
    const keepsTail = snap !== null && this.reaches(snap.snapshot.index);
    const lastAfter = snap === null || keepsTail ? Math.max(this.lastIndex, offsetAfter) : offsetAfter;
    if (write !== null && (write.fromIndex <= offsetAfter || write.fromIndex > lastAfter + 1)) {
      throw new AssertionError(
        `log write from index ${write.fromIndex} does not fit a log of ${offsetAfter + 1}..${lastAfter}`,
      );
    }
    if (ready.hardState !== null) {
      this.hardState = ready.hardState;
      this.hardStateWrites++;
    }
    if (snap !== null) this.writeSnapshot(snap.snapshot, keepsTail, snap.installed);
    if (write === null) return;
    const log = this.log;
    const offset = this.snapshotIndex;
    const keep = write.fromIndex - 1 - offset;
    // Most writes append: leave the length alone then (setting it is not free).
    if (keep < log.length) {
      for (let k = keep; k < log.length; k++) this.logBytes -= entryBytes(log[k]!);
      log.length = keep;
    }
    const ci = this.configIndexes;
    while (ci.length > 0 && ci[ci.length - 1]! > keep + offset) {
      ci.pop();
      this.configs.pop();
    }
    const entries = write.entries;
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k]!;
      log.push(entry);
      this.logBytes += entryBytes(entry);
      if (entry.command.kind === 'config') {
        ci.push(offset + log.length);
        this.configs.push(entry.command.membership);
      }
    }
    this.entriesWritten += entries.length;
  }

  /**
   * True when the durable log reaches `index` past the snapshot: a new snapshot then replaces the
   * entries through it and what follows stays, until the step's log write says otherwise (a node
   * that discards its log for an installed snapshot writes an empty tail after it).
   */
  private reaches(index: number): boolean {
    return index > this.snapshotIndex && index <= this.lastIndex;
  }

  private writeSnapshot(snap: Snapshot, keepsTail: boolean, installed: boolean): void {
    const log = this.log;
    const drop = keepsTail ? snap.index - this.snapshotIndex : log.length;
    for (let k = 0; k < drop; k++) this.logBytes -= entryBytes(log[k]!);
    log.splice(0, drop);
    let confs = 0;
    const ci = this.configIndexes;
    if (keepsTail) while (confs < ci.length && ci[confs]! <= snap.index) confs++;
    else confs = ci.length;
    ci.splice(0, confs);
    this.configs.splice(0, confs);
    this.snapshot = snap;
    this.snapshotBytes = snap.data.length;
    this.snapshotsWritten++;
    if (installed) {
      this.snapshotsInstalled++;
      this.stateMachine = this.machines.restore(snap.data);
      this.lastApplied = snap.index;
    }
  }

  /** Applies the entry at `index`, which must be the next one, to the state machine. */
  apply(index: number, entry: Entry): KvResult | null {
    if (index !== this.lastApplied + 1) {
      throw new AssertionError(`applying index ${index} after ${this.lastApplied}`);
    }
    this.lastApplied = index;
    return this.stateMachine.apply(entry.command);
  }

  /** A crash loses the state machine: the next incarnation starts from the snapshot's. */
  recover(): void {
    const snap = this.snapshot;
    this.stateMachine = snap === null ? this.machines.create() : this.machines.restore(snap.data);
    this.lastApplied = this.snapshotIndex;
  }

  /** The latest configuration on disk, or null when there is none (the bootstrap one applies). */
  latestConfig(): Membership | null {
    const n = this.configs.length;
    if (n > 0) return this.configs[n - 1]!;
    return this.snapshot === null ? null : this.snapshot.membership;
  }

  get lastIndex(): number {
    return this.snapshotIndex + this.log.length;
  }

  /** The durable entry at `index`; undefined past the end and where a snapshot replaced it. */
  entryAt(index: number): Entry | undefined {
    const offset = this.snapshotIndex;
    return index <= offset ? undefined : this.log[index - offset - 1];
  }

  termAt(index: number): number | undefined {
    const offset = this.snapshotIndex;
    if (index <= offset) return index === offset ? (this.snapshot?.term ?? 0) : undefined;
    return this.log[index - offset - 1]?.term;
  }

  /**
   * What a restarting node is built from. The log is copied because the new node owns and
   * mutates its own array while this one keeps receiving its writes; restarts are rare, so
   * the copy is cheap over a run.
   */
  durableState(): DurableState {
    return {
      hardState: this.hardState,
      snapshot: this.snapshot,
      log: this.log.slice(),
      lastApplied: this.snapshotIndex,
    };
  }
}
