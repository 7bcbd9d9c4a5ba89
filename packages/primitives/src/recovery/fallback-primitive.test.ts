import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowContext, step, InvalidOptionsError, TtaError } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { MockPrimitive } from '@tta/primitives/testing';
import { FallbackPrimitive, fallback } from './fallback-primitive.js';
import { FallbackExhaustedError } from '../errors/fallback-exhausted-error.js';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';

afterEach(expectNoLeakedResources);

const failingWith = (error: unknown, log?: string[], name = 'failing') =>
  step(name, (input: string): string => {
    log?.push(name);
    void input;
    throw error;
  });
const answering = (answer: string, log?: string[]) =>
  step(answer, (input: string) => {
    log?.push(answer);
    return `${answer}:${input}`;
  });

describe('FallbackPrimitive', () => {
  it('returns the primary result without touching the fallbacks', async () => {
    const backup = new MockPrimitive<string, string>({ returnValue: 'backup' });
    await expect(fallback(answering('primary'), [backup]).execute(new WorkflowContext(), 'q')).resolves.toBe('primary:q');
    backup.assertNotCalled();
  });

  it('tries the fallbacks in order, on the same input, until one succeeds', async () => {
    const log: string[] = [];
    const chain = fallback(failingWith(new Error('a'), log, 'gpt4'), [failingWith(new Error('b'), log, 'gpt35'), answering('local', log), answering('never', log)]);
    await expect(chain.execute(new WorkflowContext(), 'q')).resolves.toBe('local:q');
    expect(log).toEqual(['gpt4', 'gpt35', 'local']);
  });

  it('throws FallbackExhaustedError with every cause in order when all fail', async () => {
    const errors = [new Error('primary'), new Error('first fallback'), new Error('second fallback')];
    const chain = fallback(failingWith(errors[0]), [failingWith(errors[1]), failingWith(errors[2])]);
    const error = (await chain.execute(new WorkflowContext(), 'q').catch((rejection: unknown) => rejection)) as FallbackExhaustedError;
    expect(FallbackExhaustedError.isInstance(error)).toBe(true);
    expect(TtaError.isInstance(error)).toBe(true);
    expect(error.code).toBe('FALLBACK_EXHAUSTED');
    expect(error.errors).toEqual(errors);
    expect(error.errors[0]).toBe(errors[0]);
    expect(error.cause).toBe(errors[2]);
  });

  it('rethrows the original error unwrapped when fallbackOn says no', async () => {
    const authError = Object.assign(new Error('401'), { status: 401 });
    const backup = new MockPrimitive<string, string>({ returnValue: 'backup' });
    const chain = fallback(failingWith(authError), [backup], { fallbackOn: (error) => (error as { status?: number }).status !== 401 });
    await expect(chain.execute(new WorkflowContext(), 'q')).rejects.toBe(authError);
    backup.assertNotCalled();
  });

  it('accepts an async fallbackOn, called with the error and the context', async () => {
    const context = new WorkflowContext();
    const seen: unknown[] = [];
    const chain = fallback(failingWith(new Error('x')), [answering('backup')], {
      fallbackOn: async (error, callContext) => {
        seen.push((error as Error).message, callContext === context);
        return true;
      },
    });
    await expect(chain.execute(context, 'q')).resolves.toBe('backup:q');
    expect(seen).toEqual(['x', true]);
  });

  it('never falls back from the caller abort: rejects with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('caller');
    const primary = step('primary', (_input: string): string => {
      controller.abort(reason);
      throw new Error('interrupted');
    });
    const backup = new MockPrimitive<string, string>({ returnValue: 'backup' });
    await expect(fallback(primary, [backup]).execute(new WorkflowContext({ signal: controller.signal }), 'q')).rejects.toBe(reason);
    backup.assertNotCalled();
  });

  it('emits onFallback before each fallback and reports it to the instrumentation seam', async () => {
    const seen: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => seen.push(event) });
    try {
      const chain = fallback(failingWith(new Error('a')), [failingWith(new Error('b'), undefined, 'second'), answering('third')]);
      const events: string[] = [];
      chain.onFallback(({ index, fallback: name, error }) => events.push(`${index}:${name}:${(error as Error).message}`));
      await chain.execute(new WorkflowContext(), 'q');
      expect(events).toEqual(['0:second:a', '1:third:b']);
      expect(seen.map((event) => event.type)).toEqual(['fallback', 'fallback']);
    } finally {
      registration.dispose();
    }
  });

  it('has exactly two forms: fallback(primary, [alternatives], options?) and new FallbackPrimitive(primary, { fallbacks })', async () => {
    const fromFactory = fallback(failingWith(new Error('a')), [answering('b')], { name: 'answer-fallback' });
    const fromClass = new FallbackPrimitive(failingWith(new Error('a')), { name: 'answer-fallback', fallbacks: [answering('b')] });
    expect(fromFactory.name).toBe('answer-fallback');
    expect(fromFactory.fallbacks.map((alternative) => alternative.name)).toEqual(fromClass.fallbacks.map((alternative) => alternative.name));
    await expect(fromFactory.execute(new WorkflowContext(), 'q')).resolves.toBe('b:q');
  });

  it('refuses the options object in place of the alternatives, naming the one factory form', () => {
    const primary = answering('p');
    const call = () => fallback(primary, { fallbacks: [answering('b')] } as never);
    expect(call).toThrow(InvalidOptionsError);
    expect(call).toThrow('fallback: option "fallbacks" must be an array of primitives as the second argument, fallback(primary, [alternatives], options?); got an object');
    expect(() => fallback(primary, [answering('b')], { fallbacks: [answering('c')] } as never)).toThrow(
      'fallback: option "fallbacks" goes in the second argument, fallback(primary, [alternatives], options?), not in the options',
    );
  });

  it('refuses invalid options at construction', () => {
    const primary = answering('p');
    expect(() => new FallbackPrimitive(primary, { fallbacks: [] })).toThrow(InvalidOptionsError);
    expect(() => new FallbackPrimitive(primary, {} as never)).toThrow(/fallbacks/);
    expect(() => new FallbackPrimitive(primary, { fallbacks: [(() => 'x') as never] })).toThrow(/fallbacks\[0\]/);
    expect(() => new FallbackPrimitive(primary, { fallbacks: [primary], fallbackOn: 'yes' as never })).toThrow(/fallbackOn/);
  });
});
