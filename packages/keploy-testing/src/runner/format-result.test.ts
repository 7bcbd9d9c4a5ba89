import { describe, expect, it } from 'vitest';
import { formatTestSetResult } from './format-result.js';
import type { TestSetResult } from './run-test-set.js';

const result: TestSetResult = {
  testSet: 'test-set-0',
  passed: 1,
  failed: 1,
  skipped: 0,
  total: 2,
  ok: false,
  unusedMocks: [],
  unreplayedMocks: {},
  results: [
    { name: 'test-1', method: 'GET', url: 'http://127.0.0.1:3000/a?x=1', status: 'passed', durationMs: 3.2, differences: [] },
    {
      name: 'test-2',
      method: 'POST',
      url: 'http://127.0.0.1:3000/b',
      status: 'failed',
      durationMs: 5,
      differences: [
        { field: 'status', expected: '200', actual: '500' },
        { field: 'body', expected: 'line one\nline two', actual: 'line one\nline 2' },
      ],
    },
  ],
};

describe('formatTestSetResult', () => {
  it('prints one line per test case, a diff under a failure and the counts', () => {
    expect(formatTestSetResult(result)).toBe(
      [
        'test-set-0',
        '  ✓ test-1  GET /a?x=1  (3 ms)',
        '  ✗ test-2  POST /b  (5 ms)',
        '      status',
        '        - expected: 200',
        '        + actual:   500',
        '      body',
        '          line one',
        '        - line two',
        '        + line 2',
        '  1 passed, 1 failed, 2 total',
      ].join('\n'),
    );
  });

  it('adds ANSI colours only when asked', () => {
    expect(formatTestSetResult(result, { color: true })).toContain('\u001b[31m');
    expect(formatTestSetResult(result)).not.toContain('\u001b[');
  });
});
