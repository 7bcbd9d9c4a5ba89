import { Composer, Document, LineCounter, Parser, visit, type ScalarTag, type YAMLError } from 'yaml';
import { TooManyDocumentsError } from '../errors/too-many-documents-error.js';
import { DEFAULT_MAX_DOCUMENTS } from '../files/max-documents.js';
import { assertSafeName } from '../files/safe-name.js';
import type { HttpMock, HttpTestCase, Mock, Noise, RecordedRequest, RecordedResponse, StreamChunk, TestCase } from '../model.js';
import { ZERO_TIMESTAMP } from '../model.js';
import { readNoiseValue } from '../matching/noise-rules.js';
import { binaryTag } from './binary-tag.js';
import { getHeader } from './headers.js';

/** Keploy's API version, written in every document. */
export const KEPLOY_VERSION = 'api.keploy.io/v1beta1';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const asString = (value: unknown, fallback = ''): string =>
  value === undefined || value === null
    ? fallback
    : value instanceof Date
      ? value.toISOString()
      : value instanceof Uint8Array
        ? new TextDecoder().decode(value)
        : String(value);
/** A `!!binary` body's bytes, kept exact; a text body has none. */
const binaryOf = (value: unknown): { bodyBytes: Uint8Array } | Record<string, never> => (value instanceof Uint8Array ? { bodyBytes: value } : {});
const asNumber = (value: unknown, fallback = 0): number => {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : fallback;
};

const readHeaders = (value: unknown): Record<string, string> => {
  const headers: Record<string, string> = {};
  if (isObject(value)) for (const [key, item] of Object.entries(value)) headers[key] = asString(item);
  return headers;
};

/** Newer Keploy writes a streamed body as a sequence of `{ ts, data: { key: value } }` frames. */
const readSequenceBody = (frames: unknown[], headers: Record<string, string>): { body: string; chunks: StreamChunk[] } => {
  const sse = (getHeader(headers, 'content-type') ?? '').toLowerCase().includes('text/event-stream');
  const chunks: StreamChunk[] = [];
  for (const frame of frames) {
    if (!isObject(frame)) continue;
    const data = frame.data;
    const fields: Array<[string, string]> = isObject(data)
      ? Object.entries(data).map(([key, value]) => [key, asString(value)])
      : [['raw', asString(data)]];
    const text = sse
      ? fields.map(([key, value]) => (key.toLowerCase() === 'comment' ? `:${value}` : `${key.toLowerCase()}: ${value}`)).join('\n') + '\n\n'
      : fields.map(([, value]) => value).join('') + '\n';
    chunks.push({ data: text, delayMs: 0 });
  }
  return { body: chunks.map((chunk) => chunk.data).join(''), chunks };
};

const readRequest = (value: unknown): RecordedRequest => {
  const req = isObject(value) ? value : {};
  return {
    method: asString(req.method, 'GET').toUpperCase(),
    url: asString(req.url),
    headers: readHeaders(req.header),
    body: asString(req.body),
    ...binaryOf(req.body),
    timestamp: asString(req.timestamp, ZERO_TIMESTAMP),
  };
};

const readResponse = (value: unknown): RecordedResponse => {
  const resp = isObject(value) ? value : {};
  const headers = readHeaders(resp.header);
  let body = '';
  let chunks: StreamChunk[] | undefined;
  if (Array.isArray(resp.body)) ({ body, chunks } = readSequenceBody(resp.body, headers));
  else body = asString(resp.body);
  if (Array.isArray(resp.tta_chunks)) {
    chunks = resp.tta_chunks.filter(isObject).map((chunk) => ({ data: asString(chunk.data), delayMs: asNumber(chunk.delay_ms) }));
  }
  return {
    status: asNumber(resp.status_code, 200),
    statusMessage: asString(resp.status_message),
    headers,
    body,
    ...binaryOf(resp.body),
    ...(chunks === undefined ? {} : { chunks }),
    timestamp: asString(resp.timestamp, ZERO_TIMESTAMP),
  };
};

