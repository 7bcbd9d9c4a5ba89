// Declarations the TSDoc examples of @tta/keploy-testing assume (see scripts/tsdoc-preludes/primitives.ts).
declare const test: HttpTestCase;
declare function createApp(options: { readonly clock: Clock }): unknown;
declare const baseUrl: string;
