import {
  InvalidOptionsError,
  WorkflowPrimitive,
  type Event,
  type PrimitiveOptions,
  type WorkflowContext,
} from '@tta/primitives';
import {
  EventEmitter,
  assertDuration,
  describeValue,
  emitPrimitiveEvent,
  type Clock,
  type TimerHandle,
} from '@tta/primitives/instrumentation';
import { requireBoolean, requireFunction, requireNumber, requireOptionsObject } from '@tta/primitives/instrumentation';
import { AgentContext, ownedAgentContext } from '../context/agent-context.js';
import type { AgentIdentity } from '../context/agent-identity.js';
import type { AgentDefinition } from '../context/define-agent.js';
import { normaliseAgent } from '../context/normalise-agent.js';
import { AgentTimeoutError } from '../errors/agent-timeout-error.js';
import { CoordinationError, type AgentFailure } from '../errors/coordination-error.js';
import { decideConsensus, decideVote } from './decide.js';
import type { PrimitiveChild } from '@tta/primitives/instrumentation';

/**
 * How several agents' results become one: `aggregate` keeps every success; `first` takes the first
 * success and aborts the others; `consensus` needs a share of agents agreeing on one answer;
 * `vote` takes the answer most agents gave.
 */
export type CoordinationStrategy = 'aggregate' | 'first' | 'consensus' | 'vote';

/** How one agent's run ended. */
export type AgentOutcome<TOutput> =
  | { readonly agentId: string; readonly status: 'fulfilled'; readonly value: TOutput; readonly durationMs: number }
  | { readonly agentId: string; readonly status: AgentFailure['status']; readonly error: unknown; readonly durationMs: number };

/** The value of a coordination: a list for `aggregate`, one output for the other strategies. */
export type CoordinationValue<TOutput, TStrategy extends CoordinationStrategy> = [TStrategy] extends ['aggregate']
  ? TOutput[]
  : 'aggregate' extends TStrategy
    ? TOutput | TOutput[]
    : TOutput;

/** What a coordination produced. */
export interface CoordinationResult<TOutput, TValue = TOutput> {
  readonly strategy: CoordinationStrategy;
  /** `aggregate`: every success's output in agent order; `first`: the winner's; `consensus` / `vote`: the agreed answer. */
  readonly value: TValue;
  /** Every agent's outcome, in agent order. */
  readonly outcomes: readonly AgentOutcome<TOutput>[];
  /** The agents that failed (partial failure), with their errors; cancelled losers of `first` are not failures. */
  readonly failures: readonly AgentFailure[];
  /** `first`: the agent whose output won. */
  readonly winner?: string;
  /** `consensus` / `vote`: agents whose answer won. */
  readonly supporters?: readonly string[];
  /** `consensus` / `vote`: supporters / all agents. */
  readonly agreement?: number;
  /** `vote`: number of votes per ballot. */
  readonly tally?: Readonly<Record<string, number>>;
  /** `vote`: the winning ballot. */
  readonly ballot?: string;
}

/** Options of {@link AgentCoordinationPrimitive}. */
export interface AgentCoordinationOptions<TInput, TOutput, TStrategy extends CoordinationStrategy> extends PrimitiveOptions {
  /** The agents, run at the same time on the same input. Ids must be unique. */
  readonly agents: readonly AgentDefinition<TInput, TOutput>[];
  readonly strategy: TStrategy;
  /**
   * Time limit per agent: at the limit the agent's signal aborts with `AgentTimeoutError` and it
   * counts as failed. Any size (also beyond 24.8 days); `Infinity` is the same as none.
   * @default none
   */
  readonly timeoutMs?: number;
  /** Fail as soon as one agent fails (the others are aborted). Not with `first`. @default false */
  readonly requireAllSuccess?: boolean;
  /** `consensus`: share of all agents (0 < threshold <= 1) that must agree. @default 2/3 */
  readonly threshold?: number;
  /** `consensus`: when two outputs agree. @default structural equality */
  readonly equals?: (left: TOutput, right: TOutput) => boolean;
  /** `consensus`: similarity of two outputs in [0, 1]; they agree at `minSimilarity` or more. Instead of `equals`. */
  readonly similarity?: (left: TOutput, right: TOutput) => number;
  /** `consensus` with `similarity`: the agreement bar. @default 0.8 */
  readonly minSimilarity?: number;
  /** `vote`: the ballot an output counts for. @default the output itself for strings, else its sorted-key JSON */
  readonly ballot?: (output: TOutput) => string;
  /** Clock for the per-agent time limit. @default the context's clock */
  readonly clock?: Clock;
}

