import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { requireBoolean, requireFunction, requireInteger, requireMethods, requireNonEmptyString, requireNumber, requireOneOf, requireOptionsObject } from './options.js';
import { requirePrimitive, requirePrimitives } from './require-primitive.js';
import { LambdaPrimitive } from '../composition/lambda-primitive.js';

/** The InvalidOptionsError `check` throws, or a failed assertion when it throws nothing or something else. */
function optionsError(check: () => void): InvalidOptionsError {
  try {
    check();
  } catch (error) {
    expect(InvalidOptionsError.isInstance(error)).toBe(true);
    return error as InvalidOptionsError;
  }
  throw new Error('expected an InvalidOptionsError');
}

describe('options validator', () => {
  it('refuses an options argument that is not an object, naming it', () => {
    for (const value of [null, undefined, [], 3]) expect(optionsError(() => requireOptionsObject('Owner', value)).option).toBe('options');
    expect(optionsError(() => requireOptionsObject('Owner', null)).message).toBe('Owner: option "options" must be an object (got null)');
    expect(optionsError(() => requireOptionsObject('Owner', 1, { optional: true })).message).toBe('Owner: option "options" must be an object when given (got 1)');
    expect(() => requireOptionsObject('Owner', undefined, { optional: true })).not.toThrow();
    expect(() => requireOptionsObject('Owner', {})).not.toThrow();
  });

  it('states integer bounds in words, with the value it got', () => {
    expect(optionsError(() => requireInteger('Owner', 'size', 0, { min: 1 })).message).toBe('Owner: option "size" must be a positive integer (got 0)');
    expect(optionsError(() => requireInteger('Owner', 'size', 1.5, { min: 1, infinity: true })).message).toBe('Owner: option "size" must be a positive integer or Infinity (got 1.5)');
    expect(optionsError(() => requireInteger('Owner', 'queue', -1, { infinity: true })).message).toBe('Owner: option "queue" must be an integer >= 0 or Infinity (got -1)');
    expect(optionsError(() => requireInteger('Owner', 'port', 70_000, { min: 1, max: 65_535 })).message).toBe('Owner: option "port" must be an integer >= 1 and <= 65535 (got 70000)');
    expect(optionsError(() => requireInteger('Owner', 'size', Infinity, { min: 1 })).option).toBe('size');
    expect(optionsError(() => requireInteger('Owner', 'size', '3', { min: 1 })).message).toMatch(/got "3"/);
    expect(optionsError(() => requireInteger('Owner', 'size', Number.NaN)).option).toBe('size');
    expect(() => requireInteger('Owner', 'size', Infinity, { infinity: true })).not.toThrow();
    expect(() => requireInteger('Owner', 'size', 0)).not.toThrow();
    expect(() => requireInteger('Owner', 'size', undefined, { optional: true })).not.toThrow();
  });

  it('states number bounds in words and refuses NaN and Infinity', () => {
    expect(optionsError(() => requireNumber('Owner', 'factor', 0.5, { min: 1 })).message).toBe('Owner: option "factor" must be a finite number >= 1 (got 0.5)');
    expect(optionsError(() => requireNumber('Owner', 'rate', 0, { exclusiveMin: true })).message).toBe('Owner: option "rate" must be a finite number > 0 (got 0)');
    expect(optionsError(() => requireNumber('Owner', 'ratio', 2, { exclusiveMin: true, max: 1 })).message).toBe('Owner: option "ratio" must be a number in (0, 1] (got 2)');
    expect(optionsError(() => requireNumber('Owner', 'ratio', Number.NaN, { max: 1 })).message).toBe('Owner: option "ratio" must be a number in [0, 1] (got NaN)');
    expect(optionsError(() => requireNumber('Owner', 'rate', Infinity)).option).toBe('rate');
    expect(() => requireNumber('Owner', 'ratio', 1, { exclusiveMin: true, max: 1 })).not.toThrow();
  });

  it('checks strings, booleans, choices, functions and primitives', () => {
    expect(optionsError(() => requireNonEmptyString('Owner', 'name', '')).message).toBe('Owner: option "name" must be a non-empty string (got "")');
    expect(optionsError(() => requireBoolean('Owner', 'instrument', 'yes')).message).toBe('Owner: option "instrument" must be a boolean (got "yes")');
    expect(optionsError(() => requireOneOf('Owner', 'mode', 'later', ['wait', 'reject'])).message).toBe("Owner: option \"mode\" must be 'wait' or 'reject' (got \"later\")");
    expect(optionsError(() => requireOneOf('Owner', 'jitter', 1, ['decorrelated', 'full', 'none'])).message).toBe("Owner: option \"jitter\" must be 'decorrelated', 'full' or 'none' (got 1)");
    expect(optionsError(() => requireFunction('Owner', 'key', 1, { signature: '(input) => string' })).message).toBe('Owner: option "key" must be a function (input) => string (got 1)');
    expect(optionsError(() => requireFunction('Owner', 'onEvict', 1, { optional: true })).message).toBe('Owner: option "onEvict" must be a function when given (got 1)');
    expect(optionsError(() => requirePrimitive('Owner', 'inner', {})).message).toBe('Owner: option "inner" must be a WorkflowPrimitive (got an object)');
    expect(() => requirePrimitive('Owner', 'inner', new LambdaPrimitive(async () => 1))).not.toThrow();
    expect(() => requireFunction('Owner', 'key', undefined, { optional: true })).not.toThrow();
  });
});

