import { describe, expect, it } from 'vitest';
import { SequentialPrimitive, WorkflowContext, retry, step } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';

/** Runs `workflow` under an instrumentation (so steps have paths) with a run id. */
async function run(workflow: SequentialPrimitive<number, number>): Promise<void> {
  const registration = registerInstrumentation({});
  try {
    await workflow.execute(WorkflowContext.create({ runId: 'run-1' }), 1);
  } finally {
    registration.dispose();
  }
}

describe('idempotency keys', () => {
  it('are the same for every attempt of a retried step, whose paths still tell the attempts apart', async () => {
    const keys: (string | undefined)[] = [];
    const paths: string[] = [];
    let attempt = 0;
    const charge = step('charge', (cents: number, context) => {
      keys.push(context.idempotencyKey);
      if (++attempt < 3) throw new Error('connection reset after the charge');
      return cents;
    });
    const registration = registerInstrumentation({ onStart: (execution) => void (execution.name === 'charge' && paths.push(execution.path)) });
    try {
      await run(new SequentialPrimitive([retry(charge, { attempts: 3, baseDelayMs: 0 } as never)], { name: 'pay' }));
    } finally {
      registration.dispose();
    }
    expect(keys).toEqual(['run-1:pay/retry(charge)/charge', 'run-1:pay/retry(charge)/charge', 'run-1:pay/retry(charge)/charge']);
    expect(paths).toEqual(['pay/retry(charge)/charge', 'pay/retry(charge)/charge#2', 'pay/retry(charge)/charge#3']);
  });

  it('stay apart for a step a sequence runs twice (two calls, not two attempts)', async () => {
    const keys: (string | undefined)[] = [];
    const charge = step('charge', (cents: number, context) => (keys.push(context.idempotencyKey), cents));
    await run(new SequentialPrimitive([charge, charge], { name: 'pay' }));
    expect(keys).toEqual(['run-1:pay/charge', 'run-1:pay/charge#2']);
  });

  it('keep the attempt number of a step below an attempt out of the key, and its own loop number in it', async () => {
    const keys: (string | undefined)[] = [];
    let attempt = 0;
    const inner = step('inner', (x: number, context) => (keys.push(context.idempotencyKey), x));
    const flaky = step('flaky', async (x: number, context) => {
      await inner.execute(context, x);
      await inner.execute(context, x);
      if (++attempt === 1) throw new Error('flaky');
      return x;
    });
    await run(new SequentialPrimitive([retry(flaky, { attempts: 2, baseDelayMs: 0 } as never)], { name: 'p' }));
    expect(keys).toEqual(['run-1:p/retry(flaky)/flaky/inner', 'run-1:p/retry(flaky)/flaky/inner#2', 'run-1:p/retry(flaky)/flaky/inner', 'run-1:p/retry(flaky)/flaky/inner#2']);
  });
});
