/**
 * A Prometheus histogram that keeps each series' exposition lines and writes again only the series
 * observed since the last scrape. prom-client's Histogram builds an object per bucket and formats
 * every label of every line on every scrape: for the request and docker histograms (~30 series,
 * ~500 lines after a few creates) that was a third of a scrape's CPU, most of it for series that
 * had not changed. The lines are prom-client's, byte for byte (test/metrics/text-histogram.test.ts):
 * the labels in the order of the series' first observation, `le` first, series in the order they
 * were first observed.
 */

type Labels<L extends string> = Partial<Record<L, string | number>>;

interface Series {
  /** The labels after `le`, formatted: `,route="/status",method="GET"`; `{`…`}` of _sum and _count. */
  bucketLabels: string;
  plainLabels: string;
  /** Observations per bucket (not cumulative); the last is +Inf's. */
  counts: number[];
  sum: number;
  count: number;
  /** The series' lines as last written; undefined when observed since. */
  text: string | undefined;
}

export interface TextHistogramOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  buckets: readonly number[];
}

export class TextHistogram<L extends string> {
  private readonly series = new Map<string, Series>();
  private readonly sortedNames: readonly L[];
  private readonly bounds: readonly number[];
  private readonly head: string;

  constructor(private readonly options: TextHistogramOptions<L>) {
    this.sortedNames = [...options.labelNames].sort();
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    const name = escapeText(options.name);
    this.head = `# HELP ${name} ${escapeText(options.help)}\n# TYPE ${name} histogram\n`;
  }

  observe(labels: Labels<L>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    let key = '';
    for (const n of this.sortedNames) key += labels[n] === undefined ? '\u0001' : `${labels[n]}\u0000`;
    let s = this.series.get(key);
    if (!s) {
      let formatted = '';
      for (const [n, v] of Object.entries(labels)) {
        if (!this.options.labelNames.includes(n as L))
          throw new Error(`Added label "${n}" is not included in initial labelset`);
        formatted += `,${n}="${escapeLabelValue(v as string | number)}"`;
      }
      s = {
        bucketLabels: formatted,
        plainLabels: formatted ? `{${formatted.slice(1)}}` : '',
        counts: new Array(this.bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
        text: undefined,
      };
      this.series.set(key, s);
    }
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    (s.counts[i] as number)++;
    s.sum += value;
    s.count++;
    s.text = undefined;
  }

  /** Starts timing; the function it returns observes the seconds since, with both sets of labels. */
  startTimer(labels: Labels<L> = {}): (end?: Labels<L>) => number {
    const start = process.hrtime();
    return (end) => {
      const [s, ns] = process.hrtime(start);
      const seconds = s + ns / 1e9;
      this.observe({ ...labels, ...end }, seconds);
      return seconds;
    };
  }

  /** The family's exposition text, ending in a newline. */
  text(): string {
    let out = this.head;
    for (const s of this.series.values()) {
      s.text ??= this.lines(s);
      out += s.text;
    }
    return out;
  }

  private lines(s: Series): string {
    const name = this.options.name;
    let out = '';
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += s.counts[i] as number;
      out += `${name}_bucket{le="${bound}"${s.bucketLabels}} ${cumulative}\n`;
    });
    out += `${name}_bucket{le="+Inf"${s.bucketLabels}} ${s.count}\n`;
    out += `${name}_sum${s.plainLabels} ${s.sum}\n`;
    out += `${name}_count${s.plainLabels} ${s.count}\n`;
    return out;
  }
}

function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(value: string | number): string | number {
  return typeof value === 'string' ? escapeText(value).replace(/"/g, '\\"') : value;
}
