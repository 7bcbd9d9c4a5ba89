import { describe, expect, it } from 'vitest';
import { ConditionalPrimitive, InvalidOptionsError, RouteNotFoundError, RouterPrimitive, WorkflowContext, conditional, router, step } from '@tta/primitives';

const upper = step('upper', (text: string) => text.toUpperCase());
const lower = step('lower', (text: string) => text.toLowerCase());

describe('ConditionalPrimitive', () => {
  it('runs then when the condition holds and else otherwise', async () => {
    const workflow = new ConditionalPrimitive({ condition: (text: string) => text.startsWith('!'), then: upper, else: lower });
    await expect(workflow.execute(new WorkflowContext(), '!Hey')).resolves.toBe('!HEY');
    await expect(workflow.execute(new WorkflowContext(), 'Hey')).resolves.toBe('hey');
  });

  it('accepts an async condition that reads the context', async () => {
    const workflow = conditional({ condition: async (_text: string, context) => context.data['shout'] === true, then: upper });
    await expect(workflow.execute(WorkflowContext.create({ data: { shout: true } }), 'a')).resolves.toBe('A');
  });

  it('passes the input through when the condition fails and there is no else', async () => {
    await expect(conditional({ condition: () => false, then: upper }).execute(new WorkflowContext(), 'same')).resolves.toBe('same');
  });

  it('rejects bad options at construction', () => {
    expect(() => new ConditionalPrimitive({ condition: 'yes' as never, then: upper })).toThrow(InvalidOptionsError);
    expect(() => new ConditionalPrimitive({ condition: () => true, then: {} as never })).toThrow(/then/);
  });
});

describe('RouterPrimitive', () => {
  it('sends the input to the route the selector picks', async () => {
    const workflow = new RouterPrimitive({ routes: { upper, lower }, selector: (text: string) => (text.length > 3 ? 'lower' : 'upper') });
    await expect(workflow.execute(new WorkflowContext(), 'abc')).resolves.toBe('ABC');
    await expect(workflow.execute(new WorkflowContext(), 'ABCD')).resolves.toBe('abcd');
  });

  it('awaits an async selector', async () => {
    const workflow = router({ routes: { upper, lower }, selector: async () => 'upper' });
    await expect(workflow.execute(new WorkflowContext(), 'x')).resolves.toBe('X');
  });

  it('uses the default route for an unknown name', async () => {
    const workflow = router({ routes: { upper, lower }, selector: () => 'missing', defaultRoute: 'lower' });
    await expect(workflow.execute(new WorkflowContext(), 'XY')).resolves.toBe('xy');
  });

  it('rejects with RouteNotFoundError naming the route when there is no default', async () => {
    const workflow = router({ routes: { upper, lower }, selector: () => 'missing' });
    const error = await workflow.execute(new WorkflowContext(), 'x').catch((caught: unknown) => caught);
    expect(RouteNotFoundError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ROUTE_NOT_FOUND', route: 'missing', availableRoutes: ['upper', 'lower'] });
    expect((error as Error).message).toContain('"missing"');
  });

  it('does not treat inherited object keys as routes', async () => {
    const workflow = router({ routes: { upper }, selector: () => 'toString' });
    await expect(workflow.execute(new WorkflowContext(), 'x')).rejects.toBeInstanceOf(RouteNotFoundError);
  });

  it('refuses a defaultRoute that is not a route', () => {
    expect(() => router({ routes: { upper }, selector: () => 'upper', defaultRoute: 'nope' as never })).toThrow(/defaultRoute/);
    expect(() => router({ routes: {}, selector: () => 'x' })).toThrow(/routes/);
  });
});
