import { InvalidOptionsError, WorkflowContext, retry } from '@tta/primitives';
import { describe, expect, it } from 'vitest';
import { RecordedResponseError } from './errors/recorded-response-error.js';
import { mockPrimitiveFromRecordings } from './mock-primitive-from-recordings.js';
import type { HttpMock, Mock } from './model.js';

const recording = (name: string, url: string, status: number, body: string): HttpMock => ({
  kind: 'Http',
  name,
  metadata: {},
  created: 0,
  request: { method: 'POST', url, headers: {}, body: '', timestamp: '' },
  response: { status, statusMessage: '', headers: {}, body, timestamp: '' },
});

const mocks: Mock[] = [
  recording('mock-0', '/v1/chat', 503, 'busy'),
  recording('mock-1', '/v1/chat', 200, '{"answer":"42"}'),
  recording('mock-2', '/v1/other', 200, 'plain text'),
  { kind: 'Mongo', name: 'mock-3', spec: {} },
];

describe('mockPrimitiveFromRecordings', () => {
  it('answers calls with the recorded responses in order, errors for failed statuses', async () => {
    const llm = mockPrimitiveFromRecordings<string, { answer: string }>(mocks, { filter: (mock) => mock.request.url === '/v1/chat', name: 'llm' });
    const context = new WorkflowContext();
    const error = await llm.execute(context, 'q').catch((caught: unknown) => caught);
    expect(RecordedResponseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 503, body: 'busy', retryable: true });
    expect(await llm.execute(context, 'q')).toEqual({ answer: '42' });
    expect(await llm.execute(context, 'q')).toEqual({ answer: '42' });
    llm.assertCalledTimes(3);
  });

  it('fits a workflow: retry recovers from the recorded failure', async () => {
    const llm = mockPrimitiveFromRecordings<string, unknown>(mocks, { filter: (mock) => mock.request.url === '/v1/chat' });
    const workflow = retry(llm, { maxAttempts: 2, initialDelayMs: 0, jitter: 'none' });
    expect(await workflow.execute(new WorkflowContext(), 'q')).toEqual({ answer: '42' });
  });

  it('maps responses with `output` and keeps non-JSON bodies as text', async () => {
    const text = mockPrimitiveFromRecordings(mocks, { filter: (mock) => mock.name === 'mock-2' });
    expect(await text.execute(new WorkflowContext(), undefined)).toBe('plain text');
    const status = mockPrimitiveFromRecordings(mocks, { output: (response) => response.status, isError: () => false });
    expect(await status.execute(new WorkflowContext(), undefined)).toBe(503);
  });

  it('refuses a selection without HTTP recordings', () => {
    expect(() => mockPrimitiveFromRecordings([{ kind: 'Mongo', name: 'm', spec: {} }])).toThrow(InvalidOptionsError);
  });
});
