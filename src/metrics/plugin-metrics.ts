/**
 * The plugin's Prometheus metrics (prom-client), served at GET /metrics. Counters and histograms
 * are fed as things happen (requests, docker processes); gauges of pods, containers and the
 * view are read from the pod view at scrape time, so they always say what the view holds.
 * The metrics table of docs/operations.md lists them; deploy/grafana/ has a dashboard over them.
 */

import type { MiddlewareHandler } from 'hono';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { DockerCallObserver } from '../docker/engine/docker-cli.ts';
import type { ViewHealth } from '../docker/view/pod-view.ts';
import type { AppEnv } from '../http/app.ts';
import type { RequestObserver } from '../http/status-fast-path.ts';
import { type DockerProcessKind, dockerProcessKind } from './docker-verb.ts';
import { type DeflatedPart, gzipMember } from './gzip-member.ts';
import { type ContainerLike, POD_PHASES, podPhase } from './pod-phase.ts';
import { TextHistogram } from './text-histogram.ts';

const PREFIX = 'interlink_docker_plugin_';

/** Families whose text is prepared outside the registry, and that text deflated for a gzip member. */
export interface PreparedFamilies {
  text(): Promise<string | Uint8Array>;
  deflated?(): Promise<DeflatedPart>;
}

/** What the gauges read at scrape time. */
export interface MetricsSources {
  view: {
    podUids(): string[];
    containersOfPod(uid: string): ContainerLike[];
    health(): ViewHealth;
  };
  /**
   * GPUs assigned to pods and free; undefined on a host with no GPU to hand out, which then
   * exports no GPU series.
   */
  gpus?: () => { assigned: number; free: number } | undefined;
}

const CONTAINER_STATES = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
] as const;

/** What the view's gauges say, counted in one pass over the view. */
interface Census {
  pods: number;
  containers: number;
  byPhase: Map<string, number>;
  byState: Map<string, number>;
}

function takeCensus(view: MetricsSources['view']): Census {
  const byPhase = new Map<string, number>(POD_PHASES.map((p) => [p, 0]));
  const byState = new Map<string, number>(CONTAINER_STATES.map((s) => [s, 0]));
  const uids = view.podUids();
  let containers = 0;
  for (const uid of uids) {
    const cs = view.containersOfPod(uid);
    containers += cs.length;
    const phase = podPhase(cs);
    byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
    for (const c of cs) byState.set(c.State.Status, (byState.get(c.State.Status) ?? 0) + 1);
  }
  return { pods: uids.length, containers, byPhase, byState };
}

/** How often the event-loop lag is sampled (ms). */
const EVENT_LOOP_MONITOR_MS = 100;

