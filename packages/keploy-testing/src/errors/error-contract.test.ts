import { describe, expect, it } from 'vitest';
import { isNonRetryableByDefault, type TtaError, type TtaErrorCode } from '@tta/primitives';
import { FileTooLargeError } from './file-too-large-error.js';
import { PathOutsideFolderError } from './path-outside-folder-error.js';
import { RecordedResponseError } from './recorded-response-error.js';
import { RecordingInUseError } from './recording-in-use-error.js';
import { TestSetNotFoundError } from './test-set-not-found-error.js';
import { TooManyDocumentsError } from './too-many-documents-error.js';
import { UnmatchedRequestError } from './unmatched-request-error.js';
import { UnsafeNameError } from './unsafe-name-error.js';
import { UnusedMocksError } from './unused-mocks-error.js';

const cause = new Error('root cause');

describe('keploy-testing errors: code, retryable and the options object', () => {
  it.each([
    ['FileTooLargeError', new FileTooLargeError('mocks.yaml', 10, 5, { cause }), 'FILE_TOO_LARGE', false],
    ['PathOutsideFolderError', new PathOutsideFolderError('test set ".."', '/x', '/tests', { cause }), 'PATH_OUTSIDE_FOLDER', false],
    ['RecordedResponseError (503)', new RecordedResponseError(503, 'busy', 'mock-1', { cause }), 'RECORDED_RESPONSE_ERROR', true],
    ['RecordedResponseError (404)', new RecordedResponseError(404, 'missing', 'mock-2', { cause }), 'RECORDED_RESPONSE_ERROR', false],
    ['RecordingInUseError', new RecordingInUseError('set-1', { cause }), 'RECORDING_IN_USE', false],
    ['TestSetNotFoundError', new TestSetNotFoundError('set-9', 'keploy', ['set-1'], { cause }), 'TEST_SET_NOT_FOUND', false],
    ['TooManyDocumentsError', new TooManyDocumentsError('mocks.yaml', 10, { cause }), 'TOO_MANY_DOCUMENTS', false],
    ['UnmatchedRequestError', new UnmatchedRequestError('GET', 'https://api.test/x', 'set-1', '', { cause }), 'UNMATCHED_REQUEST', false],
    ['UnsafeNameError', new UnsafeNameError('test case', '..', 'a dot name', undefined, { cause }), 'UNSAFE_NAME', false],
    ['UnusedMocksError', new UnusedMocksError('set-1', ['mock-3'], { cause }), 'UNUSED_MOCKS', false],
  ] as const)('%s', (_, error: TtaError<TtaErrorCode>, code, retryable) => {
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(isNonRetryableByDefault(error)).toBe(!retryable);
    expect(error.cause).toBe(cause);
  });

  it('keeps the messages', () => {
    expect(new TestSetNotFoundError('set-9', 'keploy', ['set-1']).message).toBe('Test set "set-9" not found in keploy (available: set-1)');
    expect(new RecordingInUseError('set-1').message).toBe('A recording session for test set "set-1" is still active; stop() it before starting another');
  });
});
