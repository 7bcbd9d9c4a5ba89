// A separate Node process that races other processes on one RedisAgentMemory, as services sharing
// a server would: `node memory-racer.mjs '<json config>'`. It imports the built @tta/redis (dist).
// Prints one JSON line when done: {"done":n,"errors":[...]} (at most 5 errors, then it stops).
import process from 'node:process';
import { setTimeout as delay } from 'node:timers/promises';
import { RedisAgentMemory } from '@tta/redis';

const config = JSON.parse(process.argv[2] ?? '{}');
const memory = new RedisAgentMemory({
  connection: { port: config.port, commandTimeoutMs: 3_000 },
  prefix: config.prefix,
  maxEntries: config.maxEntries,
});
const errors = [];
let done = 0;
for (let round = 0; round < config.rounds && errors.length < 5; round++) {
  try {
    if (config.role === 'clear') {
      // A pause between clears lets more than maxEntries stores land in between, so they evict.
      await delay(config.pauseMs ?? 0);
      await memory.clear();
    } else {
      // Many tags per entry: many index keys, so a clear that deletes key by key takes several round trips.
      const tags = Array.from({ length: config.tagsPerEntry }, (_, tag) => `${config.name}-${round}-${tag}`);
      await memory.store({ id: `${config.name}-${round}`, agentId: config.name, content: round, tags });
    }
    done++;
  } catch (error) {
    errors.push(`${error?.name}: ${error?.message}`);
  }
}
process.stdout.write(`${JSON.stringify({ done, errors })}\n`);
await memory.close();
