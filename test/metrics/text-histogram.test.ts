/**
 * TextHistogram writes what prom-client's Histogram writes, byte for byte, after any sequence of
 * observations and scrapes: a dashboard over the request and docker histograms sees no change.
 */
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TextHistogram } from '../../src/metrics/text-histogram.ts';

const NAME = 'interlink_docker_plugin_test_duration_seconds';
const HELP = 'Things by "route" and code, and how long\nthey took \\ in seconds';
const BUCKETS = [0.001, 0.0025, 0.01, 0.5, 1, 30, 300];

type Step = { kind: 'observe'; labels: Record<string, string>; value: number } | { kind: 'scrape' };

/** Labels as the plugin passes them, sometimes in another order; values with quotes, backslashes, newlines. */
const labelValue = fc.constantFrom('/status', '/create', 'GET', '200', '500', 'a"b', 'c\\d', 'e\nf', '');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('observe' as const),
    labels: fc
      .tuple(labelValue, labelValue, fc.boolean())
      .map(([route, code, swap]) => (swap ? { code, route } : { route, code })),
    value: fc.oneof(
      fc.constantFrom(0, 0.001, 0.0025, 1, 30, 300, 301, 1e-9),
      fc.double({ min: 0, max: 1000, noNaN: true }),
    ),
  }),
  fc.constant({ kind: 'scrape' as const }),
);

describe('TextHistogram', () => {
  it('writes prom-client’s text for any observations, scraped at any point', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const registry = new Registry();
        const theirs = new Histogram({
          name: NAME,
          help: HELP,
          labelNames: ['route', 'code'],
          buckets: BUCKETS,
          registers: [registry],
        });
        const ours = new TextHistogram({
          name: NAME,
          help: HELP,
          labelNames: ['route', 'code'],
          buckets: BUCKETS,
        });
        for (const s of [...steps, { kind: 'scrape' } as const]) {
          if (s.kind === 'observe') {
            theirs.observe(s.labels, s.value);
            ours.observe(s.labels, s.value);
          } else {
            expect(ours.text()).toBe(await registry.metrics());
          }
        }
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  it('times with the labels given at the start and at the end, as prom-client’s startTimer', async () => {
    const ours = new TextHistogram({
      name: NAME,
      help: HELP,
      labelNames: ['verb', 'outcome'],
      buckets: BUCKETS,
    });
    const end = ours.startTimer({ verb: 'run' });
    const seconds = end({ outcome: 'ok' });
    expect(seconds).toBeGreaterThan(0);
    const text = ours.text();
    expect(text).toContain(`${NAME}_count{verb="run",outcome="ok"} 1\n`);
    expect(text).toContain(`${NAME}_sum{verb="run",outcome="ok"} ${seconds}\n`);
    expect(text).toContain(`${NAME}_bucket{le="+Inf",verb="run",outcome="ok"} 1\n`);
  });

  it('refuses a label it was not given and a value that is not a number, as prom-client does', () => {
    const ours = new TextHistogram({ name: NAME, help: HELP, labelNames: ['verb'], buckets: BUCKETS });
    expect(() => ours.observe({ verb: 'run', other: 'x' } as never, 1)).toThrow(/not included/);
    expect(() => ours.observe({ verb: 'run' }, Number.NaN)).toThrow(TypeError);
    expect(ours.text()).toBe(
      `# HELP ${NAME} Things by "route" and code, and how long\\nthey took \\\\ in seconds\n# TYPE ${NAME} histogram\n`,
    );
  });
});
