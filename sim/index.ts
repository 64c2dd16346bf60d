// The simulator's public surface (the CLI, shrinking and sweeps build on it).

export type { BuggyReferenceNode } from './adapters/reference.ts';
export { referenceNode, referenceNodeWithBugs } from './adapters/reference.ts';
export type { ClientStats, HistoryOp } from './engine/clients.ts';
export { PROBE_CLIENT, PROBE_OP } from './engine/clients.ts';
export { fenceActive, withFence } from './engine/fence.ts';
export { EventQueue } from './engine/queue.ts';
export { chance, expMs, intBetween, pick, shuffled, stream } from './engine/rng.ts';
export type {
  EngineOptions,
  EngineResult,
  LivenessOutcome,
  LogSlice,
  NodeArgs,
  NodeFactory,
  SimErrorContext,
  StopReason,
  ViolationReport,
} from './engine/runner.ts';
export { simErrorContext, simulate } from './engine/runner.ts';
export type { StateMachine } from './engine/storage.ts';
export { NodeStorage } from './engine/storage.ts';
export type { TraceRecord } from './engine/trace.ts';
export { describeEvent, describeFault, describeMessage, Tracer } from './engine/trace.ts';
export { generateSchedule, runSeed } from './explore/generate.ts';
export type { RunOptions, RunResult } from './explore/run.ts';
export { runSchedule } from './explore/run.ts';
export type { ClientConfig, FaultConfig, NetworkConfig, SimConfig } from './model/config.ts';
export {
  DEFAULT_CLIENT_CONFIG,
  DEFAULT_FAULT_CONFIG,
  DEFAULT_NETWORK_CONFIG,
  defaultConfig,
  defaultLivenessBoundMs,
  faultsEndMs,
  livenessSkipReason,
  validateConfig,
} from './model/config.ts';
export type { Fault, FaultType, Schedule, ScheduledOp } from './model/schedule.ts';
export { isRepairOnlyFrom, SCHEDULE_VERSION, validateSchedule } from './model/schedule.ts';
