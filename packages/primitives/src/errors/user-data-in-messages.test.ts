import { describe, expect, it } from 'vitest';
import { CompensationError, RouteNotFoundError, ValidationError } from '@tta/primitives';

// Stripe's documented test-mode key shape with a random-looking body: a credential by its shape.
const stripeKey = `sk_live_${'4eC39HqLyjWDarjtT1zdp7dc'}`;

describe('errors built from user data', () => {
  it('RouteNotFoundError shows the route redacted and cut to a bounded length', () => {
    const error = new RouteNotFoundError(`${stripeKey} ${'x'.repeat(10_000)}`, ['a']);
    expect(error.message).not.toContain(stripeKey);
    expect(error.message).toContain('[REDACTED]');
    expect(error.message.length).toBeLessThan(300);
    expect(error.route.startsWith(stripeKey)).toBe(true);
  });

  it('ValidationError redacts credentials a schema echoed in its issue messages', () => {
    const error = new ValidationError([{ message: `expected an email, got ${stripeKey}`, path: ['user'] }]);
    expect(error.message).toBe('Validation failed: user: expected an email, got [REDACTED]');
    expect(error.issues[0]!.message).toContain(stripeKey);
  });

  it('CompensationError redacts credentials quoted from the failure that started the compensation', () => {
    const original = new Error(`charge refused for ${stripeKey}`);
    const error = new CompensationError(original, []);
    expect(error.message).toContain('charge refused for [REDACTED]');
    expect(error.message).not.toContain(stripeKey);
    expect(error.originalError).toBe(original);
  });
});
