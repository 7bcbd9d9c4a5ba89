// A child process for the crash tests: runs (or resumes) one durable run on a FileRunStore, with
// steps that count their side effects in a file and may SIGKILL the process right after one.
// It imports the built package (dist). Usage: node crash-worker.mjs <dir> <runId> <workflow: sequence|parallel|approval> <action: start|resume> [crashAfter] [value]
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { ParallelPrimitive, SequentialPrimitive, step } from '@tta/primitives';
import { FileRunStore, RunLockedError, durable, waitFor } from '@tta/durable';

const [dir, runId, shape, action, crashAfter = '', value] = process.argv.slice(2);
const effects = join(dir, 'effects.log');

/** A step whose side effect is a line in the effects file; the process dies right after it when asked. */
const effect = (name, delayMs = 0) =>
  step(name, async (input, context) => {
    if (delayMs > 0) await sleep(delayMs);
    appendFileSync(effects, `${name} ${context.idempotencyKey}\n`);
    if (name === crashAfter) process.kill(process.pid, 'SIGKILL');
    return input + 1;
  });

const workflows = {
  sequence: new SequentialPrimitive([effect('a'), effect('b'), effect('c')], { name: 'order' }),
  // `slow` is still running when `crash` kills the process: both `fast` branches have been journaled.
  parallel: new ParallelPrimitive([effect('fast-1'), effect('fast-2'), effect('crash', 50), effect('slow', 400)], { name: 'fan' }),
  approval: new SequentialPrimitive([effect('quote'), waitFor('approval', { schema: { '~standard': { version: 1, vendor: 'test', validate: (v) => (typeof v === 'boolean' ? { value: v } : { issues: [{ message: 'must be a boolean' }] }) } } }), effect('pay')], { name: 'refund' }),
};

const flow = durable(workflows[shape], { name: shape, store: new FileRunStore({ dir: join(dir, 'runs') }), leaseMs: 300 });

async function main() {
  for (;;) {
    try {
      const outcome = action === 'start' ? await flow.start(1, { runId }) : await flow.resume(runId, value === undefined ? {} : { value: JSON.parse(value) });
      process.stdout.write(JSON.stringify(outcome));
      return;
    } catch (error) {
      // The dead process's lease is taken over once it expires.
      if (RunLockedError.isInstance(error)) {
        await sleep(50);
        continue;
      }
      process.stdout.write(JSON.stringify({ error: error.name, code: error.code, message: error.message }));
      return;
    }
  }
}
await main();
