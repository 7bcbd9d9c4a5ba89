import { Effect } from 'effect';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { metrics, SequentialPrimitive, step, WorkflowContext, type AnyPrimitive } from '@tta/primitives';
import type { Scenario } from '../harness.js';
import { increment, width } from '../steps.js';

/** `width` steps of `increment`, one after another, from 0: every variant resolves to `width`. */
export function createSequentialScenario(): Scenario {
  const rawChain = async (input: number): Promise<number> => {
    let value = input;
    for (let index = 0; index < width; index++) value = await increment(value);
    return value;
  };

  const steps: AnyPrimitive[] = Array.from({ length: width }, (_, index) => step(`sequential-step-${index + 1}`, increment));
  const chain = new SequentialPrimitive<number, number>(steps, { name: 'sequential-chain' });
  const context = new WorkflowContext({ correlationId: 'bench' });

  const effectSteps = Array.from({ length: width }, () => (value: number) => Effect.promise(() => increment(value)));
  const effectChain = (input: number): Effect.Effect<number> => {
    let program: Effect.Effect<number> = Effect.succeed(input);
    for (const next of effectSteps) program = Effect.flatMap(program, next);
    return program;
  };

  const langchain = RunnableSequence.from(
    Array.from({ length: width }, () => RunnableLambda.from(increment)) as unknown as [RunnableLambda<number, number>, RunnableLambda<number, number>],
  );

  const metricsOff = (): void => metrics.configure({ enabled: false });
  const metricsOn = (): void => metrics.configure({ enabled: true });

  return {
    id: 'sequential',
    title: `Sequential chain of ${width} trivial async steps`,
    steps: width,
    expected: width,
    variants: [
      { label: 'raw await loop', role: 'raw', run: () => rawChain(0) },
      { label: '@tta/primitives, metrics off', role: 'tta', run: () => chain.execute(context, 0), before: metricsOff, after: metricsOn },
      { label: '@tta/primitives, metrics on (default)', role: 'tta', run: () => chain.execute(context, 0) },
      {
        label: '@tta/primitives, new context per run',
        role: 'tta',
        run: () => chain.execute(new WorkflowContext(), 0),
        note: 'includes creating a WorkflowContext (correlation id, state map) for every run',
      },
      { label: 'effect 4 (flatMap chain, runPromise)', role: 'peer', run: () => Effect.runPromise(effectChain(0)) },
      { label: '@langchain/core RunnableSequence', role: 'peer', run: () => langchain.invoke(0) },
    ],
    missing: ['cockatiel, p-retry, p-timeout: no composition'],
  };
}
