import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PluginMetrics } from '../../src/metrics/plugin-metrics.ts';
import { USAGE_METRICS } from '../../src/metrics/usage-metrics.ts';

const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
const dashboard = readFileSync(
  new URL('../../deploy/grafana/interlink-docker-plugin.json', import.meta.url),
  'utf8',
);

/** Every metric the plugin itself exports (GPU gauges included), without prom-client's defaults. */
async function ourMetrics(): Promise<{ name: string; type: string }[]> {
  const metrics = new PluginMetrics({
    view: {
      podUids: () => [],
      containersOfPod: () => [],
      health: () => ({ eventsConnected: true, lastSyncAt: undefined, lastError: undefined }),
    },
    gpus: () => ({ assigned: 1, free: 3 }),
  });
  // From the text a scrape is served: some families are written outside prom-client's registry.
  const { chunks } = await metrics.exposition();
  return [
    ...Buffer.concat(chunks)
      .toString()
      .matchAll(/^# TYPE (interlink_docker_plugin_\w+) (\w+)$/gm),
  ].map(([, name, type]) => ({ name: name as string, type: type as string }));
}

describe('the metrics documentation', () => {
  it('lists every metric in the table of docs/operations.md, with its type', async () => {
    const ours = await ourMetrics();
    expect(ours.length).toBe(11);
    for (const m of ours) expect(operations).toContain(`| \`${m.name}\` | ${m.type} |`);
  });

  it('lists the pods’ usage metrics (cAdvisor’s names) with their type, and the dashboard shows each', async () => {
    const usage = USAGE_METRICS;
    expect(usage.map((m) => m.name)).toEqual([
      'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes',
      'container_memory_rss',
      'container_oom_events_total',
    ]);
    for (const m of usage) {
      expect(operations).toContain(`| \`${m.name}\` | ${m.type} | \`namespace\`, \`pod\`, \`container\` |`);
      expect(dashboard).toContain(m.name);
    }
  });

  it('has a Grafana dashboard that queries only metrics the plugin exports', async () => {
    const ours = (await ourMetrics()).map((m) => m.name);
    const json = JSON.parse(dashboard);
    const used = new Set([...dashboard.matchAll(/interlink_docker_plugin_[a-z_]+/g)].map((m) => m[0]));
    for (const name of used) {
      const base = name.replace(/_(bucket|count|sum)$/, '');
      expect(ours, `dashboard uses ${name}`).toContain(ours.includes(name) ? name : base);
    }
    // Every metric of ours has a panel.
    for (const name of ours)
      expect(
        [...used].some((u) => u.startsWith(name)),
        `no panel for ${name}`,
      ).toBe(true);
    expect(json.panels.length).toBeGreaterThan(10);
  });
});
