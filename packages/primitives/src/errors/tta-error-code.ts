/**
 * Every `code` an error of the `@tta` packages carries, one literal per error class. Each class's
 * `code` is typed with its own literal, so `error.code` narrows after `XError.isInstance(error)`,
 * and a `switch` over a `TtaErrorCode` can be checked for exhaustiveness. The codes are stable:
 * log and alert on them, not on messages.
 *
 * @example
 * ```ts
 * const describeFailure = (code: TtaErrorCode): string => (code === 'TIMEOUT' || code === 'RATE_LIMITED' ? 'try later' : 'fix the request');
 * ```
 */
export type TtaErrorCode =
  // @tta/primitives
  | 'TTA_ERROR'
  | 'BUDGET_EXCEEDED'
  | 'BULKHEAD_REJECTED'
  | 'CIRCUIT_OPEN'
  | 'COMPENSATION_FAILED'
  | 'DEADLINE_EXCEEDED'
  | 'FALLBACK_EXHAUSTED'
  | 'FILTER_REJECTED'
  | 'INJECTED_FAULT'
  | 'INVALID_INPUT'
  | 'INVALID_OPTIONS'
  | 'RATE_LIMITED'
  | 'ROUTE_NOT_FOUND'
  | 'TIMEOUT'
  | 'UNKEYABLE_INPUT'
  | 'VALIDATION_FAILED'
  // @tta/agent-context
  | 'AGENT_TIMEOUT'
  | 'COORDINATION_FAILED'
  | 'STATE_CONFLICT'
  // @tta/redis
  | 'HANDOFF_LOCK_LOST'
  | 'LEASE_LOST'
  | 'LEASE_TIMEOUT'
  | 'REDIS_UNAVAILABLE'
  // @tta/durable
  | 'NON_SERIALIZABLE_OUTPUT'
  | 'RUN_LOCKED'
  | 'RUN_NOT_FOUND'
  | 'RUN_NOT_SUSPENDED'
  | 'STEP_OUTPUT_TOO_LARGE'
  | 'WAIT_TIMED_OUT'
  | 'WORKFLOW_CHANGED'
  // @tta/devtools
  | 'DEVTOOLS_SERVER_UNAVAILABLE'
  // @tta/observability
  | 'METRICS_SERVER_UNAVAILABLE'
  | 'OBSERVABILITY_NOT_INITIALIZED'
  // @tta/keploy-testing
  | 'FILE_TOO_LARGE'
  | 'INVALID_KEPLOY_CONFIG'
  | 'INVALID_NOISE'
  | 'NO_TEST_CASES'
  | 'PATH_OUTSIDE_FOLDER'
  | 'RECORDED_RESPONSE_ERROR'
  | 'RECORDING_IN_USE'
  | 'TEST_SET_NOT_FOUND'
  | 'TOO_MANY_DOCUMENTS'
  | 'UNMATCHED_REQUEST'
  | 'UNREPLAYED_CONNECTION'
  | 'UNSAFE_NAME'
  | 'UNUSED_MOCKS'
  // @tta/models
  | 'MODEL_REQUEST_FAILED'
  | 'MODEL_RESPONSE_INVALID'
  | 'STREAM_IDLE_TIMEOUT';
