// @tta/devtools: a local page that draws every workflow and shows its runs while they happen.
export { startDevtools } from './start-devtools.js';
export type { DevtoolsOptions, DevtoolsServer, DevtoolsWorkflow, DurableWorkflowLike, DurableRunSummaryLike } from './devtools-options.js';
export { DevtoolsServerError } from './devtools-server-error.js';
