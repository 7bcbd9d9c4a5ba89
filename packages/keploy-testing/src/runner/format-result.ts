import type { Difference } from './compare-response.js';
import type { TestSetResult } from './run-test-set.js';
import { lineDiff } from './text-diff.js';

/** Options of {@link formatTestSetResult}. */
export interface FormatOptions {
  /**
   * Colour the output with ANSI codes.
   * @default false
   */
  readonly color?: boolean;
}

const paint = (color: boolean, code: number, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

const prettyJson = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

const formatDifference = (difference: Difference, color: boolean): string[] => {
  const lines = [`      ${difference.field}`];
  if (difference.field === 'body' && difference.expected !== undefined && difference.actual !== undefined) {
    for (const line of lineDiff(prettyJson(difference.expected), prettyJson(difference.actual))) {
      lines.push(`        ${line.startsWith('-') ? paint(color, 31, line) : line.startsWith('+') ? paint(color, 32, line) : line}`);
    }
    return lines;
  }
  lines.push(`        ${paint(color, 31, `- expected: ${difference.expected ?? '(absent)'}`)}`);
  lines.push(`        ${paint(color, 32, `+ actual:   ${difference.actual ?? '(absent)'}`)}`);
  return lines;
};

/** A test set's outcome as readable text: one line per test case, a diff under each failure, then the counts. */
export function formatTestSetResult(result: TestSetResult, options: FormatOptions = {}): string {
  const color = options.color ?? false;
  const lines = [paint(color, 1, result.testSet)];
  for (const test of result.results) {
    const target = test.method === '' ? '' : `  ${test.method} ${new URL(test.url).pathname}${new URL(test.url).search}`;
    if (test.status === 'skipped') {
      lines.push(`  ${paint(color, 33, '-')} ${test.name}  skipped (not an HTTP test case)`);
      continue;
    }
    const mark = test.status === 'passed' ? paint(color, 32, '✓') : paint(color, 31, '✗');
    lines.push(`  ${mark} ${test.name}${target}  (${Math.round(test.durationMs)} ms)`);
    if (test.error !== undefined) lines.push(`      ${paint(color, 31, `request failed: ${test.error}`)}`);
    for (const difference of test.differences) lines.push(...formatDifference(difference, color));
  }
  if (result.unusedMocks.length > 0) lines.push(`  unused mocks: ${result.unusedMocks.join(', ')}`);
  const unreplayed = Object.entries(result.unreplayedMocks);
  if (unreplayed.length > 0) {
    const count = unreplayed.reduce((sum, [, number]) => sum + number, 0);
    const kinds = unreplayed.map(([kind, number]) => `${kind}: ${number}`).join(', ');
    const verdict = result.ok || result.failed > 0 ? 'only HTTP mocks are replayed' : 'failing the set (--strict-mocks)';
    lines.push(`  ${paint(color, 33, `${count} mock(s) present and not replayed (${kinds}): ${verdict}`)}`);
  }
  const counts = [`${result.passed} passed`, `${result.failed} failed`];
  if (result.skipped > 0) counts.push(`${result.skipped} skipped`);
  lines.push(`  ${paint(color, result.ok ? 32 : 31, `${counts.join(', ')}, ${result.total} total`)}`);
  return lines.join('\n');
}
