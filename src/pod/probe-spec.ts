/**
 * Kubernetes' probe and lifecycle-hook rules, independent of Docker: the v1.Probe defaults, when
 * a probe runs (initial delay, the startup probe gating the others), and how consecutive outcomes
 * turn into a result (success/failure thresholds), as the kubelet's prober worker applies them.
 */
import type { components } from '../../generated/plugin-api.ts';
import type { Container, Pod } from '../contract/api-types.ts';

export type Probe = components['schemas']['Probe'];
export type Handler = components['schemas']['Handler'];
export type Lifecycle = components['schemas']['Lifecycle'];

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

/** What a container needs for its probes and hooks, kept with the container (a Docker label). */
export interface ContainerProbeSpec {
  lifecycle?: Lifecycle;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  /** The container's named ports, for probes and hooks that give their port by name. */
  ports?: Record<string, number>;
  /** The pod's terminationGracePeriodSeconds: the grace of a kill after a failed probe or hook. */
  terminationGracePeriodSeconds?: number;
}

/** The pod grace period Kubernetes defaults to. */
export const DEFAULT_GRACE_SECONDS = 30;
/** The kubelet always leaves a container this long between SIGTERM and SIGKILL after a preStop hook. */
export const MINIMUM_GRACE_SECONDS = 2;

/**
 * The part of a container's spec that probes and hooks need, or undefined when it has none
 * (then nothing is recorded and nothing runs for it).
 */
export function containerProbeSpec(pod: Pod, container: Container): ContainerProbeSpec | undefined {
  const spec: ContainerProbeSpec = {};
  const lifecycle = container.lifecycle;
  if (lifecycle?.postStart || lifecycle?.preStop) spec.lifecycle = lifecycle;
  if (container.readinessProbe) spec.readinessProbe = container.readinessProbe;
  if (container.livenessProbe) spec.livenessProbe = container.livenessProbe;
  if (container.startupProbe) spec.startupProbe = container.startupProbe;
  if (Object.keys(spec).length === 0) return undefined;
  const ports: Record<string, number> = {};
  for (const p of container.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
  if (Object.keys(ports).length > 0) spec.ports = ports;
  const grace = pod.spec?.terminationGracePeriodSeconds;
  if (grace !== undefined && grace !== null) spec.terminationGracePeriodSeconds = grace;
  return spec;
}

/** The recorded spec back from its JSON; undefined for anything that is not one. */
export function parseContainerProbeSpec(json: string | undefined): ContainerProbeSpec | undefined {
  if (!json) return undefined;
  try {
    const value = JSON.parse(json) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as ContainerProbeSpec)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface ProbeTiming {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

/**
 * The API server's defaults (a zero counts as unset, as in Go), clamped to what validation allows:
 * liveness and startup probes must have successThreshold 1.
 */
export function probeTiming(kind: ProbeKind, probe: Probe): ProbeTiming {
  const positive = (v: number | undefined, fallback: number) =>
    v !== undefined && Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
  return {
    initialDelaySeconds: positive(probe.initialDelaySeconds, 0),
    periodSeconds: positive(probe.periodSeconds, 10),
    timeoutSeconds: positive(probe.timeoutSeconds, 1),
    successThreshold: kind === 'readiness' ? positive(probe.successThreshold, 1) : 1,
    failureThreshold: positive(probe.failureThreshold, 3),
  };
}

export type ProbeResult = 'success' | 'failure' | 'unknown';

/** A probe's state: its published result and the run of identical outcomes that may change it. */
export interface ProbeCounter {
  result: ProbeResult;
  last: 'success' | 'failure' | undefined;
  run: number;
}

/** Before a first verdict: not ready, alive, not started. */
export function initialCounter(kind: ProbeKind): ProbeCounter {
  const result: ProbeResult = kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown';
  return { result, last: undefined, run: 0 };
}

/**
 * One outcome counted: the result flips only after successThreshold (failureThreshold)
 * consecutive successes (failures). `flipped` tells the caller to act (kill, mark ready...).
 */
export function recordOutcome(
  counter: ProbeCounter,
  ok: boolean,
  timing: ProbeTiming,
): { counter: ProbeCounter; flipped: boolean } {
  const outcome = ok ? 'success' : 'failure';
  const run = counter.last === outcome ? counter.run + 1 : 1;
  const threshold = ok ? timing.successThreshold : timing.failureThreshold;
  if (run < threshold) return { counter: { ...counter, last: outcome, run }, flipped: false };
  return { counter: { result: outcome, last: outcome, run }, flipped: counter.result !== outcome };
}

/**
 * Whether a probe runs now: not during the initial delay, the startup probe only until it has
 * succeeded, and readiness and liveness only after.
 */
export function probeGate(
  kind: ProbeKind,
  timing: ProbeTiming,
  state: { secondsSinceStart: number; started: boolean },
): 'run' | 'wait' | 'done' {
  if (kind === 'startup' && state.started) return 'done';
  if (kind !== 'startup' && !state.started) return 'wait';
  return state.secondsSinceStart < timing.initialDelaySeconds ? 'wait' : 'run';
}

/** What a flipped result means for the container. */
export function consequence(
  kind: ProbeKind,
  result: ProbeResult,
): 'kill' | 'started' | 'ready' | 'unready' | undefined {
  if (kind === 'readiness') return result === 'success' ? 'ready' : 'unready';
  if (result === 'failure') return 'kill';
  return kind === 'startup' && result === 'success' ? 'started' : undefined;
}

/**
 * How long a kill after a failed probe waits between SIGTERM and SIGKILL: the probe's own
 * terminationGracePeriodSeconds (liveness and startup only), else the pod's.
 */
export function killGraceSeconds(spec: ContainerProbeSpec, kind: ProbeKind | 'postStart'): number {
  const probe = kind === 'liveness' ? spec.livenessProbe : kind === 'startup' ? spec.startupProbe : undefined;
  return probe?.terminationGracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}

/**
 * The grace left for SIGTERM → SIGKILL once a preStop hook has run for `elapsedSeconds`: what is
 * left of the grace period, but never under the kubelet's minimum; no hook leaves it as it was.
 */
export function graceAfterPreStop(graceSeconds: number, elapsedSeconds: number, hookRan: boolean): number {
  if (!hookRan || graceSeconds <= 0) return graceSeconds;
  return Math.max(MINIMUM_GRACE_SECONDS, Math.ceil(graceSeconds - elapsedSeconds));
}

/** A port given by number or by the name of one of the container's ports. */
export function resolvePort(
  port: number | string | undefined,
  ports: Record<string, number> | undefined,
): number | undefined {
  if (typeof port === 'number') return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  if (typeof port !== 'string' || port === '') return undefined;
  const named = ports?.[port];
  if (named !== undefined) return named;
  return /^\d+$/.test(port) ? resolvePort(Number(port), undefined) : undefined;
}
