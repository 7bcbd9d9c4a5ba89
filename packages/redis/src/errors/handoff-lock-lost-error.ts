import { TtaError, type TtaErrorOptions } from '@tta/primitives';

const marker = Symbol.for('@tta/redis.HandoffLockLostError');

/**
 * Thrown by a `RedisHandoffQueue` delivery's `complete()` or `fail()` when the task's lock expired
 * first (the taker held it longer than `lockDurationMs`): the task was already handed back to the
 * queue, so it will be offered again. Retrying the call cannot succeed.
 */
export class HandoffLockLostError extends TtaError<'HANDOFF_LOCK_LOST'> {
  private readonly [marker] = true;
  /** The task's id (the BullMQ job id). */
  readonly taskId: string;
  /** The agent the task was for. */
  readonly agentId: string;
  /** Never worth retrying: the lock is gone for good. */
  override readonly retryable: boolean = false;

  constructor(taskId: string, agentId: string, options: TtaErrorOptions = {}) {
    super(`Handoff task "${taskId}" for agent "${agentId}" lost its lock before it was finished; it will be offered again`, 'HANDOFF_LOCK_LOST', options);
    this.taskId = taskId;
    this.agentId = agentId;
  }

  /** True when `error` is a HandoffLockLostError, from any copy of the package. */
  static override isInstance(error: unknown): error is HandoffLockLostError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
