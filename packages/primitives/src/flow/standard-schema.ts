// The Standard Schema v1 interface (https://standardschema.dev), declared here so that the core
// depends on no schema library: zod (3.24+ / 4), valibot (1.0+), arktype (2.0+) and others
// implement it. The shape follows the spec's own file: one interface and one namespace of the same
// name, so users write `StandardSchemaV1.Issue` as they would with the spec's package.

/**
 * A schema in the Standard Schema v1 format.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * const schema: StandardSchemaV1<{ n: string }> = z.object({ n: z.string() });
 * type Output = StandardSchemaV1.InferOutput<typeof schema>; // { n: string }
 * ```
 */
export interface StandardSchemaV1<TInput = unknown, TOutput = TInput> {
  readonly '~standard': StandardSchemaV1.Props<TInput, TOutput>;
}

// A type-only namespace, merged with the interface above as the spec does; nothing of it exists at runtime.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace StandardSchemaV1 {
  /** The `~standard` property of a {@link StandardSchemaV1}. */
  export interface Props<TInput = unknown, TOutput = TInput> {
    /** Version of the interface; always 1. */
    readonly version: 1;
    /** The schema library, such as `'zod'` or `'valibot'`. */
    readonly vendor: string;
    /** Validates `value`, synchronously or not (a Promise, or any thenable, is awaited). */
    readonly validate: (value: unknown) => Result<TOutput> | Promise<Result<TOutput>>;
    /** Carries the input and output types for inference; not present at runtime. */
    readonly types?: Types<TInput, TOutput> | undefined;
  }

  /** The outcome of a validation. */
  export type Result<TOutput> = SuccessResult<TOutput> | FailureResult;

  /** A passing validation, with the (possibly transformed) value. */
  export interface SuccessResult<TOutput> {
    readonly value: TOutput;
    readonly issues?: undefined;
  }

  /** A failing validation, with its issues. */
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }

  /** One problem reported by a schema. */
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }

  /** A path segment given as an object. */
  export interface PathSegment {
    readonly key: PropertyKey;
  }

  /** The type-only carrier of a schema's input and output types. */
  export interface Types<TInput = unknown, TOutput = TInput> {
    readonly input: TInput;
    readonly output: TOutput;
  }

  /** The input type a schema accepts. */
  export type InferInput<TSchema extends StandardSchemaV1> = NonNullable<TSchema['~standard']['types']>['input'];

  /** The output type a schema produces. */
  export type InferOutput<TSchema extends StandardSchemaV1> = NonNullable<TSchema['~standard']['types']>['output'];
}
