import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';
import { redactText } from '@tta/primitives/logging';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/agent-context.CoordinationError');

/** Why a coordination produced no result. */
export type CoordinationFailureReason = 'all-failed' | 'not-all-succeeded' | 'no-consensus' | 'tie';

/** One agent that did not succeed, by id. */
export interface AgentFailure {
  readonly agentId: string;
  /** `'rejected'`: it threw; `'timed-out'`: it passed `timeoutMs`; `'cancelled'`: it was stopped because another agent's result decided the run. */
  readonly status: 'rejected' | 'timed-out' | 'cancelled';
  readonly error: unknown;
}

/**
 * Thrown by `AgentCoordinationPrimitive` when the agents' results do not give an answer: every
 * agent failed, `requireAllSuccess` was set and one failed, agreement stayed under the consensus
 * threshold, or a vote tied. `failures` names every agent that failed, with its error; `errors`
 * holds the errors themselves (as in an AggregateError).
 */
export class CoordinationError extends TtaError<'COORDINATION_FAILED'> {
  private readonly [marker] = true;
  /** The agents' failures are mostly passing ones (timeouts, provider errors): the coordination may succeed again. */
  override readonly retryable: boolean = true;
  readonly reason: CoordinationFailureReason;
  /** The agents that failed, in agent order. */
  readonly failures: readonly AgentFailure[];
  /** The failures' errors, in agent order. */
  readonly errors: readonly unknown[];

  /** @param options `cause` defaults to the first failure's error */
  constructor(coordinator: string, reason: CoordinationFailureReason, failures: readonly AgentFailure[], detail?: string, options: TtaErrorOptions = {}) {
    super(`${coordinator}: ${describe(reason)}${detail === undefined ? '' : ` (${detail})`}${formatFailures(failures)}`, 'COORDINATION_FAILED', {
      cause: 'cause' in options ? options.cause : failures[0]?.error,
    });
    this.reason = reason;
    this.failures = failures;
    this.errors = failures.map((failure) => failure.error);
  }

  /** True when `error` is a CoordinationError, from any copy of the package. */
  static override isInstance(error: unknown): error is CoordinationError {
    return hasBrand(error, marker);
  }
}

function describe(reason: CoordinationFailureReason): string {
  switch (reason) {
    case 'all-failed':
      return 'every agent failed';
    case 'not-all-succeeded':
      return 'requireAllSuccess is set and an agent failed';
    case 'no-consensus':
      return 'the agents did not reach the consensus threshold';
    case 'tie':
      return 'the vote is tied';
  }
}

function formatFailures(failures: readonly AgentFailure[]): string {
  const relevant = failures.filter((failure) => failure.status !== 'cancelled');
  if (relevant.length === 0) return '';
  // An agent's error may quote what an upstream echoed (keys, tokens): the message leaves the process in logs and spans.
  const parts = relevant.map((failure) => `agent "${failure.agentId}" ${failure.status === 'timed-out' ? 'timed out' : 'failed'}: ${redactText(messageOf(failure.error))}`);
  return `; ${parts.join('; ')}`;
}

function messageOf(error: unknown): string {
  // String() throws for an object without a prototype: describe such values instead.
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : describeValue(error);
}
