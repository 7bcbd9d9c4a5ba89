import { TtaError, redactText } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/agent-context.SchemaValidationError');

/** One problem found by a schema, with the path of the offending field. */
export interface SchemaIssue {
  /** Path of the field, for example `['items', 0, 'price']`; empty for the value itself. */
  readonly path: readonly PropertyKey[];
  /** What is wrong, in words. */
  readonly message: string;
  /** The validator's code for the problem, for example `'invalid_type'`, when it gives one. */
  readonly code?: string;
}

/**
 * Thrown when a state value or a message does not match its zod schema. `issues` lists every
 * problem; nothing was written or sent. Never retried (`retryable` is false).
 */
export class SchemaValidationError extends TtaError {
  private readonly [marker] = true;
  /** What was validated, for example `state "plan"` or `message "task"`. */
  readonly subject: string;
  /** Every problem the schema found. */
  readonly issues: readonly SchemaIssue[];
  /** Retrying the same value cannot succeed. */
  readonly retryable = false;

  constructor(subject: string, issues: readonly SchemaIssue[], options: { readonly cause?: unknown } = {}) {
    super(`Invalid ${subject}: ${issues.map(formatIssue).join('; ') || 'rejected by its schema'}`, 'SCHEMA_VALIDATION', options);
    this.subject = subject;
    this.issues = issues;
  }

  /** True when `error` is a SchemaValidationError, from any copy of the package. */
  static override isInstance(error: unknown): error is SchemaValidationError {
    return hasBrand(error, marker);
  }
}

// Schemas echo the rejected value in their messages (`expected an email, got sk_live_...`).
function formatIssue(issue: SchemaIssue): string {
  return redactText(issue.path.length === 0 ? issue.message : `${issue.path.map(String).join('.')}: ${issue.message}`);
}
