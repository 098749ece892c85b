/**
 * Reads Prometheus' text exposition format with a real parser (parse-prometheus-text-format), and
 * looks series up by name and labels. That parser folds every series of a histogram into one and
 * drops their labels, so histograms are read as their `_bucket`, `_sum` and `_count` samples
 * (their TYPE line is noted, then hidden from the parser).
 */
// @ts-expect-error the package ships no types; its shape is declared below
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

interface Sample {
  labels?: Record<string, string>;
  value?: string;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: Sample[];
}

export function parseMetrics(text: string): Map<string, MetricFamily> {
  const histograms = new Set([...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]));
  const families = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram\n/gm, '')) as MetricFamily[];
  // Series of one histogram come interleaved (_bucket, _sum, _count, then the next series): merge them.
  const byName = new Map<string, MetricFamily>();
  for (const f of families) {
    const seen = byName.get(f.name);
    byName.set(f.name, seen ? { ...seen, metrics: [...seen.metrics, ...f.metrics] } : f);
  }
  for (const name of histograms) {
    const count = byName.get(`${name}_count`);
    if (name && count) byName.set(name, { ...count, name, type: 'HISTOGRAM' });
  }
  return byName;
}

/** The samples of `name` whose labels include `labels`. */
export function samples(
  metrics: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  const family = metrics.get(name);
  if (!family) throw new Error(`no metric ${name}; have ${[...metrics.keys()].join(', ')}`);
  return family.metrics.filter((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
}

/** The value of a counter or gauge, or the count of a histogram, summed over the matching series. */
export function metricValue(
  metrics: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  return samples(metrics, name, labels).reduce((n, s) => n + Number(s.value ?? 0), 0);
}

/** A histogram's sum and its +Inf bucket, summed over the matching series. */
export function histogramOf(
  metrics: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): { count: number; sum: number; infBucket: number } {
  return {
    count: metricValue(metrics, `${name}_count`, labels),
    sum: metricValue(metrics, `${name}_sum`, labels),
    infBucket: metricValue(metrics, `${name}_bucket`, { ...labels, le: '+Inf' }),
  };
}
