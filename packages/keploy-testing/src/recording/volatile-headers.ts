/** Response headers that change on every call; recorded test cases list them as noise. */
export const defaultVolatileHeaders: readonly string[] = [
  'date', 'age', 'expires', 'last-modified', 'etag', 'server-timing', 'x-request-id', 'request-id', 'x-correlation-id',
  'x-trace-id', 'traceparent', 'tracestate', 'x-amzn-requestid', 'x-amz-request-id', 'x-amzn-trace-id', 'cf-ray',
  'x-response-time', 'x-runtime', 'keep-alive', 'connection',
];