const strategies: readonly CoordinationStrategy[] = ['aggregate', 'first', 'consensus', 'vote'];

/**
 * Runs several agents on one task at the same time and combines their results by a strategy.
 * Every agent gets its own {@link AgentContext} (same run, its own signal); failures are reported
 * per agent, by id, in `failures` or in the `CoordinationError` thrown when there is no answer.
 *
 * @example
 * <!-- snippet-prelude: declare const gpt: AgentDefinition<string, string>, claude: AgentDefinition<string, string>, llama: AgentDefinition<string, string>; declare const question: string; -->
 * ```ts
 * const panel = new AgentCoordinationPrimitive({ agents: [gpt, claude, llama], strategy: 'vote', timeoutMs: 20_000 });
 * const { value, tally, failures } = await panel.execute(context, question);
 * ```
 */
export class AgentCoordinationPrimitive<TInput, TOutput, const TStrategy extends CoordinationStrategy = CoordinationStrategy> extends WorkflowPrimitive<
  TInput,
  CoordinationResult<TOutput, CoordinationValue<TOutput, TStrategy>>
> {
  readonly strategy: TStrategy;
  readonly agents: readonly AgentDefinition<TInput, TOutput>[];
  readonly timeoutMs: number | undefined;
  readonly requireAllSuccess: boolean;
  private readonly options: AgentCoordinationOptions<TInput, TOutput, TStrategy>;
  private readonly identities: readonly Readonly<Required<AgentIdentity>>[];
  private readonly settled = new EventEmitter<AgentOutcome<TOutput>>();

  /** Fires as each agent's outcome is known (cancelled losers included). */
  readonly onAgentSettled: Event<AgentOutcome<TOutput>> = this.settled.event;

  constructor(options: AgentCoordinationOptions<TInput, TOutput, TStrategy>) {
    super('agent-coordination', options);
    validate(options);
    this.options = options;
    this.strategy = options.strategy;
    this.agents = Object.freeze([...options.agents]);
    this.identities = this.agents.map((definition, index) => normaliseAgent(definition.agent, 'AgentCoordinationPrimitive', `agents[${index}].agent`));
    // Infinity means no limit: no timer and no per-agent controller are made for it.
    this.timeoutMs = options.timeoutMs === Infinity ? undefined : options.timeoutMs;
    this.requireAllSuccess = options.requireAllSuccess ?? false;
  }

  override _children(): readonly PrimitiveChild[] {
    return this.agents.map((definition, index) => ({ label: this.identities[index]!.id, primitive: definition.primitive }));
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<CoordinationResult<TOutput, CoordinationValue<TOutput, TStrategy>>> {
    const base = AgentContext.of(context) ?? AgentContext.create({ workflow: context, agent: { id: this.name, role: 'coordinator' } });
    const agents = this.agents;
    const count = agents.length;
    const strategy = this.strategy;
    const timeoutMs = this.timeoutMs;
    const clock = this.options.clock ?? context.clock;
    const requireAll = this.requireAllSuccess;
    const identities = this.identities;
    // Controllers cost microseconds: make them only when an agent may have to be stopped. A stoppable
    // agent's context is cancelled by its controller alone (no listener of its own on the caller's
    // signal): the one listener below forwards the caller's abort to the agents still working.
    const stoppable = strategy === 'first' || timeoutMs !== undefined || requireAll;

    return new Promise((resolve, reject) => {
      const outcomes = new Array<AgentOutcome<TOutput> | undefined>(count);
      const controllers = new Array<AbortController | undefined>(count);
      const timers = new Array<TimerHandle | undefined>(count);
      const startedAt = clock.now();
      let settledCount = 0;
      let done = false;
      const parentSignal = context.signal;

      const finish = (action: () => void): void => {
        if (done) return;
        done = true;
        for (let index = 0; index < count; index++) if (timers[index] !== undefined) clock.clearTimeout(timers[index]);
        parentSignal.removeEventListener('abort', onParentAbort);
        action();
      };
      const record = (index: number, outcome: AgentOutcome<TOutput>): void => {
        outcomes[index] = outcome;
        settledCount++;
        if (timers[index] !== undefined) {
          clock.clearTimeout(timers[index]);
          timers[index] = undefined;
        }
        if (this.settled.hasListeners) this.settled.emit(outcome);
        emitPrimitiveEvent({ type: 'agent-settled', agentId: outcome.agentId, status: outcome.status, durationMs: outcome.durationMs }, this, context);
      };
      const cancelPending = (reason: unknown): void => {
        for (let index = 0; index < count; index++) {
          if (outcomes[index] !== undefined) continue;
          record(index, { agentId: agents[index]!.agent.id, status: 'cancelled', error: reason, durationMs: clock.now() - startedAt });
          controllers[index]?.abort(reason);
        }
      };
      function onParentAbort(): void {
        const reason = context.abortReason ?? parentSignal.reason;
        finish(() => {
          cancelPending(reason);
          reject(reason);
        });
      }
      const settle = (index: number, outcome: AgentOutcome<TOutput>): void => {
        if (done || outcomes[index] !== undefined) return;
        record(index, outcome);
        if (outcome.status === 'fulfilled' && strategy === 'first') {
          finish(() => {
            cancelPending(new DOMException(`Agent "${outcome.agentId}" finished first`, 'AbortError'));
            resolve(this.result(outcomes, { value: outcome.value as CoordinationValue<TOutput, TStrategy>, winner: outcome.agentId }));
          });
          return;
        }
        if (outcome.status !== 'fulfilled' && requireAll) {
          finish(() => {
            cancelPending(new DOMException(`Agent "${outcome.agentId}" failed and requireAllSuccess is set`, 'AbortError'));
            reject(new CoordinationError(this.name, 'not-all-succeeded', failuresOf(outcomes)));
          });
          return;
        }
        if (settledCount === count) {
          finish(() => {
            // A user callback (equals, similarity, ballot) may throw: the run rejects with its error.
            try {
              this.decide(outcomes as AgentOutcome<TOutput>[], resolve, reject);
            } catch (error) {
              reject(error);
            }
          });
        }
      };

      if (context.aborted) {
        reject(context.abortReason);
        return;
      }
      parentSignal.addEventListener('abort', onParentAbort, { once: true });
      const start = (index: number): void => {
        const agentId = identities[index]!.id;
        const controller = stoppable ? new AbortController() : undefined;
        controllers[index] = controller;
        const agentContext =
          controller === undefined
            ? base.forAgent(identities[index]!, { kind: 'coordination' })
            : ownedAgentContext(base, identities[index]!, 'coordination', controller.signal);
        if (timeoutMs !== undefined) {
          timers[index] = clock.setTimeout(() => {
            timers[index] = undefined;
            const error = new AgentTimeoutError(agentId, timeoutMs);
            controller?.abort(error);
            settle(index, { agentId, status: 'timed-out', error, durationMs: clock.now() - startedAt });
          }, timeoutMs);
        }
        agents[index]!.primitive.execute(agentContext, input).then(
          (value) => settle(index, { agentId, status: 'fulfilled', value, durationMs: clock.now() - startedAt }),
          (error: unknown) => settle(index, { agentId, status: 'rejected', error, durationMs: clock.now() - startedAt }),
        );
      };
      try {
        for (let index = 0; index < count && !done; index++) start(index);
      } catch (error) {
        // Nothing may stay behind: stop the agents already started, clear their timers and let go
        // of the caller's signal.
        finish(() => {
          cancelPending(error);
          reject(error);
        });
      }
    });
  }

  private decide(
    outcomes: readonly AgentOutcome<TOutput>[],
    resolve: (result: CoordinationResult<TOutput, CoordinationValue<TOutput, TStrategy>>) => void,
    reject: (error: unknown) => void,
  ): void {
    const successes = outcomes.filter((outcome): outcome is Extract<AgentOutcome<TOutput>, { status: 'fulfilled' }> => outcome.status === 'fulfilled');
    if (successes.length === 0) {
      reject(new CoordinationError(this.name, 'all-failed', failuresOf(outcomes)));
      return;
    }
    const strategy: CoordinationStrategy = this.strategy;
    if (strategy === 'aggregate') {
      resolve(this.result(outcomes, { value: successes.map((outcome) => outcome.value) as CoordinationValue<TOutput, TStrategy> }));
      return;
    }
    const decision =
      strategy === 'consensus'
        ? decideConsensus(successes, outcomes.length, this.options.threshold ?? 2 / 3, this.options)
        : decideVote(successes, outcomes.length, this.options.ballot);
    if (!decision.ok) {
      reject(new CoordinationError(this.name, decision.reason, failuresOf(outcomes), decision.detail));
      return;
    }
    resolve(
      this.result(outcomes, {
        value: decision.value as CoordinationValue<TOutput, TStrategy>,
        supporters: decision.supporters,
        agreement: decision.agreement,
        ...(decision.tally === undefined ? {} : { tally: decision.tally, ballot: decision.ballot! }),
      }),
    );
  }

  private result(
    outcomes: readonly (AgentOutcome<TOutput> | undefined)[],
    fields: Omit<CoordinationResult<TOutput, CoordinationValue<TOutput, TStrategy>>, 'strategy' | 'outcomes' | 'failures'>,
  ): CoordinationResult<TOutput, CoordinationValue<TOutput, TStrategy>> {
    const settled = outcomes as readonly AgentOutcome<TOutput>[];
    return { strategy: this.strategy, outcomes: settled, failures: failuresOf(settled).filter((failure) => failure.status !== 'cancelled'), ...fields };
  }
}

function failuresOf<TOutput>(outcomes: readonly (AgentOutcome<TOutput> | undefined)[]): AgentFailure[] {
  const failures: AgentFailure[] = [];
  for (const outcome of outcomes) {
    if (outcome !== undefined && outcome.status !== 'fulfilled') failures.push({ agentId: outcome.agentId, status: outcome.status, error: outcome.error });
  }
  return failures;
}

function validate<TInput, TOutput, TStrategy extends CoordinationStrategy>(options: AgentCoordinationOptions<TInput, TOutput, TStrategy>): void {
  const fail = (option: string, rule: string): never => {
    throw new InvalidOptionsError('AgentCoordinationPrimitive', option, rule);
  };
  requireOptionsObject('AgentCoordinationPrimitive', options);
  const { agents, strategy } = options;
  if (!Array.isArray(agents) || agents.length === 0) fail('agents', 'must be a non-empty array of agent definitions');
  const ids = new Set<string>();
  // An index loop, not forEach: a sparse array's holes must be refused too.
  for (let index = 0; index < agents.length; index++) {
    const definition = agents[index];
    if (typeof definition !== 'object' || definition === null || !(definition.primitive instanceof WorkflowPrimitive)) {
      fail(`agents[${index}]`, `must be an agent definition { agent, primitive } (see defineAgent) (got ${describeValue(definition)})`);
    }
    const id = normaliseAgent(definition.agent, 'AgentCoordinationPrimitive', `agents[${index}].agent`).id;
    if (ids.has(id)) fail('agents', `must have unique ids (${describeValue(id)} appears twice)`);
    ids.add(id);
  }
  if (!strategies.includes(strategy)) fail('strategy', `must be one of ${strategies.map((name) => `'${name}'`).join(', ')} (got ${describeValue(strategy)})`);
  const timeoutMs = options.timeoutMs;
  if (timeoutMs !== undefined) assertDuration('AgentCoordinationPrimitive', 'timeoutMs', timeoutMs, { positive: true, infinity: true });
  const requireAllSuccess = options.requireAllSuccess;
  if (requireAllSuccess !== undefined) requireBoolean('AgentCoordinationPrimitive', 'requireAllSuccess', requireAllSuccess);
  const clock = options.clock as unknown;
  if (clock !== undefined && !isClock(clock)) fail('clock', `must have now(), setTimeout() and clearTimeout() (got ${describeValue(clock)})`);
  if (options.requireAllSuccess === true && strategy === 'first') fail('requireAllSuccess', "cannot be used with strategy 'first' (it stops the other agents)");
  const consensusOnly = ['threshold', 'equals', 'similarity', 'minSimilarity'] as const;
  for (const option of consensusOnly) {
    if (options[option] !== undefined && strategy !== 'consensus') fail(option, `only applies to strategy 'consensus' (strategy is '${strategy}')`);
  }
  if (options.ballot !== undefined && strategy !== 'vote') fail('ballot', `only applies to strategy 'vote' (strategy is '${strategy}')`);
  const threshold = options.threshold;
  if (threshold !== undefined) requireNumber('AgentCoordinationPrimitive', 'threshold', threshold, { exclusiveMin: true, max: 1 });
  if (options.equals !== undefined && options.similarity !== undefined) fail('similarity', 'cannot be combined with equals: give one agreement test');
  for (const option of ['equals', 'similarity', 'ballot'] as const) {
    if (options[option] !== undefined) requireFunction('AgentCoordinationPrimitive', option, options[option]);
  }
  const minSimilarity = options.minSimilarity;
  if (minSimilarity !== undefined) {
    if (options.similarity === undefined) fail('minSimilarity', 'needs a similarity function');
    requireNumber('AgentCoordinationPrimitive', 'minSimilarity', minSimilarity, { max: 1 });
  }
}

function isClock(value: unknown): value is Clock {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Clock, unknown>>;
  return typeof candidate.now === 'function' && typeof candidate.setTimeout === 'function' && typeof candidate.clearTimeout === 'function';
}
