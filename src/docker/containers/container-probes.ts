/**
 * Runs Kubernetes probes and lifecycle hooks for the containers of the view. What to run comes
 * from each container's probes label and when from Docker's state (container Id + StartedAt is
 * one run of it), so after a plugin restart everything is picked up again from Docker alone.
 * Results live in memory and are read by /status without spawning anything.
 */
import type { Logger } from '../../log.ts';
import {
  type ContainerProbeSpec,
  consequence,
  graceAfterPreStop,
  type Handler,
  initialCounter,
  type Probe,
  type ProbeCounter,
  type ProbeKind,
  parseContainerProbeSpec,
  probeGate,
  probeTiming,
  recordOutcome,
} from '../../pod/probe-spec.ts';
import type { Engine } from '../engine/engine.ts';
import { type ContainerInspect, isZeroTime } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';
import { groupContainers } from '../view/pod-containers.ts';
import type { PodView } from '../view/pod-view.ts';
import { killContainer } from './container-kill.ts';
import { type ActionTarget, MAX_TIMER_MS, runHandler } from './probe-actions.ts';

export type ProbesView = Pick<PodView, 'onChange' | 'containersOfPod' | 'podUids'>;

export interface ContainerProbesOptions {
  engine: Engine;
  /** What probing asks of the pod view (test/helpers/fake-engine.ts plays it too). */
  view: ProbesView;
  log: Logger;
}

/** postStart running (not ready yet), probes running, killed after a failure, or stopped for a delete. */
type Phase = 'postStart' | 'probing' | 'killing' | 'stopping';

/** One run of a container: from one start to its exit. A restart is a new run, counted afresh. */
interface Run {
  id: string;
  podUid: string;
  startedAt: string;
  startedAtMs: number;
  spec: ContainerProbeSpec;
  phase: Phase;
  /** The startup probe has succeeded (or there is none). */
  started: boolean;
  counters: Partial<Record<ProbeKind, ProbeCounter>>;
  timers: Set<NodeJS.Timeout>;
  /** Aborted when the run ends (exit, restart, removal) or the plugin closes. */
  abort: AbortController;
}

const KINDS: readonly ProbeKind[] = ['startup', 'liveness', 'readiness'];

export class ContainerProbes {
  private readonly engine: Engine;
  private readonly view: ProbesView;
  private readonly log: Logger;
  private readonly runs = new Map<string, Run>();
  /** Containers being stopped by a delete (id → pod UID): nothing more is started or killed for them. */
  private readonly stopping = new Map<string, string>();
  private readonly createdAt = Date.now();
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(options: ContainerProbesOptions) {
    this.engine = options.engine;
    this.view = options.view;
    this.log = options.log;
  }

  /** Follows the view and picks up every container already running. */
  start(): void {
    this.unsubscribe = this.view.onChange((uid) => this.sync(uid, false));
    for (const uid of this.view.podUids()) this.sync(uid, true);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    for (const run of [...this.runs.values()]) this.end(run);
  }

  /**
   * Whether a running container is ready: false until postStart has completed, the startup
   * probe has succeeded and the readiness probe has succeeded; undefined when nothing holds it
   * back (no probes, or not a container with probes): then running means ready.
   */
  ready(containerId: string): boolean | undefined {
    const run = this.runs.get(containerId);
    if (!run) return undefined;
    if (run.phase !== 'probing' || !run.started) return false;
    const readiness = run.counters.readiness;
    return readiness ? readiness.result === 'success' : undefined;
  }

  /** False while the startup probe has not succeeded; undefined for containers without one. */
  started(containerId: string): boolean | undefined {
    const run = this.runs.get(containerId);
    return run?.spec.startupProbe ? run.started : undefined;
  }

  /**
   * Before a delete stops these containers: stops their probes, runs their preStop hooks in
   * parallel (bounded by the grace period) and returns the grace left for SIGTERM → SIGKILL.
   */
  async beforeStop(containers: readonly ContainerInspect[], graceSeconds: number): Promise<number> {
    for (const c of containers) {
      this.stopping.set(c.Id, c.Config.Labels?.[LABEL.podUid] ?? '');
      const run = this.runs.get(c.Id);
      if (run) this.halt(run, 'stopping');
    }
    const hooked = containers.filter(
      (c) =>
        c.State.Status === 'running' &&
        parseContainerProbeSpec(c.Config.Labels?.[LABEL.probes])?.lifecycle?.preStop,
    );
    if (hooked.length === 0 || graceSeconds <= 0) return graceSeconds;
    const began = Date.now();
    await Promise.all(hooked.map((c) => this.runPreStop(c, graceSeconds)));
    return graceAfterPreStop(graceSeconds, (Date.now() - began) / 1000, true);
  }

