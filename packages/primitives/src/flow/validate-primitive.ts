import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from '../core/describe-value.js';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';
import { schemaVendor } from '../core/describe.js';

/**
 * Checks its input against a schema and resolves with the schema's output (which a schema may
 * transform, for example with defaults or coercion), or rejects with `ValidationError` listing
 * every issue with its path. Accepts any Standard Schema v1 object: zod 4, valibot, arktype and
 * others, synchronous or asynchronous (any thenable result is awaited, also a Promise from another
 * realm); the toolkit depends on none of them. A schema whose `validate` returns something that is
 * not a Standard Schema result fails the call with `InvalidInputError`: a value is never accepted
 * on a malformed answer.
 *
 * Its input type is `unknown`, so it fits after any step; its output type is the schema's.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * const Answer = z.object({ text: z.string(), confidence: z.number().min(0).max(1) });
 * const checked = llm.pipe(step('parse', (raw: string) => JSON.parse(raw))).pipe(validate(Answer));
 * // checked: WorkflowPrimitive<string, { text: string; confidence: number }>
 * ```
 */
export class ValidatePrimitive<TSchema extends StandardSchemaV1> extends WorkflowPrimitive<unknown, StandardSchemaV1.InferOutput<TSchema>> {
  /** The schema. */
  readonly schema: TSchema;

  constructor(schema: TSchema, options: PrimitiveOptions = {}) {
    super('validate', options);
    let props: Partial<StandardSchemaV1['~standard']> | undefined;
    try {
      props = (schema as Partial<StandardSchemaV1> | null | undefined)?.['~standard'];
      void props?.validate;
      void props?.version;
    } catch (error) {
      // A revoked proxy or a throwing getter: refused by name, its error kept as the cause.
      throw new InvalidOptionsError('ValidatePrimitive', 'schema', `cannot be read (${describeValue(error)})`, { cause: error });
    }
    if (typeof props !== 'object' || props === null || typeof props.validate !== 'function') {
      throw new InvalidOptionsError('ValidatePrimitive', 'schema', "must be a Standard Schema v1 object (with a '~standard'.validate function)");
    }
    if (props.version !== 1) throw new InvalidOptionsError('ValidatePrimitive', 'schema', `has Standard Schema version ${describeValue(props.version)}; only version 1 is supported`);
    this.schema = schema;
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    // Read again rather than kept: the schema was checked readable at construction.
    return { schema: schemaVendor(this.schema) };
  }

  protected executeImpl(_context: WorkflowContext, input: unknown): Promise<StandardSchemaV1.InferOutput<TSchema>> {
    const result: unknown = this.schema['~standard'].validate(input);
    // Any thenable is awaited, not only this realm's Promise: a result read as final while it is
    // still pending has no `issues`, and would accept every value.
    if (isThenable(result)) return Promise.resolve(result).then((settled) => this.unwrap(settled));
    try {
      return Promise.resolve(this.unwrap(result));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private unwrap(result: unknown): StandardSchemaV1.InferOutput<TSchema> {
    // Fail closed: only a well-formed success result lets a value through.
    if (typeof result !== 'object' || result === null || isThenable(result)) throw this.malformed(result);
    const { issues } = result as StandardSchemaV1.Result<unknown>;
    if (issues === undefined) {
      // `{}` is not a success: a success result has a `value` key (its value possibly undefined).
      if (!('value' in result)) throw this.malformed(result);
      return (result as { value: unknown }).value as StandardSchemaV1.InferOutput<TSchema>;
    }
    if (!Array.isArray(issues)) throw this.malformed(result);
    throw new ValidationError((issues as readonly unknown[]).map(toIssue), this.schema['~standard'].vendor);
  }

  private malformed(result: unknown): InvalidInputError {
    return new InvalidInputError(`validate "${this.name}"`, `the schema's validate() returned ${describeValue(result)}, not a Standard Schema result ({ value } or { issues: [...] })`);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function toIssue(entry: unknown): ValidationIssue {
  // A schema may report anything; an odd issue still fails the value, with what can be read of it.
  const issue = (typeof entry === 'object' && entry !== null ? entry : {}) as Partial<StandardSchemaV1.Issue>;
  const message = typeof issue.message === 'string' ? issue.message : 'Invalid value';
  const path = Array.isArray(issue.path) ? issue.path.map((segment: unknown) => (typeof segment === 'object' && segment !== null ? (segment as { key: PropertyKey }).key : (segment as PropertyKey))) : [];
  return { message, path };
}

/**
 * Validates the input against a Standard Schema (zod, valibot, arktype...): the factory form of
 * {@link ValidatePrimitive}.
 *
 * @example
 * ```ts
 * const user = validate(z.object({ id: z.string(), age: z.number().int() }));
 * await user.execute(context, { id: 'u1', age: 'x' }); // rejects: ValidationError "age: Invalid input..."
 * ```
 */
export function validate<TSchema extends StandardSchemaV1>(schema: TSchema, options: PrimitiveOptions = {}): ValidatePrimitive<TSchema> {
  return new ValidatePrimitive(schema, options);
}
