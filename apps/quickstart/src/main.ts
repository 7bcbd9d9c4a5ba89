// Quick start: the core package alone, nothing else installed. Every model here is simulated,
// offline and deterministic; each answer says so.
import { WorkflowContext, cache, fallback, metrics, parallel, retry, step, timeout } from '@tta/primitives';
import { sleep } from '@tta/primitives/instrumentation';

// 1. Compose: `.pipe` runs steps in sequence (Python's `>>`), `parallel` fans out (Python's `|`).
const normalise = step('normalise', (question: string) => question.trim().replace(/\s+/g, ' '));
const keywords = step('keywords', (question: string) => question.toLowerCase().split(' ').filter((word) => word.length > 3));
const length = step('length', (question: string) => question.length);
const summary = step('summary', ([words, size]: [string[], number]) => `[simulated] ${words.length} keywords in ${size} characters: ${words.join(', ')}`);

const analyse = normalise.pipe(parallel(keywords, length)).pipe(summary);

const context = WorkflowContext.create({ data: { user: 'quickstart' } });
console.log('1. pipe + parallel');
console.log(`   ${await analyse.execute(context, '  What makes   composable primitives reliable?  ')}`);

// 2. Resilience around a model call. Three simulated models:
//    - `primary` fails its first two calls (a flaky API), then answers after 20 ms;
//    - `hanging` never answers in time (a stuck connection);
//    - `backup` is a smaller model that always answers.
let primaryCalls = 0;
const primary = step('primary-model', async (prompt: string, run) => {
  primaryCalls++;
  await sleep(20, run.signal, run.clock);
  if (primaryCalls <= 2) throw Object.assign(new Error(`[simulated] primary-model: HTTP 503 on call ${primaryCalls}`), { status: 503 });
  return `[simulated] primary-model: answer to "${prompt}"`;
});
const hanging = step('hanging-model', async (prompt: string, run) => {
  await sleep(5_000, run.signal, run.clock);
  return `[simulated] hanging-model: answer to "${prompt}"`;
});
const backup = step('backup-model', async (prompt: string, run) => {
  await sleep(5, run.signal, run.clock);
  return `[simulated] backup-model: short answer to "${prompt}"`;
});

// The recommended order (root README), from the outside in: cache -> timeout (total) -> retry -> model
// (step 4 adds fallback -> timeout per call). A cache hit starts no timer; the total timeout bounds
// every attempt.
const retried = retry(primary, { name: 'primary-retry', maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 50, jitter: 'none' });
retried.onRetry((event) => console.log(`   retry: attempt ${event.attempt} failed (${errorMessage(event.error)}), waiting ${event.delayMs} ms`));
const answer = cache(timeout(retried, { name: 'answer-timeout', timeoutMs: 1_000 }), { name: 'answer-cache', ttlMs: 60_000, maxEntries: 100 });

console.log('2. retry: the primary model fails twice, the third attempt answers');
console.log(`   ${await answer.execute(context, 'Why retry with backoff?')}`);

console.log('3. cache: the same question again is answered from the cache (outermost: a hit calls nothing inside it)');
console.log(`   ${await answer.execute(context, 'Why retry with backoff?')}`);
const stats = answer.stats();
console.log(`   cache: ${stats.hits} hit(s), ${stats.misses} miss(es), hit ratio ${stats.hitRatio.toFixed(2)}; primary model called ${primaryCalls} times`);

console.log('4. timeout + fallback: the hanging model is cut off after 100 ms, the backup answers');
const guarded = fallback(timeout(hanging, { name: 'hanging-timeout', timeoutMs: 100 }), [backup], { name: 'hanging-fallback' });
guarded.onFallback((event) => console.log(`   fallback: ${errorMessage(event.error)} -> ${event.fallback}`));
console.log(`   ${await guarded.execute(context, 'Is the model stuck?')}`);

// 5. Built-in metrics: on by default, no dependency, read as a plain object.
console.log('5. metrics.snapshot()');
const snapshot = metrics.snapshot();
console.log(`   ${'primitive'.padEnd(18)} ${'kind'.padEnd(10)} ${'count'.padStart(5)} ${'failed'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}`);
for (const [name, entry] of Object.entries(snapshot)) {
  console.log(`   ${name.padEnd(18)} ${entry.kind.padEnd(10)} ${String(entry.count).padStart(5)} ${String(entry.failures).padStart(6)} ${entry.p50Ms.toFixed(1).padStart(8)} ${entry.p95Ms.toFixed(1).padStart(8)}`);
}
console.log(`   (${Object.keys(snapshot).length} primitives measured; the full snapshot is JSON: JSON.stringify(metrics.snapshot()))`);

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