const readNoise = (assertions: unknown, file: string): Noise => {
  const noise: Record<string, string[]> = {};
  const raw = isObject(assertions) ? assertions.noise : undefined;
  // A single string must not be read as `[]` ("ignore always"): it is refused, naming the file and the key.
  if (isObject(raw)) for (const [key, value] of Object.entries(raw)) noise[key] = readNoiseValue(value, file, key);
  return noise;
};

/** Parses a document of `mocks.yaml` into a mock (any kind). */
export function parseMockDocument(document: unknown): Mock {
  const doc = isObject(document) ? document : {};
  const kind = asString(doc.kind, 'Unknown');
  const name = asString(doc.name);
  const spec = isObject(doc.spec) ? doc.spec : {};
  if (kind !== 'Http') return { kind, name, spec: doc.spec, source: document };
  return {
    kind: 'Http',
    name,
    metadata: readHeaders(spec.metadata),
    request: readRequest(spec.req),
    response: readResponse(spec.resp),
    created: asNumber(spec.created),
    source: document,
  };
}

/**
 * Parses a test case file (`tests/test-M.yaml`).
 *
 * @throws InvalidNoiseError, naming `file`, when a noise value is not a list of RE2 regular expressions.
 */
export function parseTestDocument(document: unknown, file = 'test case'): TestCase {
  const doc = isObject(document) ? document : {};
  const kind = asString(doc.kind, 'Unknown');
  const name = asString(doc.name);
  if (kind !== 'Http' || !isObject(doc.spec)) return { kind, name, source: document };
  const spec = doc.spec;
  const appPort = asNumber(spec.app_port, 0);
  return {
    kind: 'Http',
    name,
    request: readRequest(spec.req),
    response: readResponse(spec.resp),
    noise: readNoise(spec.assertions, file),
    created: asNumber(spec.created),
    curl: asString(doc.curl),
    ...(appPort > 0 ? { appPort } : {}),
    source: document,
  };
}

/** A YAML error as `file: message at line L, column C`. */
const describeYamlError = (file: string, error: YAMLError, lines: LineCounter): string => {
  const { line, col } = lines.linePos(error.pos[0]);
  return `${file}: ${error.message} at line ${line}, column ${col}`;
};

/**
 * Lines that open a document with the `---` marker: a lower bound of the documents in a stream (YAML
 * forbids the marker inside a scalar), found without parsing.
 */
const countDocumentMarkers = (text: string): number => {
  let count = 0;
  for (let at = text.startsWith('---') ? 0 : text.indexOf('\n---'); at !== -1; at = text.indexOf('\n---', at + 1)) {
    const start = at === 0 && text.startsWith('---') ? 0 : at + 1;
    const after = text.charCodeAt(start + 3);
    // `---` then a space, tab, line break or the end; `----` or `---x` is not a marker.
    if (Number.isNaN(after) || after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d) count++;
  }
  return count;
};

/**
 * Parses the text of a multi-document `mocks.yaml`. Throws a readable error on invalid YAML,
 * `UnsafeNameError` for a mock whose name is not a plain file name (`../x`, empty...), and
 * `TooManyDocumentsError` past `maxDocuments` documents (empty ones count: they cost parsing time).
 */
export function parseMocksYaml(text: string, file = 'mocks.yaml', maxDocuments = DEFAULT_MAX_DOCUMENTS): Mock[] {
  const mocks: Mock[] = [];
  const lines = new LineCounter();
  // Refused before parsing when the markers alone are too many: parsing them first would cost the memory
  // the limit is there to save.
  if (countDocumentMarkers(text) > maxDocuments) throw new TooManyDocumentsError(file, maxDocuments);
  let documents = 0;
  // One document at a time: each syntax tree is dropped once converted, which keeps the peak memory of a
  // large file several times lower than building every tree first (parseAllDocuments).
  for (const document of new Composer(yamlReadOptions).compose(new Parser(lines.addNewLine).parse(text), false, text.length)) {
    if (++documents > maxDocuments) throw new TooManyDocumentsError(file, maxDocuments);
    const [error] = document.errors;
    if (error !== undefined) throw new Error(describeYamlError(file, error, lines));
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    const mock = parseMockDocument(value);
    assertSafeName(mock.name, 'mock', file);
    mocks.push(mock);
  }
  return mocks;
}

