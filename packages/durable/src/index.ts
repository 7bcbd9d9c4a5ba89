// The store seam: what a durable run is kept as, and the interface every store implements
export type {
  RunStore,
  RunStatus,
  StepStatus,
  RunUsage,
  SerializedError,
  RunHeader,
  StepRecord,
  RunWait,
  RunState,
  RunStatusUpdate,
  RunQuery,
  RunSummary,
} from './run-store.js';

// Stores
export { MemoryRunStore } from './store/memory-run-store.js';
export type { MemoryRunStoreOptions } from './store/memory-run-store.js';
export { FileRunStore } from './store/file/file-run-store.js';
export type { FileRunStoreOptions } from './store/file/file-run-store.js';
export { defaultRetentionMs, isRunExpired, isRunFinished, resolveRetentionMs } from './store/run-retention.js';

// Helpers for RunStore implementations (as @tta/redis/durable): the same checks and refusals in every store
export {
  assertRunId,
  assertRunHeader,
  assertLeaseMs,
  assertLeaseOwner,
  assertLeaseToken,
  assertStepRecord,
  assertRunStatusUpdate,
  normaliseRunQuery,
  maxRunIdLength,
  defaultListLimit,
} from './store/validate-run-store-input.js';
export type { NormalisedRunQuery } from './store/validate-run-store-input.js';
export { encodeRunJson } from './store/encode-json.js';

// The engine: durable workflows and waits
export { durable, DurableWorkflow } from './engine/durable-workflow.js';
export type { DurableOptions, DurableStartOptions, DurableResumeOptions, RunOutcome, RunInspection, InspectedStep } from './engine/durable-workflow.js';
export { waitFor, WaitForPrimitive } from './engine/wait-for.js';
export type { WaitForOptions } from './engine/wait-for.js';

// Errors
export { RunLockedError } from './errors/run-locked-error.js';
export { RunNotFoundError } from './errors/run-not-found-error.js';
export { RunNotSuspendedError } from './errors/run-not-suspended-error.js';
export { WorkflowChangedError } from './errors/workflow-changed-error.js';
export { NonSerializableOutputError } from './errors/non-serializable-output-error.js';
export { StepOutputTooLargeError } from './errors/step-output-too-large-error.js';
export { WaitTimedOutError } from './errors/wait-timed-out-error.js';
