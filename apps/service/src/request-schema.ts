import { z } from 'zod';

/** Body of `POST /v1/answer`. Unknown fields are refused, so a typo is a 400, not a silent default. */
export const answerRequestSchema = z.strictObject({
  /** The question for the model. */
  question: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters'),
  /** Upper bound on the answer's tokens. */
  maxTokens: z.number().int().min(1).max(4096).optional(),
  /** Skip the cache and ask the model again. */
  fresh: z.boolean().optional(),
});

/** A validated request. */
export type AnswerRequest = z.infer<typeof answerRequestSchema>;

/** One validation problem, as returned in a 400 body. */
export interface RequestIssue {
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

/** Turns zod's issues into a short, stable list for the client. */
export function describeIssues(error: z.ZodError): RequestIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}
