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
export { defaultRetentionMs } from './store/run-retention.js';

// Errors
export { RunLockedError } from './errors/run-locked-error.js';
export { RunNotFoundError } from './errors/run-not-found-error.js';
export { RunNotSuspendedError } from './errors/run-not-suspended-error.js';
export { WorkflowChangedError } from './errors/workflow-changed-error.js';
export { NonSerializableOutputError } from './errors/non-serializable-output-error.js';