  /** Runs a container's preStop hook, if it has one, for at most the grace period. Never throws. */
  async runPreStop(c: ContainerInspect, graceSeconds: number): Promise<void> {
    const spec = parseContainerProbeSpec(c.Config.Labels?.[LABEL.probes]);
    const hook = spec?.lifecycle?.preStop;
    if (!spec || !hook || graceSeconds <= 0) return;
    const podUid = c.Config.Labels?.[LABEL.podUid] ?? '';
    const outcome = await runHandler(hook, this.target(podUid, c.Id, spec), {
      timeoutMs: graceSeconds * 1000,
      use: 'hook',
    });
    if (!outcome.ok) {
      this.log.warn('preStop hook failed', { podUid, container: containerLabel(c), error: outcome.message });
    }
  }

  /** Brings the runs of one pod in line with Docker: new runs for (re)started containers, ended runs dropped. */
  private sync(uid: string, initial: boolean): void {
    if (this.closed) return;
    const seen = new Set<string>();
    for (const c of this.view.containersOfPod(uid)) {
      seen.add(c.Id);
      const current = this.runs.get(c.Id);
      // A paused container keeps its run (and its postStart is not replayed on unpause).
      if (c.State.Status === 'paused') continue;
      if (c.State.Status !== 'running') {
        if (current) this.end(current);
        continue;
      }
      if (current?.startedAt === c.State.StartedAt || this.stopping.has(c.Id)) continue;
      if (current) this.end(current);
      const spec = parseContainerProbeSpec(c.Config.Labels?.[LABEL.probes]);
      if (spec) this.begin(uid, c, spec, initial);
    }
    for (const run of [...this.runs.values()]) if (run.podUid === uid && !seen.has(run.id)) this.end(run);
    for (const [id, podUid] of this.stopping) if (podUid === uid && !seen.has(id)) this.stopping.delete(id);
  }

  private begin(podUid: string, c: ContainerInspect, spec: ContainerProbeSpec, initial: boolean): void {
    const startedAtMs = isZeroTime(c.State.StartedAt) ? Date.now() : Date.parse(c.State.StartedAt);
    const run: Run = {
      id: c.Id,
      podUid,
      startedAt: c.State.StartedAt,
      startedAtMs: Number.isNaN(startedAtMs) ? Date.now() : startedAtMs,
      spec,
      phase: 'probing',
      started: !spec.startupProbe,
      counters: {},
      timers: new Set(),
      abort: new AbortController(),
    };
    this.runs.set(c.Id, run);
    const postStart = spec.lifecycle?.postStart;
    // A run that began before this plugin process did had its hook from the process that saw it
    // start: hooks are not replayed when the plugin restarts (kubelet does not replay them either).
    if (postStart && !(initial && run.startedAtMs < this.createdAt)) {
      run.phase = 'postStart';
      void this.runPostStart(run, postStart);
    } else this.startProbes(run);
  }

  private async runPostStart(run: Run, hook: Handler): Promise<void> {
    const outcome = await runHandler(hook, this.target(run.podUid, run.id, run.spec), {
      signal: run.abort.signal,
      use: 'hook',
    });
    if (run.abort.signal.aborted || run.phase !== 'postStart') return;
    if (outcome.ok) {
      run.phase = 'probing';
      this.startProbes(run);
      return;
    }
    this.log.warn('postStart hook failed; killing the container', {
      podUid: run.podUid,
      containerId: run.id,
      error: outcome.message,
    });
    await this.kill(run, 'postStart');
  }

  private startProbes(run: Run): void {
    for (const kind of KINDS) {
      if (!probeOf(run.spec, kind)) continue;
      run.counters[kind] = initialCounter(kind);
      this.schedule(run, kind, 0);
    }
  }

