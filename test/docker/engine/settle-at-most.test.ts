import { expect, it } from 'vitest';
import { settleAtMost } from '../../../src/docker/engine/settle-at-most.ts';

it('settles every item in order, with no more than the limit under way at once', async () => {
  let running = 0;
  let peak = 0;
  const results = await settleAtMost(
    Array.from({ length: 20 }, (_, i) => i),
    async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
      if (i % 5 === 0) throw new Error(`no ${i}`);
      return i * 2;
    },
    3,
  );
  expect(peak).toBe(3);
  expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(
    Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? `no ${i}` : i * 2)),
  );
});
