import { redactText } from '../logging/redact.js';
import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

/** One problem found by a schema, with where it is in the value. */
export interface ValidationIssue {
  /** The problem, as the schema library phrased it. */
  readonly message: string;
  /** Where in the value: property names and array indexes from the root; empty for the root. */
  readonly path: readonly PropertyKey[];
}

const marker = Symbol.for('@tta/primitives.ValidationError');

/** Options of a {@link ValidationError}. */
export interface ValidationErrorOptions extends TtaErrorOptions {
  /**
   * What was validated, for example `state "plan"`: the message starts with it, so a refusal
   * says which value it is about when the issue paths are relative to that value.
   */
  readonly subject?: string;
}

/**
 * Rejection of a `ValidatePrimitive` whose schema refused the value. `issues` lists every problem
 * with its path; the message names them too. Never retried by default: the same input fails again.
 */
export class ValidationError extends TtaError<'VALIDATION_FAILED'> {
  private readonly [marker] = true;
  /** Every problem the schema reported, in its order. */
  readonly issues: readonly ValidationIssue[];
  /** Lets `RetryPrimitive` skip it: the same input fails again. */
  override readonly retryable: boolean = false;
  /** The schema library that refused the value (its Standard Schema `vendor`), when known. */
  readonly vendor: string | undefined;
  /** What was validated (for example `state "plan"`), when the thrower named it. */
  readonly subject: string | undefined;

  constructor(issues: readonly ValidationIssue[] = [], vendor?: string, options: ValidationErrorOptions = {}) {
    const about = options.subject === undefined ? '' : ` for ${redactText(options.subject)}`;
    super(`Validation failed${about}: ${describeIssues(issues)}`, 'VALIDATION_FAILED', options);
    this.issues = issues;
    this.vendor = vendor;
    this.subject = options.subject;
  }

  /** True when `error` is a ValidationError, from any copy of the package. */
  static override isInstance(error: unknown): error is ValidationError {
    return hasMarker(error, marker);
  }
}

const shownIssues = 5;

function describeIssues(issues: readonly ValidationIssue[]): string {
  if (issues.length === 0) return 'the schema reported no details';
  // Schemas often echo the value they refused: the message redacts credentials in what they say.
  const shown = issues.slice(0, shownIssues).map((issue) => redactText(issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`));
  const more = issues.length > shownIssues ? `; and ${issues.length - shownIssues} more` : '';
  return shown.join('; ') + more;
}

/** Formats a path as `items[2].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'symbol') text += `[${segment.toString()}]`;
    else text += text.length === 0 ? segment : `.${segment}`;
  }
  return text;
}
