import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/agent-context.AgentTimeoutError');

/**
 * An agent of a coordination did not finish within `timeoutMs`. It is also the abort reason of
 * the signal that agent was given. Built only when the time limit passes.
 */
export class AgentTimeoutError extends TtaError<'AGENT_TIMEOUT'> {
  private readonly [marker] = true;
  /** A slow agent may answer in time on the next try. */
  override readonly retryable: boolean = true;
  /** The agent that ran out of time. */
  readonly agentId: string;
  /** The time limit that passed. */
  readonly timeoutMs: number;

  constructor(agentId: string, timeoutMs: number, options: TtaErrorOptions = {}) {
    super(`Agent "${agentId}" timed out after ${timeoutMs} ms`, 'AGENT_TIMEOUT', options);
    this.agentId = agentId;
    this.timeoutMs = timeoutMs;
  }

  /** True when `error` is an AgentTimeoutError, from any copy of the package. */
  static override isInstance(error: unknown): error is AgentTimeoutError {
    return hasBrand(error, marker);
  }
}
