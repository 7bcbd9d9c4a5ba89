// Behaviour suite for RunStore implementations (vitest required). A store passes when its suite is green.
export { describeRunStoreContract } from './run-store-suite.js';
export type { RunStoreContractSetup } from './run-store-suite.js';
export { describeDurableEngineContract } from './durable-engine-suite.js';
