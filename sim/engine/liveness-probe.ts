import type { Violation } from '../../properties/types.ts';
import type { RaftProcess } from '../../src/raft/process.ts';
import type { NodeId } from '../../src/raft/types.ts';
import { faultsEndMs, livenessSkipReason, type SimConfig } from '../model/config.ts';

/** What became of liveness in a run. */
export type LivenessOutcome =
  /** The probe's command committed this many ms after the faults ended. */
  | { readonly status: 'ok'; readonly latencyMs: number }
  | { readonly status: 'violated' }
  | { readonly status: 'skipped'; readonly reason: string }
  /** The run stopped (a violation, maxSteps) before the bound ran out. */
  | { readonly status: 'not-reached' };

/**
 * Liveness after the faults end (docs/design.md, "Liveness"): from the instant the schedule
 * repairs everything, a probe client's command must commit within `livenessBoundMs`. This keeps
 * when that is, whether it is judged at all, and what to say at the deadline; the runner starts
 * the probe, schedules the deadline and asks here.
 */
export class LivenessProbe {
  readonly faultsEndMs: number;
  readonly deadlineMs: number;
  /** Why liveness is not judged in this run, or null when it is. */
  readonly skip: string | null;
  private readonly boundMs: number;
  private leaderSinceFaultsEnd = false;

  constructor(config: SimConfig, enabled: boolean) {
    this.faultsEndMs = faultsEndMs(config);
    this.boundMs = config.livenessBoundMs;
    this.deadlineMs = this.faultsEndMs + this.boundMs;
    this.skip = enabled ? livenessSkipReason(config) : 'liveness not checked: switched off';
  }

  onLeader(nowMs: number): void {
    if (nowMs >= this.faultsEndMs) this.leaderSinceFaultsEnd = true;
  }

  /** At the deadline with no probe command committed: the violation, naming who leads now. */
  violation(processes: readonly (RaftProcess | null)[], everyone: readonly NodeId[]): Violation {
    const leaders: NodeId[] = [];
    const terms: number[] = [];
    for (const p of processes) {
      if (p === null) continue;
      if (p.role === 'leader') leaders.push(p.id);
      terms.push(p.currentTerm);
    }
    const F = this.faultsEndMs;
    const bound = this.boundMs;
    let situation: string;
    if (leaders.length > 0) {
      situation = `leader now: ${leaders.map((id) => `S${id}`).join(', ')}`;
    } else if (this.leaderSinceFaultsEnd) {
      situation = 'a leader was elected after the faults ended, but none leads now';
    } else {
      situation = 'no leader was elected after the faults ended';
    }
    return {
      property: 'liveness',
      message:
        `no client command committed within ${bound} ms after the last fault was repaired at ${F} ms ` +
        `(deadline ${F + bound} ms); ${situation}`,
      nodes: leaders.length > 0 ? leaders : [...everyone],
      terms: Array.from(new Set(terms)).sort((a, b) => a - b),
      indices: [],
    };
  }

  outcome(probeOkMs: number | null, violated: boolean): LivenessOutcome {
    if (this.skip !== null) return { status: 'skipped', reason: this.skip };
    if (probeOkMs !== null) return { status: 'ok', latencyMs: probeOkMs - this.faultsEndMs };
    if (violated) return { status: 'violated' };
    return { status: 'not-reached' };
  }
}
