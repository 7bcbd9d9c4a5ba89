import { InvalidOptionsError } from '@tta/primitives';
import { MockPrimitive, type MockOutcome } from '@tta/primitives/testing';
import { RecordedResponseError } from './errors/recorded-response-error.js';
import { isHttpMock, type HttpMock, type Mock, type RecordedResponse } from './model.js';

/** Options of {@link mockPrimitiveFromRecordings}. */
export interface MockPrimitiveFromRecordingsOptions<TOutput> {
  /**
   * Which recordings to use, e.g. `(mock) => mock.request.url.includes('/chat/completions')`.
   * @default every HTTP recording
   */
  readonly filter?: (mock: HttpMock) => boolean;
  /**
   * Turns a recorded response into the primitive's output.
   * @default the body parsed as JSON, or the body text when it is not JSON
   */
  readonly output?: (response: RecordedResponse, mock: HttpMock) => TOutput;
  /**
   * Which responses become a rejection with `RecordedResponseError` instead of an output.
   * @default status 400 or more
   */
  readonly isError?: (response: RecordedResponse) => boolean;
  /**
   * Name of the primitive in metrics and errors.
   * @default 'mock'
   */
  readonly name?: string;
}

const parseBody = (response: RecordedResponse): unknown => {
  try {
    return JSON.parse(response.body);
  } catch {
    return response.body;
  }
};

/**
 * A `MockPrimitive` whose calls get the recorded responses in order (the last one repeats), so a workflow
 * test can stand in a recorded API call for a real step, without HTTP.
 *
 * @example
 * <!-- snippet-prelude: interface Completion { readonly text: string } -->
 * ```ts
 * const { mocks } = await readTestSet('keploy/llm-calls');
 * const llm = mockPrimitiveFromRecordings<string, Completion>(mocks);
 * await retry(llm).execute(new WorkflowContext(), 'hello');
 * ```
 */
export function mockPrimitiveFromRecordings<TInput = unknown, TOutput = unknown>(
  mocks: readonly Mock[],
  options: MockPrimitiveFromRecordingsOptions<TOutput> = {},
): MockPrimitive<TInput, TOutput> {
  const selected = mocks.filter(isHttpMock).filter((mock) => options.filter?.(mock) ?? true);
  if (selected.length === 0) throw new InvalidOptionsError('mockPrimitiveFromRecordings', 'mocks', 'must contain at least one HTTP recording (after filter)');
  const isError = options.isError ?? ((response: RecordedResponse) => response.status >= 400);
  const sequence: Array<MockOutcome<TOutput>> = selected.map((mock) =>
    isError(mock.response)
      ? { error: new RecordedResponseError(mock.response.status, mock.response.body, mock.name) }
      : { value: options.output === undefined ? (parseBody(mock.response) as TOutput) : options.output(mock.response, mock) },
  );
  return new MockPrimitive<TInput, TOutput>({ sequence, ...(options.name === undefined ? {} : { name: options.name }) });
}
