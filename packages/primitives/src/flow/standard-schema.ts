// The Standard Schema v1 interface (https://standardschema.dev), declared here so that the core
// depends on no schema library: zod (3.24+ / 4), valibot (1.0+), arktype (2.0+) and others
// implement it.

/** A schema in the Standard Schema v1 format. */
export interface StandardSchemaV1<TInput = unknown, TOutput = TInput> {
  readonly '~standard': StandardSchemaV1Props<TInput, TOutput>;
}

/** The `~standard` property of a {@link StandardSchemaV1}. */
export interface StandardSchemaV1Props<TInput = unknown, TOutput = TInput> {
  /** Version of the interface; always 1. */
  readonly version: 1;
  /** The schema library, such as `'zod'` or `'valibot'`. */
  readonly vendor: string;
  /** Validates `value`, synchronously or not (a Promise, or any thenable, is awaited). */
  readonly validate: (value: unknown) => StandardSchemaV1Result<TOutput> | Promise<StandardSchemaV1Result<TOutput>>;
  /** Carries the input and output types for inference; not present at runtime. */
  readonly types?: StandardSchemaV1Types<TInput, TOutput> | undefined;
}

/** The outcome of a validation. */
export type StandardSchemaV1Result<TOutput> = StandardSchemaV1SuccessResult<TOutput> | StandardSchemaV1FailureResult;

/** A passing validation, with the (possibly transformed) value. */
export interface StandardSchemaV1SuccessResult<TOutput> {
  readonly value: TOutput;
  readonly issues?: undefined;
}

/** A failing validation, with its issues. */
export interface StandardSchemaV1FailureResult {
  readonly issues: ReadonlyArray<StandardSchemaV1Issue>;
}

/** One problem reported by a schema. */
export interface StandardSchemaV1Issue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | StandardSchemaV1PathSegment> | undefined;
}

/** A path segment given as an object. */
export interface StandardSchemaV1PathSegment {
  readonly key: PropertyKey;
}

/** The type-only carrier of a schema's input and output types. */
export interface StandardSchemaV1Types<TInput = unknown, TOutput = TInput> {
  readonly input: TInput;
  readonly output: TOutput;
}

/** The input type a schema accepts. */
export type InferSchemaInput<TSchema extends StandardSchemaV1> = NonNullable<TSchema['~standard']['types']>['input'];

/** The output type a schema produces. */
export type InferSchemaOutput<TSchema extends StandardSchemaV1> = NonNullable<TSchema['~standard']['types']>['output'];
