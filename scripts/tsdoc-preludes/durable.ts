// Declarations the TSDoc examples of @tta/durable assume (see scripts/tsdoc-preludes/primitives.ts).
declare const runId: string;
declare const owner: string;
declare const token: string;
declare const leaseMs: number;
declare const header: RunHeader;
declare const record: StepRecord;
declare const update: RunStatusUpdate;
declare const query: RunQuery;
declare const options: { readonly retentionMs?: number };
