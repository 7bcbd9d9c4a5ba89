import type { Redis } from 'ioredis';

/** @internal Every key matching `pattern`, found with SCAN (never KEYS: it blocks the server). */
export async function scanKeys(client: Redis, pattern: string, count = 500): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** @internal Deletes every key matching `pattern` (UNLINK: freed in the background); returns how many. */
export async function deleteByPattern(client: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (batch.length > 0) deleted += await client.unlink(...batch);
  } while (cursor !== '0');
  return deleted;
}
