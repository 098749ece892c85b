/**
 * Pods' real usage under the names and labels cAdvisor and the kubelet use, so Kubernetes
 * dashboards and alerts work unchanged: read from the pods' cgroups at scrape time, once per
 * scrape for all four metrics.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { UsageSample as UsageSeries } from '../docker/cgroups/pod-usage.ts';

const LABELS = ['namespace', 'pod', 'container'] as const;

/** Registers the usage metrics; `read` is called once per scrape. */
export function registerUsageMetrics(registry: Registry, read: () => Promise<UsageSeries[]>): void {
  let current: { at: number; samples: Promise<UsageSeries[]> } | undefined;
  // The four collect() calls of one scrape share one read.
  const samples = () => {
    const now = Date.now();
    if (!current || now - current.at > 250) current = { at: now, samples: read().catch(() => []) };
    return current.samples;
  };
  const registers = [registry];
  const labelsOf = (s: UsageSeries) => ({ namespace: s.namespace, pod: s.pod, container: s.container });
  type Field = 'cpuSeconds' | 'workingSetBytes' | 'rssBytes' | 'oomEvents';
  /** Each scrape starts from zero: a pod deleted since the last one leaves no series behind. */
  const fill = async (field: Field, put: (labels: ReturnType<typeof labelsOf>, v: number) => void) => {
    for (const s of await samples()) {
      const v = s[field];
      if (v !== undefined) put(labelsOf(s), v);
    }
  };
  const named = (name: string, help: string) => ({ name, help, labelNames: LABELS, registers });
  const counter = (name: string, help: string, field: Field) =>
    new Counter({
      ...named(name, help),
      async collect() {
        this.reset();
        await fill(field, (labels, v) => this.inc(labels, v));
      },
    });
  const gauge = (name: string, help: string, field: Field) =>
    new Gauge({
      ...named(name, help),
      async collect() {
        this.reset();
        await fill(field, (labels, v) => this.set(labels, v));
      },
    });
  counter('container_cpu_usage_seconds_total', 'Cumulative CPU time consumed, in seconds', 'cpuSeconds');
  gauge(
    'container_memory_working_set_bytes',
    'Current working set (usage less inactive file pages), in bytes',
    'workingSetBytes',
  );
  gauge('container_memory_rss', 'Size of RSS (anonymous memory), in bytes', 'rssBytes');
  counter('container_oom_events_total', 'Count of out of memory kills of the container', 'oomEvents');
}
