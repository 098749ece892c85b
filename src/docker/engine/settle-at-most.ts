/**
 * Docker calls fanned out over a pod's containers, a few at a time. A pod chooses how many
 * containers it has (the API server takes thousands), and each docker CLI process holds ~24 MB of
 * the host's memory: made all at once, one pod of 1000 containers would ask for 24 GB.
 */

/** Docker calls one pod's containers have under way at once (deletes share a `docker rm` past eight too). */
export const POD_CALLS_AT_ONCE = 8;

/** Promise.allSettled of `fn` over `items`, in their order, with at most `limit` under way at once. */
export async function settleAtMost<T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R>,
  limit = POD_CALLS_AT_ONCE,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i] as T) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
