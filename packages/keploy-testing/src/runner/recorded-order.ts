import { isHttpTestCase, type TestCase } from '../model.js';

/** Epoch ms and the nanoseconds below them of an RFC 3339 time (Go writes up to 9 fraction digits). */
const instant = (timestamp: string): [number, number] | undefined => {
  const fraction = /\.(\d+)/.exec(timestamp)?.[1] ?? '';
  const ms = Date.parse(timestamp);
  if (!Number.isFinite(ms)) return undefined;
  return [ms, Number(fraction.slice(3, 9).padEnd(6, '0'))];
};

/**
 * Test cases in the order their requests were recorded, as Keploy replays them (a stable sort on the
 * request timestamp; cases without a readable one keep their place after those with one). File names
 * usually give the same order; timestamps decide when they do not (a set merged from two recordings).
 */
export function inRecordedOrder(tests: readonly TestCase[]): TestCase[] {
  const keyed = tests.map((test, index) => ({ test, index, at: isHttpTestCase(test) ? instant(test.request.timestamp) : undefined }));
  keyed.sort((left, right) => {
    if (left.at === undefined || right.at === undefined) return left.at === right.at ? left.index - right.index : left.at === undefined ? 1 : -1;
    return left.at[0] - right.at[0] || left.at[1] - right.at[1] || left.index - right.index;
  });
  return keyed.map((entry) => entry.test);
}