  private schedule(run: Run, kind: ProbeKind, delayMs: number): void {
    if (run.abort.signal.aborted || run.phase !== 'probing') return;
    const timer = setTimeout(
      () => {
        run.timers.delete(timer);
        void this.tick(run, kind);
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
    timer.unref();
    run.timers.add(timer);
  }

  /** One period of one probe: run it if its gate is open, count the outcome, act on a flip. */
  private async tick(run: Run, kind: ProbeKind): Promise<void> {
    const probe = probeOf(run.spec, kind);
    if (!probe || run.phase !== 'probing') return;
    const timing = probeTiming(kind, probe);
    const gate = probeGate(kind, timing, {
      secondsSinceStart: (Date.now() - run.startedAtMs) / 1000,
      started: run.started,
    });
    if (gate === 'done') return;
    if (gate === 'wait') {
      // Liveness and readiness wait for the startup probe, which reschedules them when it succeeds.
      if (kind === 'startup' || run.started) {
        this.schedule(run, kind, run.startedAtMs + timing.initialDelaySeconds * 1000 - Date.now());
      }
      return;
    }
    const began = Date.now();
    const outcome = await runHandler(probe, this.target(run.podUid, run.id, run.spec), {
      timeoutMs: timing.timeoutSeconds * 1000,
      signal: run.abort.signal,
      use: 'probe',
    });
    if (run.abort.signal.aborted || run.phase !== 'probing') return;
    const before = run.counters[kind] ?? initialCounter(kind);
    const { counter, flipped } = recordOutcome(before, outcome.ok, timing);
    run.counters[kind] = counter;
    if (!outcome.ok) {
      this.log.debug(`${kind} probe failed`, {
        podUid: run.podUid,
        containerId: run.id,
        error: outcome.message,
      });
    }
    if (flipped) {
      const effect = consequence(kind, counter.result);
      this.log.info(`${kind} probe ${counter.result === 'success' ? 'succeeded' : 'failed'}`, {
        podUid: run.podUid,
        containerId: run.id,
        result: outcome.message,
        ...(effect === 'kill' ? { action: 'killing the container' } : {}),
      });
      if (effect === 'kill') {
        await this.kill(run, kind);
        return;
      }
      if (effect === 'started') {
        run.started = true;
        for (const other of KINDS)
          if (other !== 'startup' && probeOf(run.spec, other)) this.schedule(run, other, 0);
        return;
      }
    }
    this.schedule(run, kind, timing.periodSeconds * 1000 - (Date.now() - began));
  }

  /** Kills the run's container as the kubelet does (container-kill.ts); its probes stop first. */
  private async kill(run: Run, cause: ProbeKind | 'postStart'): Promise<void> {
    this.halt(run, 'killing');
    await killContainer(
      { engine: this.engine, view: this.view, log: this.log },
      {
        id: run.id,
        podUid: run.podUid,
        startedAt: run.startedAt,
        spec: run.spec,
        cause,
        signal: run.abort.signal,
        target: this.target(run.podUid, run.id, run.spec),
        letGo: () => this.stopping.has(run.id) || this.closed,
      },
    );
  }

  /** Stops the run's probes; it stays known (and not ready) until the container exits. */
  private halt(run: Run, phase: 'killing' | 'stopping'): void {
    run.phase = phase;
    for (const t of run.timers) clearTimeout(t);
    run.timers.clear();
  }

  private end(run: Run): void {
    run.abort.abort();
    for (const t of run.timers) clearTimeout(t);
    run.timers.clear();
    if (this.runs.get(run.id) === run) this.runs.delete(run.id);
  }

  private target(podUid: string, containerId: string, spec: ContainerProbeSpec): ActionTarget {
    const anchor = groupContainers(this.view.containersOfPod(podUid)).anchor;
    return {
      engine: this.engine,
      containerId,
      // A pod on the host's network has no IP of its own: it answers on the host's.
      podIp: anchor?.NetworkSettings?.IPAddress || '127.0.0.1',
      ...(spec.ports ? { ports: spec.ports } : {}),
    };
  }
}

function probeOf(spec: ContainerProbeSpec, kind: ProbeKind): Probe | undefined {
  return kind === 'startup'
    ? spec.startupProbe
    : kind === 'liveness'
      ? spec.livenessProbe
      : spec.readinessProbe;
}

function containerLabel(c: ContainerInspect): string {
  return c.Config.Labels?.[LABEL.containerName] ?? c.Id;
}
