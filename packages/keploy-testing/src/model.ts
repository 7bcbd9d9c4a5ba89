/** A recorded HTTP request, as in Keploy's `spec.req`. */
export interface RecordedRequest {
  /** Upper-case method. */
  readonly method: string;
  /** Absolute URL, or a path without host (Keploy writes client mocks that way); a host-less URL matches any host. */
  readonly url: string;
  /** Header names as written (Keploy uses canonical casing, `Content-Type`); repeated values joined with `,`, as Keploy writes them. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body text (UTF-8); empty when there is none. */
  readonly body: string;
  /**
   * The exact bytes of a body stored as `!!binary` (not valid UTF-8); sent and compared byte for byte.
   * `body` then holds their UTF-8 decoding, for display only.
   */
  readonly bodyBytes?: Uint8Array;
  /** RFC 3339 time the request was seen; `0001-01-01T00:00:00Z` when unknown, as Keploy writes it. */
  readonly timestamp: string;
}

/** One piece of a streamed response body, as it arrived. */
export interface StreamChunk {
  /** The chunk's text. The chunks of a response, joined, equal its `body`. */
  readonly data: string;
  /** Milliseconds since the previous chunk (or since the response headers, for the first one). */
  readonly delayMs: number;
}

/** A recorded HTTP response, as in Keploy's `spec.resp`. */
export interface RecordedResponse {
  /** Status code. */
  readonly status: number;
  /** Status text (`OK`); may be empty. */
  readonly statusMessage: string;
  /** Header names as written; repeated values joined with `,` (`Set-Cookie` too), as Keploy writes them. */
  readonly headers: Readonly<Record<string, string>>;
  /** Whole body text, decoded (no content-encoding). */
  readonly body: string;
  /**
   * The exact bytes of a body stored as `!!binary` (not valid UTF-8); replayed and compared byte for
   * byte. `body` then holds their UTF-8 decoding, for display only.
   */
  readonly bodyBytes?: Uint8Array;
  /**
   * Chunk boundaries of a streamed body (server-sent events, chunked transfer). Stored under the
   * field `tta_chunks` next to Keploy's `body`, which still holds the whole text, so Keploy reads the file.
   */
  readonly chunks?: readonly StreamChunk[];
  /** RFC 3339 time the response completed. */
  readonly timestamp: string;
}

/** A Keploy mock of kind `Http`: one outgoing exchange. */
export interface HttpMock {
  /** Always `'Http'`. */
  readonly kind: 'Http';
  /** `mock-N`. */
  readonly name: string;
  /** Keploy's metadata map (`type: HTTP_CLIENT`, `operation: GET`...). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The request. */
  readonly request: RecordedRequest;
  /** The response. */
  readonly response: RecordedResponse;
  /** Unix seconds the mock was created. */
  readonly created: number;
  /** @internal The document as read from disk, written back unchanged when the mock is not modified. */
  readonly source?: unknown;
}

/** A mock of any other kind (`Mongo`, `Postgres`, `Generic`...): loaded and kept, skipped by the HTTP replayer. */
export interface OtherMock {
  /** Keploy's kind, anything but `'Http'`. */
  readonly kind: string;
  /** Name of the mock. */
  readonly name: string;
  /** The `spec` as read, untouched. */
  readonly spec: unknown;
  /** @internal The whole document as read, written back unchanged. */
  readonly source?: unknown;
}

/** Any mock of a test set's `mocks.yaml`. */
export type Mock = HttpMock | OtherMock;

/**
 * Ignored fields of a test case: `header.Date`, `body.user.createdAt` (array levels are transparent),
 * `body` for the whole body. An empty list ignores the field; a list of regular expressions ignores it when
 * the actual value matches one of them.
 */
export type Noise = Readonly<Record<string, readonly string[]>>;

/** A Keploy test case of kind `Http`: one request into the service and its expected response. */
export interface HttpTestCase {
  /** Always `'Http'`. */
  readonly kind: 'Http';
  /** `test-N`. */
  readonly name: string;
  /** The request sent to the service. */
  readonly request: RecordedRequest;
  /** The response it gave. */
  readonly response: RecordedResponse;
  /** Fields left out of the comparison. */
  readonly noise: Noise;
  /** Unix seconds the test case was created. */
  readonly created: number;
  /** The same request as a curl command. */
  readonly curl: string;
  /** Port the service listened on while recording, when known. */
  readonly appPort?: number;
  /** @internal The document as read from disk. */
  readonly source?: unknown;
}

/** A test case of another kind (gRPC...): kept, skipped by the HTTP runner. */
export interface OtherTestCase {
  /** Keploy's kind. */
  readonly kind: string;
  /** Name of the test case. */
  readonly name: string;
  /** The document as read. */
  readonly source: unknown;
}

/** Any test case of a test set. */
export type TestCase = HttpTestCase | OtherTestCase;

/** The contents of one `test-set-N` folder. */
export interface TestSet {
  /** Test cases from `tests/test-M.yaml`, ordered by M. */
  readonly tests: readonly TestCase[];
  /** Every document of `mocks.yaml`, in file order, of every kind. */
  readonly mocks: readonly Mock[];
}

/** True for a mock of kind `Http`. */
export function isHttpMock(mock: Mock): mock is HttpMock {
  return mock.kind === 'Http' && 'request' in mock;
}

/** True for a test case of kind `Http`. */
export function isHttpTestCase(test: TestCase): test is HttpTestCase {
  return test.kind === 'Http' && 'request' in test;
}

/** The zero time Keploy writes when a timestamp is unknown. */
export const ZERO_TIMESTAMP = '0001-01-01T00:00:00Z';
