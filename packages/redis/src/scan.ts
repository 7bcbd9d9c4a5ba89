import type { Redis } from 'ioredis';
import { isClusterClient, type RedisClient } from './connection.js';

/**
 * @internal Every key matching `pattern`, found with SCAN (never KEYS: it blocks the server). On a
 * cluster SCAN sees one node's keys only, so every master is scanned.
 */
export async function scanKeys(client: RedisClient, pattern: string, count = 500): Promise<string[]> {
  const keys: string[] = [];
  for (const node of scanTargets(client)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys;
}

/** @internal Deletes every key matching `pattern` (UNLINK: freed in the background); returns how many. */
export async function deleteByPattern(client: RedisClient, pattern: string): Promise<number> {
  let deleted = 0;
  const cluster = isClusterClient(client);
  for (const node of scanTargets(client)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (batch.length === 0) continue;
      // One UNLINK may name keys of one slot only on a cluster: a pipeline of single-key UNLINKs
      // still costs one round trip per batch.
      if (!cluster) deleted += await node.unlink(...batch);
      else deleted += (await Promise.all(batch.map((key) => client.unlink(key)))).reduce((sum, count) => sum + count, 0);
    } while (cursor !== '0');
  }
  return deleted;
}

function scanTargets(client: RedisClient): Redis[] {
  return isClusterClient(client) ? client.nodes('master') : [client];
}
