/**
 * Pods' real usage under the names and labels cAdvisor and the kubelet use, so Kubernetes
 * dashboards and alerts work unchanged. Reading every pod's cgroups costs ~90 µs of CPU per
 * cgroup (docs/status-truth.md), far too much for each scrape at 1000 pods; so, as cAdvisor does,
 * the files are read in the background and a scrape only writes out the prepared lines:
 *
 * - a scrape serves the last reading, and starts the next one when that is older than the
 *   refresh interval: at most one reading per interval, and none while nobody scrapes;
 * - a scrape after a long quiet (no reading, or one older than `staleMs`) waits for a fresh one;
 * - a pod deleted since the reading is left out at once (`live`).
 */
import type { UsageSample } from '../docker/cgroups/pod-usage.ts';
import { type DeflatedPart, deflateFirstPart } from './gzip-member.ts';

type Field = 'cpuSeconds' | 'workingSetBytes' | 'rssBytes' | 'oomEvents';

/** The usage metrics, in the order they are written. */
export const USAGE_METRICS: ReadonlyArray<{
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  field: Field;
}> = [
  {
    name: 'container_cpu_usage_seconds_total',
    type: 'counter',
    help: 'Cumulative CPU time consumed, in seconds',
    field: 'cpuSeconds',
  },
  {
    name: 'container_memory_working_set_bytes',
    type: 'gauge',
    help: 'Current working set (usage less inactive file pages), in bytes',
    field: 'workingSetBytes',
  },
  {
    name: 'container_memory_rss',
    type: 'gauge',
    help: 'Size of RSS (anonymous memory), in bytes',
    field: 'rssBytes',
  },
  {
    name: 'container_oom_events_total',
    type: 'counter',
    help: 'Count of out of memory kills of the container',
    field: 'oomEvents',
  },
];

export interface UsageMetricsOptions {
  /** Reads every pod's usage (the cgroup files): the costly part, done in the background. */
  read: () => Promise<UsageSample[]>;
  /** Whether a pod still exists: one deleted since the last reading is left out. */
  live: (uid: string) => boolean;
  /** A reading is started at most this often (ms). */
  intervalMs?: number;
  /** A reading older than this is not served: the scrape waits for a fresh one (ms). */
  staleMs?: number;
  now?: () => number;
}

interface Reading {
  at: number;
  /** Per pod, per metric (USAGE_METRICS' order): its exposition lines, ready to write. */
  lines: Map<string, string[]>;
}

export class UsageMetrics {
  private reading: Reading | undefined;
  private inFlight: Promise<void> | undefined;
  /** The last text written, for the reading and the pods gone since it. */
  private written:
    | { reading: Reading; gone: string; text: string; bytes?: Buffer; deflated?: Promise<DeflatedPart> }
    | undefined;
  private readonly intervalMs: number;
  private readonly staleMs: number;
  private readonly now: () => number;

  constructor(private readonly options: UsageMetricsOptions) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.staleMs = options.staleMs ?? 120_000;
    this.now = options.now ?? Date.now;
  }

  /** The exposition text of the usage metrics, for one scrape. */
  async text(): Promise<string> {
    const age = this.reading ? this.now() - this.reading.at : Number.POSITIVE_INFINITY;
    if (age > this.staleMs) await this.refresh();
    else if (age >= this.intervalMs) void this.refresh();
    return this.render();
  }

  /**
   * The same text as UTF-8 bytes, encoded once per text: at 1000 pods it is ~1 MB, and encoding it
   * on every scrape cost more than the rest of the scrape.
   */
  async bytes(): Promise<Buffer> {
    await this.text();
    const written = this.written;
    if (!written) return Buffer.from(renderText([]));
    written.bytes ??= Buffer.from(written.text);
    return written.bytes;
  }

  /**
   * The same bytes deflated as the first part of a gzip member (gzip-member.ts), once per text
   * (level 1: ~6 ms for 1 MB, a tenth of the size), off the event loop.
   */
  async deflated(): Promise<DeflatedPart> {
    const bytes = await this.bytes();
    const written = this.written;
    if (!written) return deflateFirstPart(bytes);
    written.deflated ??= deflateFirstPart(bytes);
    return written.deflated;
  }

  /** Starts a reading unless one runs; resolves when the one running has finished. */
  private refresh(): Promise<void> {
    this.inFlight ??= this.options
      .read()
      .then((samples) => {
        this.reading = { at: this.now(), lines: prepare(samples) };
      })
      .catch(() => {
        // Kept: the previous reading, if any. The next scrape tries again.
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private render(): string {
    const reading = this.reading;
    if (!reading) return renderText([]);
    const gone = [...reading.lines.keys()].filter((uid) => !this.options.live(uid)).join('\n');
    // Between readings, scrapes mostly see the same pods: the same text, written once.
    if (this.written?.reading !== reading || this.written.gone !== gone) {
      const pods = [...reading.lines].filter(([uid]) => this.options.live(uid)).map(([, lines]) => lines);
      this.written = { reading, gone, text: renderText(pods) };
    }
    return this.written.text;
  }
}

function renderText(pods: ReadonlyArray<readonly string[]>): string {
  return USAGE_METRICS.map((m, i) => {
    const head = `# HELP ${m.name} ${m.help}\n# TYPE ${m.name} ${m.type}\n`;
    return head + pods.map((lines) => lines[i]).join('');
  }).join('');
}

/** Each pod's lines, per metric. */
function prepare(samples: readonly UsageSample[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of samples) {
    let lines = out.get(s.uid);
    if (!lines) {
      lines = USAGE_METRICS.map(() => '');
      out.set(s.uid, lines);
    }
    const labels = `{namespace="${labelValue(s.namespace)}",pod="${labelValue(s.pod)}",container="${labelValue(s.container)}"}`;
    USAGE_METRICS.forEach((m, i) => {
      const v = s[m.field];
      if (v !== undefined && lines) lines[i] += `${m.name}${labels} ${v}\n`;
    });
  }
  return out;
}

/** A label value as the text format spells it (the names come from the pod: untrusted). */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
