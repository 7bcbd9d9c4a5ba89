export { MockPrimitive } from './mock-primitive.js';
export type { MockCall, MockOptions, MockOutcome } from './mock-primitive.js';
export { ManualClock } from './manual-clock.js';
export { failFirst, failWithProbability, withLatency, seededRandom, FaultInjectionPrimitive } from './faults.js';
export type { InjectedError, FailWithProbabilityOptions, LatencyRange, WithLatencyOptions } from './faults.js';
export { InjectedFaultError } from '../errors/injected-fault-error.js';
