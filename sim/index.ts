// The simulator's public surface (the CLI, shrinking and sweeps build on it).

export type { ClientStats, HistoryOp } from './clients.ts';
export { PROBE_CLIENT, PROBE_OP } from './clients.ts';
export type { ClientConfig, FaultConfig, NetworkConfig, SimConfig } from './config.ts';
export {
  DEFAULT_CLIENT_CONFIG,
  DEFAULT_FAULT_CONFIG,
  DEFAULT_NETWORK_CONFIG,
  defaultConfig,
  defaultLivenessBoundMs,
  faultsEndMs,
  livenessSkipReason,
  validateConfig,
} from './config.ts';
export { fenceActive, withFence } from './fence.ts';
export { EventQueue } from './queue.ts';
export { chance, expMs, intBetween, pick, shuffled, stream } from './rng.ts';
export type {
  LivenessOutcome,
  LogSlice,
  NodeArgs,
  NodeFactory,
  RunOptions,
  RunResult,
  SimErrorContext,
  StopReason,
  ViolationReport,
} from './runner.ts';
export { runSchedule, runSeed, simErrorContext } from './runner.ts';
export type { Fault, FaultType, Schedule, ScheduledOp } from './schedule.ts';
export { generateSchedule, isRepairOnlyFrom, SCHEDULE_VERSION, validateSchedule } from './schedule.ts';
export type { StateMachine } from './storage.ts';
export { NodeStorage } from './storage.ts';
export type { TraceRecord } from './trace.ts';
export { describeEvent, describeFault, describeMessage, Tracer } from './trace.ts';
