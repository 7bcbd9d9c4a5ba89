import type { ZodType } from 'zod';
import { SchemaValidationError } from '../errors/schema-validation-error.js';

/** A zod schema whose parsed output is `T`. */
export type Schema<T> = ZodType<T>;

/**
 * Parses `value` with `schema`; returns the parsed value (zod may transform it) or throws
 * {@link SchemaValidationError} listing every issue.
 */
export function validateWithSchema<T>(schema: Schema<T>, value: unknown, subject: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path,
    message: issue.message,
    code: issue.code,
  }));
  throw new SchemaValidationError(subject, issues, { cause: result.error });
}
