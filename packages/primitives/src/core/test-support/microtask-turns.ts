/**
 * Microtask turns until `promise` settles (either way), counted up to `limit`. Tests compare two
 * ways of running the same call (metered and unmetered) to prove one adds no promise hop.
 */
export async function turnsToSettle(promise: Promise<unknown>, limit = 50): Promise<number> {
  let settled = false;
  const done = (): void => {
    settled = true;
  };
  // One reaction, like the `.then` a caller would attach.
  promise.then(done, done);
  let turns = 0;
  while (!settled && turns < limit) {
    await Promise.resolve();
    turns++;
  }
  return turns;
}
