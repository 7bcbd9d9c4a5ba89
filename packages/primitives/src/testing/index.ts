export { MockPrimitive } from './mock-primitive.js';
export type { MockCall, MockOptions, MockOutcome } from './mock-primitive.js';
export { ManualClock } from './manual-clock.js';