describe('requirePrimitives', () => {
  it('names the argument when it is no array or empty, and the first element that is no primitive', () => {
    const ok = new LambdaPrimitive(async () => 1);
    expect(optionsError(() => requirePrimitives('Owner', 'fallbacks', [])).message).toBe('Owner: option "fallbacks" must be a non-empty array of primitives (got an array of 0)');
    expect(optionsError(() => requirePrimitives('Owner', 'fallbacks', [ok, 3])).message).toBe('Owner: option "fallbacks[1]" must be a WorkflowPrimitive (got 3)');
    expect(optionsError(() => requirePrimitive('Owner', 'fallback', 3, { optional: true })).message).toBe('Owner: option "fallback" must be a WorkflowPrimitive when given (got 3)');
    expect(() => requirePrimitives('Owner', 'fallbacks', [ok, ok])).not.toThrow();
  });
});

describe('requireMethods', () => {
  it('accepts an object with every method and names the plug-in otherwise', () => {
    const rule = { methods: ['get', 'set'], description: 'a Store (get and set)' };
    expect(() => requireMethods('Owner', 'store', { get() {}, set() {} }, rule)).not.toThrow();
    expect(optionsError(() => requireMethods('Owner', 'store', { get() {} }, rule)).message).toBe('Owner: option "store" must be a Store (get and set) (got an object)');
    expect(optionsError(() => requireMethods('Owner', 'store', null, { ...rule, optional: true })).message).toBe('Owner: option "store" must be a Store (get and set) when given (got null)');
    expect(() => requireMethods('Owner', 'store', undefined, { ...rule, optional: true })).not.toThrow();
  });
});

describe('the validator for sibling packages', () => {
  it('is exported from @tta/primitives/instrumentation', async () => {
    const entry = await import('@tta/primitives/instrumentation');
    expect(entry.requireInteger).toBe(requireInteger);
    expect(entry.requireOptionsObject).toBe(requireOptionsObject);
    expect(entry.requireMethods).toBe(requireMethods);
    expect(entry.requirePrimitive).toBe(requirePrimitive);
  });
});

describe('requireOptionsObject with known keys', () => {
  it('refuses a key it does not know, naming it and the accepted ones', () => {
    const error = optionsError(() => requireOptionsObject('Owner', { ttl: 5 }, { known: ['ttlMs', 'prefix'] }));
    expect(error.option).toBe('ttl');
    expect(error.message).toBe('Owner: option "ttl" is not an option of Owner (it takes prefix, ttlMs)');
    expect(() => requireOptionsObject('Owner', { ttlMs: 5 }, { known: ['ttlMs', 'prefix'] })).not.toThrow();
  });
});

describe('the validator with hostile values', () => {
  const revoked = (): object => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };
  const throwingKeys = new Proxy({}, { ownKeys: () => { throw new Error('keys'); } });
  const throwingGet = new Proxy({}, { get: () => { throw new Error('get'); } });

  it('refuses a revoked proxy as options with InvalidOptionsError, not a TypeError', () => {
    expect(optionsError(() => requireOptionsObject('Owner', revoked())).message).toBe('Owner: option "options" must be an object (got a revoked proxy)');
    expect(optionsError(() => requireOptionsObject('Owner', revoked(), { known: ['a'] })).option).toBe('options');
  });

  it('refuses options whose keys cannot be listed with InvalidOptionsError, the error as cause', () => {
    const error = optionsError(() => requireOptionsObject('Owner', throwingKeys, { known: ['a'] }));
    expect(error.message).toBe('Owner: option "options" cannot be read (an Error)');
    expect((error.cause as Error).message).toBe('keys');
  });

  it('refuses a plug-in that is a revoked proxy or throws when its methods are read, naming the option', () => {
    const rule = { methods: ['get'], description: 'a Store (get)' };
    expect(optionsError(() => requireMethods('Owner', 'store', revoked(), rule)).message).toBe('Owner: option "store" must be a Store (get) (got a revoked proxy)');
    const error = optionsError(() => requireMethods('Owner', 'store', throwingGet, rule));
    expect(error.message).toBe('Owner: option "store" cannot be read (an Error)');
    expect((error.cause as Error).message).toBe('get');
  });
});