export class PluginMetrics {
  readonly registry = new Registry();
  /** Written after the registry's text: a scrape writes again only their series observed since the last. */
  private readonly requestSeconds: TextHistogram<'route' | 'method' | 'code'>;
  private readonly dockerSeconds: TextHistogram<'verb' | 'outcome'>;
  private readonly pullsInFlight: Gauge;
  private readonly pullFailures: Counter;
  private readonly eventReconnects: Counter;
  private eventStreamsStarted = 0;
  /** Text written after the registry's: families prepared outside prom-client (usage-metrics.ts). */
  private readonly prepared: PreparedFamilies[] = [];
  /** Taken once per exposition and shared by the view's four gauges (at 1000 pods, a pass is ~1 ms). */
  private census: Census | undefined;

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    const census = () => this.census ?? takeCensus(sources.view);
    // The event-loop lag monitor's timer fires at this period for the life of the process: at
    // prom-client's default (10 ms) it was most of the idle plugin's CPU (0.45 % of a core here).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_MONITOR_MS });
    this.requestSeconds = new TextHistogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Plugin API requests by route, method and status code, and how long they took',
      labelNames: ['route', 'method', 'code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    this.dockerSeconds = new TextHistogram({
      name: `${PREFIX}docker_command_duration_seconds`,
      help: 'docker CLI commands by verb and outcome (ok, error, killed), and how long they took',
      labelNames: ['verb', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    });
    this.pullsInFlight = new Gauge({
      name: `${PREFIX}image_pulls_in_flight`,
      help: 'docker pull processes running now',
      registers,
    });
    this.pullFailures = new Counter({
      name: `${PREFIX}image_pull_failures_total`,
      help: 'docker pull tries that failed (each retry counts)',
      registers,
    });
    this.eventReconnects = new Counter({
      name: `${PREFIX}events_stream_reconnects_total`,
      help: 'Times the docker events stream was started again after it broke',
      registers,
    });
    new Gauge({
      name: `${PREFIX}events_stream_connected`,
      help: '1 while the docker events stream that feeds the pod view is up, else 0',
      registers,
      collect() {
        this.set(sources.view.health().eventsConnected ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}view_pods`,
      help: 'Pods in the in-memory view of Docker',
      registers,
      collect() {
        this.set(census().pods);
      },
    });
    new Gauge({
      name: `${PREFIX}view_containers`,
      help: 'Containers (sandboxes included) in the in-memory view of Docker',
      registers,
      collect() {
        this.set(census().containers);
      },
    });
    new Gauge({
      name: `${PREFIX}pods`,
      help: 'Pods by phase, derived from their containers as Docker reports them',
      labelNames: ['phase'],
      registers,
      collect() {
        for (const [phase, n] of census().byPhase) this.set({ phase }, n);
      },
    });
    new Gauge({
      name: `${PREFIX}containers`,
      help: 'Containers by Docker state (sandboxes included), as docker ps shows them',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, n] of census().byState) this.set({ state }, n);
      },
    });
    const gpus = sources.gpus;
    if (gpus) {
      new Gauge({
        name: `${PREFIX}gpus`,
        help: 'GPUs of the host by state: assigned to a pod, or free',
        labelNames: ['state'],
        registers,
        collect() {
          const usage = gpus();
          if (!usage) return;
          this.set({ state: 'assigned' }, usage.assigned);
          this.set({ state: 'free' }, usage.free);
        },
      });
    }
  }

  /** Times every request, labelled with the route it matched ("unmatched" for none). */
  readonly httpObserver: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      this.observeRequest(
        c.req.method,
        c.get('route') ?? 'unmatched',
        c.res.status,
        (performance.now() - started) / 1000,
      );
    }
  };

  /** One request in the request histogram: the app's observer and the /status fast path both record here. */
  readonly observeRequest: RequestObserver = (method, route, code, seconds) => {
    this.requestSeconds.observe({ route, method, code: String(code) }, seconds);
  };

  /** Counts and times docker processes; pulls and the events stream get their own series. */
  readonly dockerObserver: DockerCallObserver = {
    started: (args) => {
      const kind: DockerProcessKind = dockerProcessKind(args);
      if (kind.kind === 'events') {
        if (this.eventStreamsStarted++ > 0) this.eventReconnects.inc();
        return () => {};
      }
      if (kind.kind === 'stream') return () => {};
      const end = this.dockerSeconds.startTimer({ verb: kind.verb });
      if (kind.verb === 'pull') this.pullsInFlight.inc();
      return (exitCode) => {
        end({ outcome: exitCode === 0 ? 'ok' : exitCode === null ? 'killed' : 'error' });
        if (kind.verb === 'pull') {
          this.pullsInFlight.dec();
          if (exitCode !== 0) this.pullFailures.inc();
        }
      };
    },
  };

  /** Adds families whose exposition text is written elsewhere (names not in the registry). */
  addPrepared(families: PreparedFamilies): void {
    this.prepared.push(families);
  }

  /**
   * The exposition and its content type, as chunks of bytes: the prepared usage text is ~1 MB at
   * 1000 pods and already encoded, so it is written as it is, not joined, encoded or copied again.
   * The prepared families come first, then the registry's and the histograms'. Gzipped (one
   * member, gzip-member.ts), the prepared text is deflated once per text it keeps and only the
   * rest (~40 KB, ~0.2 ms) on each scrape: sending 1 MB over TCP cost more CPU than anything else
   * in a scrape at 1000 pods, and gzipped it is a tenth.
   */
  async exposition(gzip = false): Promise<{ contentType: string; chunks: Uint8Array[]; gzipped: boolean }> {
    this.census = takeCensus(this.sources.view);
    let own: string;
    let prepared: Array<string | Uint8Array | DeflatedPart>;
    try {
      [own, ...prepared] = await Promise.all([
        this.registry.metrics(),
        ...this.prepared.map((p, i) => (gzip && i === 0 && p.deflated ? p.deflated() : p.text())),
      ]);
    } finally {
      this.census = undefined;
    }
    own += this.requestSeconds.text() + this.dockerSeconds.text();
    const bytes = (p: string | Uint8Array) => (typeof p === 'string' ? Buffer.from(p) : p);
    const parts = [...prepared, own].map((p) =>
      typeof p === 'string' || p instanceof Uint8Array ? bytes(p) : p,
    );
    const chunks = gzip ? gzipMember(parts) : (parts as Uint8Array[]);
    return { contentType: this.registry.contentType, chunks, gzipped: gzip };
  }
}
