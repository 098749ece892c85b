/**
 * The bench's side-by-side comparisons run the plugin and the CLI in alternating parts (A B B A)
 * and merge each side's parts: a drift of the machine must fall on both sides alike.
 */
import { describe, expect, it } from 'vitest';
import { alternate, closedLoop, type LoadResult, mergeLoads, splitEvenly } from '../../scripts/bench/load.ts';
import { summarize } from '../../scripts/bench/stats.ts';

describe('the bench’s alternating comparisons', () => {
  it('runs the sides A B B A A B …, each part once', async () => {
    const order: string[] = [];
    const out = await alternate(3, async (side, k) => {
      order.push(`${side}${k}`);
      return k;
    });
    expect(order).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'b2']);
    expect(out).toEqual({ a: [0, 1, 2], b: [0, 1, 2] });
  });

  it('gives a linear drift the same mean on both sides over two pairs', async () => {
    let t = 0;
    const out = await alternate(2, async () => t++);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(out.a)).toBe(mean(out.b));
  });

  it('splits a count into near-equal parts that add up to it', () => {
    expect(splitEvenly(50, 4)).toEqual([13, 13, 12, 12]);
    expect(splitEvenly(7, 1)).toEqual([7]);
    expect(splitEvenly(3, 4)).toEqual([1, 1, 1, 0]);
  });

  it('merges parts into one load: every sample, every request, the time of all parts', () => {
    const part = (samplesMs: number[], elapsedMs: number): LoadResult => ({
      concurrency: 2,
      requests: samplesMs.length,
      errors: 0,
      elapsedMs,
      perSecond: samplesMs.length / (elapsedMs / 1000),
      latencyMs: summarize(samplesMs),
      samplesMs,
    });
    const merged = mergeLoads([part([1, 2, 3], 100), part([40, 50], 400)]);
    expect(merged.requests).toBe(5);
    expect(merged.latencyMs).toMatchObject({ count: 5, min: 1, p50: 3, max: 50 });
    expect(merged.elapsedMs).toBe(500);
    expect(merged.perSecond).toBe(10);
    expect(merged).not.toHaveProperty('samplesMs');
  });

  it('keeps each latency of a closed loop only when asked', async () => {
    const op = async () => {};
    expect(
      (await closedLoop({ concurrency: 2, maxRequests: 4, op, keepSamples: true })).samplesMs,
    ).toHaveLength(4);
    expect(await closedLoop({ concurrency: 2, maxRequests: 4, op })).not.toHaveProperty('samplesMs');
  });
});
