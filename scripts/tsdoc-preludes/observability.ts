// Declarations the TSDoc examples of @tta/observability assume (see scripts/tsdoc-preludes/primitives.ts).
declare const context: WorkflowContext;
declare const workflow: WorkflowPrimitive<string, string>;