/** Header maps written with sorted keys, as Keploy (Go) writes them. */
const sortedHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));

const writeRequest = (request: RecordedRequest): Json => ({
  method: request.method,
  proto_major: 1,
  proto_minor: 1,
  url: request.url,
  header: sortedHeaders(request.headers),
  body: request.bodyBytes ?? request.body,
  timestamp: request.timestamp,
});

const writeResponse = (response: RecordedResponse): Json => {
  const resp: Json = {
    status_code: response.status,
    header: sortedHeaders(response.headers),
    body: response.bodyBytes ?? response.body,
    status_message: response.statusMessage,
    proto_major: 0,
    proto_minor: 0,
    timestamp: response.timestamp,
  };
  // Our own field: Keploy ignores unknown keys and reads the whole text from `body`.
  if (response.chunks !== undefined) resp.tta_chunks = response.chunks.map((chunk) => ({ data: chunk.data, delay_ms: chunk.delayMs }));
  return resp;
};

/** The Keploy document of a mock, as written in `mocks.yaml`. */
export function mockToDocument(mock: Mock): unknown {
  if (mock.source !== undefined) return mock.source;
  if (!('request' in mock)) return { version: KEPLOY_VERSION, kind: mock.kind, name: mock.name, spec: mock.spec };
  const http = mock as HttpMock;
  return {
    version: KEPLOY_VERSION,
    kind: 'Http',
    name: http.name,
    spec: {
      metadata: { ...http.metadata },
      req: writeRequest(http.request),
      resp: writeResponse(http.response),
      objects: [],
      created: http.created,
      reqTimestampMock: http.request.timestamp,
      resTimestampMock: http.response.timestamp,
    },
  };
}

/** The Keploy document of a test case, as written in `tests/test-M.yaml`. */
export function testToDocument(test: TestCase): unknown {
  if (test.source !== undefined) return test.source;
  const http = test as HttpTestCase;
  const spec: Json = {
    metadata: {},
    req: writeRequest(http.request),
    resp: writeResponse(http.response),
    objects: [],
    assertions: { noise: Object.fromEntries(Object.entries(http.noise).map(([key, value]) => [key, [...value]])) },
    created: http.created,
  };
  if (http.appPort !== undefined) spec.app_port = http.appPort;
  return { version: KEPLOY_VERSION, kind: http.kind, name: http.name, spec, curl: http.curl };
}

const yamlOptions = { indent: 4, lineWidth: 0, minContentWidth: 0 } as const;

/** Options that read Keploy's YAML: `!!binary` as bytes, and no duplicate-key check (quadratic in keys). */
export const yamlReadOptions: { readonly uniqueKeys: false; readonly customTags: ScalarTag[] } = { uniqueKeys: false, customTags: [binaryTag] };

// A block scalar whose first line starts with a space needs an indentation indicator, and the YAML library
// writes the one for a 2-space indent (`|2`) at any indent: read back, every line gained two spaces.
const needsQuotes = /^\n*[ \t]/;

/**
 * One YAML document as Keploy lays it out (4-space indent, no line folding); what it reads back equals
 * the value written (a multi-line string that starts with blanks is double-quoted, bytes are `!!binary`).
 */
export function toYaml(document: unknown): string {
  const yaml = new Document(document, { customTags: [binaryTag] });
  visit(yaml, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && node.value.includes('\n') && needsQuotes.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return yaml.toString(yamlOptions);
}

/** The text of a multi-document `mocks.yaml`. */
export function stringifyMocks(mocks: readonly Mock[]): string {
  return mocks.map((mock) => toYaml(mockToDocument(mock))).join('---\n');
}
