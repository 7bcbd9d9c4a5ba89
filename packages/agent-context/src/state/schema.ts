import { InvalidInputError, InvalidOptionsError, ValidationError, type StandardSchemaV1, type ValidationIssue } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';

/**
 * A Standard Schema v1 (zod 3.24+ / 4, valibot 1, arktype 2...) whose validated output is `T`. Its
 * input may differ (a schema may fill defaults or coerce), so it is left open.
 */
export type Schema<T> = StandardSchemaV1<unknown, T>;

/**
 * Validates `value` with any Standard Schema and resolves with the schema's output (which may be
 * transformed), or rejects with the core's `ValidationError` listing every issue with its path.
 * Synchronous and asynchronous schemas alike; a `validate` that answers something other than a
 * Standard Schema result rejects with `InvalidInputError` naming `subject`: a value is never
 * accepted on a malformed answer.
 *
 * @example
 * ```ts fragment
 * import { z } from 'zod';
 * const plan = await validateWithSchema(z.object({ steps: z.array(z.string()) }), { steps: ['research'] }, 'plan');
 * ```
 */
export async function validateWithSchema<T>(schema: Schema<T>, value: unknown, subject: string): Promise<T> {
  return checkWithSchema(schema, value, subject);
}

/**
 * @internal {@link validateWithSchema} without a Promise when the schema answers synchronously, so
 * that incoming messages checked by sync schemas keep their order and cost no extra turn.
 */
export function checkWithSchema<T>(schema: Schema<T>, value: unknown, subject: string): T | Promise<T> {
  const result: unknown = schema['~standard'].validate(value);
  // Any thenable is awaited, not only this realm's Promise: a pending result has no `issues`.
  if (isThenable(result)) return Promise.resolve(result).then((settled) => unwrap(schema, settled, subject));
  return unwrap(schema, result, subject);
}

/** @internal Throws `InvalidOptionsError` unless `schema` is a Standard Schema v1 object. */
export function assertSchema(owner: string, option: string, schema: unknown): asserts schema is Schema<unknown> {
  let props: Partial<StandardSchemaV1['~standard']> | undefined;
  try {
    props = (schema as { readonly '~standard'?: Partial<StandardSchemaV1['~standard']> } | null | undefined)?.['~standard'];
    void props?.validate;
    void props?.version;
  } catch (error) {
    // A revoked proxy or a throwing getter: refused by name, its error kept as the cause.
    throw new InvalidOptionsError(owner, option, `cannot be read (${describeValue(error)})`, { cause: error });
  }
  if ((typeof schema !== 'object' && typeof schema !== 'function') || schema === null || typeof props !== 'object' || props === null || typeof props.validate !== 'function') {
    throw new InvalidOptionsError(owner, option, "must be a Standard Schema v1 object, such as a zod, valibot or arktype schema (with a '~standard'.validate function)");
  }
  if (props.version !== 1) throw new InvalidOptionsError(owner, option, `has Standard Schema version ${String(props.version)}; only version 1 is supported`);
}

function unwrap<T>(schema: Schema<T>, result: unknown, subject: string): T {
  // Fail closed: only a well-formed success result lets a value through.
  if (typeof result !== 'object' || result === null || isThenable(result)) throw malformed(result, subject);
  const { issues } = result as { readonly issues?: unknown };
  if (issues === undefined) {
    // `{}` is not a success: a success result has a `value` key (its value possibly undefined).
    if (!('value' in result)) throw malformed(result, subject);
    return (result as { readonly value: T }).value;
  }
  if (!Array.isArray(issues)) throw malformed(result, subject);
  throw new ValidationError((issues as readonly unknown[]).map(toIssue), schema['~standard'].vendor, { subject });
}

function malformed(result: unknown, subject: string): InvalidInputError {
  const shown = result === null ? 'null' : Array.isArray(result) ? 'an array' : typeof result;
  return new InvalidInputError(subject, `the schema's validate() returned ${shown}, not a Standard Schema result ({ value } or { issues: [...] })`);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function toIssue(entry: unknown): ValidationIssue {
  // A schema may report anything; an odd issue still fails the value, with what can be read of it.
  const issue = (typeof entry === 'object' && entry !== null ? entry : {}) as { readonly message?: unknown; readonly path?: unknown };
  const message = typeof issue.message === 'string' ? issue.message : 'Invalid value';
  const path = Array.isArray(issue.path) ? issue.path.map((segment: unknown) => (typeof segment === 'object' && segment !== null ? (segment as { key: PropertyKey }).key : (segment as PropertyKey))) : [];
  return { message, path };
}
