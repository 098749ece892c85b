/**
 * The usage metrics are read from the cgroups in the background, at most once per interval and
 * only while someone scrapes; a scrape writes out the prepared lines, without pods deleted since.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { UsageSample } from '../../src/docker/cgroups/pod-usage.ts';
import { type DeflatedPart, gzipMember } from '../../src/metrics/gzip-member.ts';
import { UsageMetrics } from '../../src/metrics/usage-metrics.ts';
import { metricValue, parseMetrics, samples } from '../helpers/prometheus-text.ts';

function sample(uid: string, cpuSeconds: number, extra: Partial<UsageSample> = {}): UsageSample {
  return { uid, namespace: 'ns', pod: `pod-${uid}`, container: 'app', cpuSeconds, rssBytes: 7, ...extra };
}

/** A usage source whose readings the test hands out, one per read. */
function source(initial: UsageSample[]) {
  let next = initial;
  let reads = 0;
  let release: (() => void) | undefined;
  let gated = false;
  return {
    set(s: UsageSample[]) {
      next = s;
    },
    get reads() {
      return reads;
    },
    /** Holds the next read until `open()`. */
    gate() {
      gated = true;
    },
    open() {
      gated = false;
      release?.();
    },
    read: async () => {
      reads++;
      if (gated) await new Promise<void>((r) => (release = r));
      return next;
    },
  };
}

describe('usage metrics prepared in the background', () => {
  it('deflates the text it serves once per text, and again when a pod goes', async () => {
    let live = new Set(['a', 'b']);
    const src = source([sample('a', 1.5), sample('b', 2)]);
    const usage = new UsageMetrics({ read: src.read, live: (uid) => live.has(uid), now: () => 0 });
    const first = await usage.deflated();
    const unzip = (part: DeflatedPart) => gunzipSync(Buffer.concat(gzipMember([part]))).toString();
    expect(unzip(first)).toBe(await usage.text());
    expect(await usage.deflated()).toBe(first);
    live = new Set(['a']);
    const after = await usage.deflated();
    expect(after).not.toBe(first);
    expect(unzip(after)).toBe(await usage.text());
    expect(samples(parseMetrics(unzip(after)), 'container_cpu_usage_seconds_total')).toHaveLength(1);
  });

  it('waits for the first reading, then serves it without reading again within the interval', async () => {
    let now = 1_000;
    const src = source([sample('a', 1.5)]);
    const usage = new UsageMetrics({ read: src.read, live: () => true, intervalMs: 10_000, now: () => now });
    const first = parseMetrics(await usage.text());
    expect(metricValue(first, 'container_cpu_usage_seconds_total', { pod: 'pod-a', container: 'app' })).toBe(
      1.5,
    );
    src.set([sample('a', 2.5)]);
    now += 9_000;
    for (let i = 0; i < 5; i++) await usage.text();
    expect(src.reads).toBe(1);
    expect(metricValue(parseMetrics(await usage.text()), 'container_cpu_usage_seconds_total')).toBe(1.5);
  });

  it('after the interval serves the last reading while the next is taken, then the next', async () => {
    let now = 0;
    const src = source([sample('a', 1)]);
    const usage = new UsageMetrics({ read: src.read, live: () => true, intervalMs: 10_000, now: () => now });
    await usage.text();
    src.set([sample('a', 2)]);
    src.gate();
    now = 10_000;
    // The reading runs: scrapes meanwhile get the old one at once, and start no other.
    expect(metricValue(parseMetrics(await usage.text()), 'container_cpu_usage_seconds_total')).toBe(1);
    expect(metricValue(parseMetrics(await usage.text()), 'container_cpu_usage_seconds_total')).toBe(1);
    expect(src.reads).toBe(2);
    src.open();
    await expect
      .poll(async () => metricValue(parseMetrics(await usage.text()), 'container_cpu_usage_seconds_total'))
      .toBe(2);
    expect(src.reads).toBe(2);
  });

  it('waits for a fresh reading after a long quiet', async () => {
    let now = 0;
    const src = source([sample('a', 1)]);
    const usage = new UsageMetrics({
      read: src.read,
      live: () => true,
      intervalMs: 10_000,
      staleMs: 60_000,
      now: () => now,
    });
    await usage.text();
    src.set([sample('a', 3)]);
    now = 61_000;
    expect(metricValue(parseMetrics(await usage.text()), 'container_cpu_usage_seconds_total')).toBe(3);
  });

  it('leaves out a pod deleted since the reading, and keeps every family', async () => {
    const live = new Set(['a', 'b']);
    const src = source([sample('a', 1), sample('b', 2, { container: '' })]);
    const usage = new UsageMetrics({ read: src.read, live: (uid) => live.has(uid) });
    expect(samples(parseMetrics(await usage.text()), 'container_memory_rss')).toHaveLength(2);
    live.delete('b');
    const m = parseMetrics(await usage.text());
    expect(samples(m, 'container_memory_rss').map((s) => s.labels?.pod)).toEqual(['pod-a']);
    live.clear();
    const none = parseMetrics(await usage.text());
    for (const name of ['container_cpu_usage_seconds_total', 'container_oom_events_total'])
      expect(samples(none, name)).toEqual([]);
  });

  it('writes only the values a sample has, with the pod’s names escaped', async () => {
    const src = source([{ uid: 'x', namespace: 'n"s', pod: 'p\\o\nd', container: 'c', oomEvents: 2 }]);
    const usage = new UsageMetrics({ read: src.read, live: () => true });
    const m = parseMetrics(await usage.text());
    expect(samples(m, 'container_oom_events_total')).toEqual([
      { labels: { namespace: 'n"s', pod: 'p\\o\nd', container: 'c' }, value: '2' },
    ]);
    expect(samples(m, 'container_cpu_usage_seconds_total')).toEqual([]);
    expect(m.get('container_memory_working_set_bytes')?.type).toBe('GAUGE');
    expect(m.get('container_cpu_usage_seconds_total')?.type).toBe('COUNTER');
  });

  it('keeps the last reading when one fails, and tries again at the next scrape', async () => {
    let now = 0;
    let fail = false;
    let reads = 0;
    const usage = new UsageMetrics({
      read: async () => {
        reads++;
        if (fail) throw new Error('gone');
        return [sample('a', 1)];
      },
      live: () => true,
      intervalMs: 10_000,
      now: () => now,
    });
    await usage.text();
    fail = true;
    now = 10_000;
    await usage.text();
    await expect.poll(() => reads).toBe(2);
    expect(metricValue(parseMetrics(await usage.text()), 'container_cpu_usage_seconds_total')).toBe(1);
    await expect.poll(() => reads).toBe(3);
  });
});
