import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import * as v from 'valibot';
import { WorkflowContext, InvalidOptionsError, step } from '@tta/primitives';
import { ValidatePrimitive, validate } from './validate-primitive.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import { ValidationError } from '../errors/validation-error.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';
import { runInNewContext } from 'node:vm';
import { InvalidInputError } from '../errors/invalid-input-error.js';

afterEach(() => expectNoTimerLeaks());

describe('ValidatePrimitive', () => {
  it('passes a valid value through a zod schema, with its transforms, and infers the output type', async () => {
    const User = z.object({ name: z.string(), age: z.coerce.number().int() });
    const checked = validate(User);
    const user = await checked.execute(new WorkflowContext(), { name: 'Ada', age: '36' });
    expect(user).toEqual({ name: 'Ada', age: 36 });
    expectTypeOf(user).toEqualTypeOf<{ name: string; age: number }>();
  });

  it('throws ValidationError listing every zod issue with its path', async () => {
    const Order = z.object({ id: z.string(), items: z.array(z.object({ qty: z.number().positive() })) });
    const error = await validate(Order)
      .execute(new WorkflowContext(), { id: 7, items: [{ qty: 1 }, { qty: -2 }] })
      .catch((reason: unknown) => reason);
    expect(ValidationError.isInstance(error)).toBe(true);
    const failure = error as ValidationError;
    expect(failure.code).toBe('VALIDATION_FAILED');
    expect(failure.vendor).toBe('zod');
    expect(failure.issues.map((issue) => issue.path)).toEqual([['id'], ['items', 1, 'qty']]);
    expect(failure.message).toMatch(/^Validation failed: id: .+; items\[1\]\.qty: /);
  });

  it('works with valibot schemas, issues included', async () => {
    const Config = v.object({ retries: v.pipe(v.number(), v.minValue(0)), mode: v.picklist(['fast', 'safe']) });
    const config = await validate(Config).execute(new WorkflowContext(), { retries: 3, mode: 'fast' });
    expectTypeOf(config).toEqualTypeOf<{ retries: number; mode: 'fast' | 'safe' }>();
    const error = (await validate(Config)
      .execute(new WorkflowContext(), { retries: -1, mode: 'slow' })
      .catch((reason: unknown) => reason)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.vendor).toBe('valibot');
    expect(error.issues.map((issue) => issue.path)).toEqual([['retries'], ['mode']]);
  });

  it('awaits an asynchronous schema', async () => {
    const Slug = z.string().refine(async (value) => value === value.toLowerCase(), 'must be lower case');
    expect(await validate(Slug).execute(new WorkflowContext(), 'ok')).toBe('ok');
    await expect(validate(Slug).execute(new WorkflowContext(), 'NO')).rejects.toMatchObject({ issues: [{ message: 'must be lower case', path: [] }] });
  });

  it('accepts a hand-written Standard Schema with object path segments', async () => {
    const schema: StandardSchemaV1<unknown, string> = {
      '~standard': {
        version: 1,
        vendor: 'custom',
        validate: (value) => (typeof value === 'string' ? { value } : { issues: [{ message: 'not a string', path: [{ key: 'root' }, 0] }] }),
      },
    };
    await expect(validate(schema).execute(new WorkflowContext(), 1)).rejects.toMatchObject({ issues: [{ message: 'not a string', path: ['root', 0] }] });
  });

  it('composes after any step and types the pipeline with the schema output', async () => {
    const parse = step('parse', (raw: string) => JSON.parse(raw) as unknown);
    const pipeline = parse.pipe(validate(z.object({ ok: z.boolean() })));
    const result = await pipeline.execute(new WorkflowContext(), '{"ok":true}');
    expectTypeOf(result).toEqualTypeOf<{ ok: boolean }>();
    expect(result).toEqual({ ok: true });
  });

  it('refuses a value that is not a Standard Schema at construction', () => {
    expect(() => new ValidatePrimitive({} as never)).toThrow(InvalidOptionsError);
    expect(() => validate({ '~standard': { version: 2, vendor: 'x', validate: () => ({ value: 1 }) } } as never)).toThrow(/version/);
  });

  /** A hand-written schema whose validate() returns whatever `answer` makes of the value. */
  function schemaReturning(answer: (value: unknown) => unknown): StandardSchemaV1<unknown, number> {
    return { '~standard': { version: 1, vendor: 'hand', validate: answer as StandardSchemaV1<unknown, number>['~standard']['validate'] } };
  }
  const failure = { issues: [{ message: 'must be a number' }] };

  it('awaits a thenable result and rejects bad input with ValidationError', async () => {
    const thenable = validate(schemaReturning(() => ({ then: (resolve: (result: unknown) => void) => resolve(failure) })));
    await expect(thenable.execute(new WorkflowContext(), 'x')).rejects.toBeInstanceOf(ValidationError);
    const passing = validate(schemaReturning((value) => ({ then: (resolve: (result: unknown) => void) => resolve({ value: Number(value) }) })));
    expect(await passing.execute(new WorkflowContext(), '7')).toBe(7);
  });

  it('awaits a Promise from another realm and rejects bad input with ValidationError', async () => {
    const foreign = validate(schemaReturning(() => runInNewContext('Promise.resolve(failure)', { failure }) as unknown));
    await expect(foreign.execute(new WorkflowContext(), 'x')).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects a malformed schema result with InvalidInputError instead of accepting the value', async () => {
    for (const result of [null, undefined, 42, { issues: null }, { issues: 'bad' }, Promise.resolve(null)]) {
      const error: unknown = await validate(schemaReturning(() => result), { name: 'checked' })
        .execute(new WorkflowContext(), 'x')
        .then(() => 'accepted', (caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error), String(result)).toBe(true);
      expect((error as Error).message).toContain('validate "checked"');
    }
  });

  it('rejects a result with neither value nor issues ({}) instead of passing undefined on', async () => {
    for (const result of [{}, { issues: undefined }, Promise.resolve({})]) {
      const error: unknown = await validate(schemaReturning(() => result), { name: 'checked' })
        .execute(new WorkflowContext(), 'x')
        .then(() => 'accepted', (caught: unknown) => caught);
      expect(InvalidInputError.isInstance(error)).toBe(true);
    }
    const nothing = validate(schemaReturning(() => ({ value: undefined })));
    await expect(nothing.execute(new WorkflowContext(), 'x')).resolves.toBeUndefined();
  });

  it('refuses a schema that throws when read (a revoked proxy, a throwing getter) with InvalidOptionsError', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const crashed = new Error('getter');
    const throwing = { get '~standard'(): never { throw crashed; } };
    for (const schema of [proxy, throwing]) {
      let error: unknown;
      try {
        validate(schema as never);
      } catch (caught) {
        error = caught;
      }
      expect(InvalidOptionsError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('ValidatePrimitive: option "schema"');
    }
  });

  it('rejects with the error of the schema when its thenable result rejects', async () => {
    const broken = new Error('schema crashed');
    const rejecting = validate(schemaReturning(() => ({ then: (_resolve: unknown, reject: (error: unknown) => void) => reject(broken) })));
    await expect(rejecting.execute(new WorkflowContext(), 'x')).rejects.toBe(broken);
  });
});
