import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from '../core/describe-value.js';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import type { InferSchemaOutput, StandardSchemaV1, StandardSchemaV1Issue, StandardSchemaV1Result } from './standard-schema.js';

/**
 * Checks its input against a schema and resolves with the schema's output (which a schema may
 * transform, for example with defaults or coercion), or rejects with `ValidationError` listing
 * every issue with its path. Accepts any Standard Schema v1 object: zod 4, valibot, arktype and
 * others, synchronous or asynchronous; the toolkit depends on none of them.
 *
 * Its input type is `unknown`, so it fits after any step; its output type is the schema's.
 *
 * @example
 * import { z } from 'zod';
 * const Answer = z.object({ text: z.string(), confidence: z.number().min(0).max(1) });
 * const checked = llm.pipe(step('parse', (raw: string) => JSON.parse(raw))).pipe(validate(Answer));
 * // checked: WorkflowPrimitive<string, { text: string; confidence: number }>
 */
export class ValidatePrimitive<TSchema extends StandardSchemaV1> extends WorkflowPrimitive<unknown, InferSchemaOutput<TSchema>> {
  /** The schema. */
  readonly schema: TSchema;

  constructor(schema: TSchema, options: PrimitiveOptions = {}) {
    super('validate', options);
    const props = (schema as Partial<StandardSchemaV1> | null | undefined)?.['~standard'];
    if (typeof props !== 'object' || props === null || typeof props.validate !== 'function') {
      throw new InvalidOptionsError('ValidatePrimitive', 'schema', "must be a Standard Schema v1 object (with a '~standard'.validate function)");
    }
    if (props.version !== 1) throw new InvalidOptionsError('ValidatePrimitive', 'schema', `has Standard Schema version ${describeValue(props.version)}; only version 1 is supported`);
    this.schema = schema;
  }

  protected executeImpl(_context: WorkflowContext, input: unknown): Promise<InferSchemaOutput<TSchema>> {
    const result = this.schema['~standard'].validate(input);
    if (result instanceof Promise) return result.then((settled) => this.unwrap(settled));
    try {
      return Promise.resolve(this.unwrap(result));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private unwrap(result: StandardSchemaV1Result<unknown>): InferSchemaOutput<TSchema> {
    if (result.issues === undefined) return result.value as InferSchemaOutput<TSchema>;
    throw new ValidationError(result.issues.map(toIssue), this.schema['~standard'].vendor);
  }
}

function toIssue(issue: StandardSchemaV1Issue): ValidationIssue {
  const path = issue.path === undefined ? [] : issue.path.map((segment) => (typeof segment === 'object' && segment !== null ? segment.key : segment));
  return { message: issue.message, path };
}

/**
 * Validates the input against a Standard Schema (zod, valibot, arktype...): the factory form of
 * {@link ValidatePrimitive}.
 *
 * @example
 * const user = validate(z.object({ id: z.string(), age: z.number().int() }));
 * await user.execute(context, { id: 'u1', age: 'x' }); // rejects: ValidationError "age: Invalid input..."
 */
export function validate<TSchema extends StandardSchemaV1>(schema: TSchema, options: PrimitiveOptions = {}): ValidatePrimitive<TSchema> {
  return new ValidatePrimitive(schema, options);
}
