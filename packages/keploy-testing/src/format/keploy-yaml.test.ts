import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { HttpMock } from '../model.js';
import { parseMocksYaml, stringifyMocks } from './keploy-yaml.js';
import { toCurl } from './curl.js';
import { TooManyDocumentsError } from '../errors/too-many-documents-error.js';
import { UnsafeNameError } from '../errors/unsafe-name-error.js';

const mock: HttpMock = {
  kind: 'Http',
  name: 'mock-0',
  metadata: { name: 'Http', operation: 'POST', type: 'HTTP_CLIENT' },
  created: 1722460404,
  request: { method: 'POST', url: '/v1/chat', headers: { 'Content-Type': 'application/json', Accept: '*/*' }, body: '{"q":"it\'s"}', timestamp: '2024-07-31T21:13:24.989187418Z' },
  response: {
    status: 200,
    statusMessage: 'OK',
    headers: { 'Content-Type': 'text/event-stream', 'Content-Length': '18' },
    body: 'data: a\n\ndata: b\n\n',
    chunks: [{ data: 'data: a\n\n', delayMs: 0 }, { data: 'data: b\n\n', delayMs: 12 }],
    timestamp: '2024-07-31T21:13:25Z',
  },
};

describe('Keploy YAML', () => {
  it("writes mocks in Keploy's schema, multi-document, with the chunk list under tta_chunks", () => {
    const text = stringifyMocks([mock, { ...mock, name: 'mock-1' }]);
    const documents = text.split(/^---$/m);
    expect(documents).toHaveLength(2);
    const document = parse(documents[0]!) as Record<string, any>;
    expect(document).toMatchObject({ version: 'api.keploy.io/v1beta1', kind: 'Http', name: 'mock-0' });
    expect(Object.keys(document.spec)).toEqual(['metadata', 'req', 'resp', 'objects', 'created', 'reqTimestampMock', 'resTimestampMock']);
    expect(Object.keys(document.spec.req)).toEqual(['method', 'proto_major', 'proto_minor', 'url', 'header', 'body', 'timestamp']);
    expect(Object.keys(document.spec.resp)).toEqual(['status_code', 'header', 'body', 'status_message', 'proto_major', 'proto_minor', 'timestamp', 'tta_chunks']);
    expect(Object.keys(document.spec.req.header)).toEqual(['Accept', 'Content-Type']);
    expect(document.spec.resp.header['Content-Length']).toBe('18');
    expect(document.spec.resp.tta_chunks).toEqual([{ data: 'data: a\n\n', delay_ms: 0 }, { data: 'data: b\n\n', delay_ms: 12 }]);
    expect(text).toContain('\n    req:\n        method: POST\n');
  });

  it('reads back what it writes', () => {
    const [read] = parseMocksYaml(stringifyMocks([mock]));
    const { source: _source, ...rest } = read as HttpMock;
    expect(rest).toEqual(mock);
  });

  it("reads newer Keploy's streamed bodies written as a list of frames", () => {
    const text = `version: api.keploy.io/v1beta1
kind: Http
name: mock-0
spec:
    metadata: {}
    req: { method: GET, url: /events, header: {}, body: "" }
    resp:
        status_code: 200
        header: { Content-Type: text/event-stream }
        body:
            - ts: "2024-01-01T00:00:01Z"
              data: { event: message, data: '{"id":1}' }
            - data: { data: '{"id":2}' }
`;
    const [read] = parseMocksYaml(text) as HttpMock[];
    expect(read!.response.chunks?.map((chunk) => chunk.data)).toEqual(['event: message\ndata: {"id":1}\n\n', 'data: {"id":2}\n\n']);
    expect(read!.response.body).toBe('event: message\ndata: {"id":1}\n\ndata: {"id":2}\n\n');
  });

  it('throws a readable error on invalid YAML', () => {
    expect(() => parseMocksYaml('kind: [unclosed', 'x/mocks.yaml')).toThrow(/x\/mocks.yaml/);
  });

  it('writes curl commands as Keploy does, quoting single quotes', () => {
    expect(toCurl(mock.request)).toBe(
      "curl --request POST \\\n  --url '/v1/chat' \\\n  --header 'Content-Type: application/json' \\\n  --header 'Accept: */*' \\\n  --data '{\"q\":\"it'\\''s\"}'",
    );
  });
});

describe('parseMocksYaml and names', () => {
  it('rejects a mock whose name reaches outside its folder with UnsafeNameError naming the file', () => {
    const text = stringifyMocks([mock, { ...mock, name: '../../evil', source: undefined }]);
    expect(() => parseMocksYaml(text, 'keploy/test-set-0/mocks.yaml')).toThrow(UnsafeNameError);
    expect(() => parseMocksYaml(text, 'keploy/test-set-0/mocks.yaml')).toThrow('keploy/test-set-0/mocks.yaml: mock name "../../evil"');
  });

  it('still reports invalid YAML with the file, line and column', () => {
    expect(() => parseMocksYaml('kind: Http\nname: mock-0\n---\nkind: [unclosed\n', 'mocks.yaml')).toThrow(/^mocks\.yaml: .* at line \d+, column \d+$/);
  });

  it('reads every document of a stream in order, skipping empty ones', () => {
    const text = `${stringifyMocks([mock, { ...mock, name: 'mock-1' }])}---\n`;
    expect(parseMocksYaml(text).map((item) => item.name)).toEqual(['mock-0', 'mock-1']);
  });
});

describe('parseMocksYaml and maxDocuments', () => {
  const tiny = (count: number): string => Array.from({ length: count }, (_, index) => `kind: Generic\nname: mock-${index}\n`).join('---\n');

  it('reads a stream of exactly maxDocuments documents', () => {
    expect(parseMocksYaml(tiny(3), 'mocks.yaml', 3)).toHaveLength(3);
  });

  it('refuses a stream with more document markers than maxDocuments before parsing, naming the file and the limit', () => {
    const error = (() => {
      try {
        parseMocksYaml(`---\n${tiny(3)}`, 'keploy/test-set-0/mocks.yaml', 2);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(TooManyDocumentsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TOO_MANY_DOCUMENTS', file: 'keploy/test-set-0/mocks.yaml', limit: 2, retryable: false });
    expect((error as Error).message).toContain('raise the limit with the maxDocuments option (--max-documents for tta-keploy)');
  });

  it('counts empty documents too, which cost parsing time', () => {
    expect(() => parseMocksYaml(`${tiny(1)}---\n---\n---\n`, 'mocks.yaml', 2)).toThrow(TooManyDocumentsError);
  });

  it('does not count "---" inside a body as a document', () => {
    const text = `kind: Generic\nname: mock-0\nspec:\n    body: "a\\n---\\nb"\n    note: |\n        ---\n        ----\n`;
    expect(() => parseMocksYaml(text, 'mocks.yaml', 1)).not.toThrow();
  });
});
