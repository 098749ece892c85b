/**
 * Docker's view of a container → Kubernetes' v1.ContainerStatus, with exactly one state, the
 * reasons a kubelet would give, and RFC 3339 times (omitted when unknown: Go cannot parse "").
 */
import type { ContainerState, ContainerStatus } from '../../contract/api-types.ts';
import { MAX_POD_MESSAGE_BYTES, terminatedMessage } from '../../pod/termination-message.ts';
import { type ContainerInspect, isZeroTime } from '../engine/inspect-types.ts';

/** Why a container has no Docker container (yet, or any more). */
export type Absence =
  | { kind: 'creating'; reason?: string; message?: string }
  | { kind: 'vanished' }
  | { kind: 'blocked-by-init'; initName: string; exitCode: number; finishedAt?: string | undefined };

export interface SpecContainer {
  name: string;
  image: string;
}

/** RFC 3339 to the second, as Kubernetes writes times; undefined for Docker's zero time. */
export function kubeTime(t: string | undefined): string | undefined {
  if (!t || isZeroTime(t)) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function withTimes<T extends object>(o: T, times: Record<string, string | undefined>): T {
  for (const [k, v] of Object.entries(times)) if (v) (o as Record<string, string>)[k] = v;
  return o;
}

/** The status of a spec container that Docker runs (or ran). */
export function statusFromInspect(
  spec: SpecContainer,
  c: ContainerInspect,
  opts: {
    waitingForInit?: boolean;
    /** false: a probe or a pending postStart hook holds readiness back (container-probes.ts). */
    ready?: boolean | undefined;
    /** false: the startup probe has not succeeded yet. */
    started?: boolean | undefined;
    /** The bytes each terminated message keeps: the pod's share (podMessageShare). */
    messageShare?: number;
  } = {},
): ContainerStatus {
  const share = opts.messageShare ?? MAX_POD_MESSAGE_BYTES;
  const containerID = `docker://${c.Id}`;
  const s = c.State;
  let state: ContainerState;
  let ready = false;
  let started = false;
  switch (s.Status) {
    case 'running':
    case 'paused':
      state = { running: withTimes({}, { startedAt: kubeTime(s.StartedAt) }) };
      ready = s.Status === 'running' && opts.ready !== false;
      started = opts.started !== false;
      break;
    case 'created':
      if (s.Error) {
        // Docker could not start it (e.g. the command is not in the image): kubelet's ContainerCannotRun.
        state = {
          terminated: {
            exitCode: s.ExitCode || 128,
            reason: 'ContainerCannotRun',
            message: terminatedMessage(s.Error, undefined, share),
            containerID,
          },
        };
        break;
      }
      state = opts.waitingForInit
        ? { waiting: { reason: 'PodInitializing' } }
        : { waiting: { reason: 'ContainerCreating' } };
      break;
    case 'restarting':
      state = {
        waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${spec.name}` },
      };
      break;
    default: {
      // exited, dead, removing
      const neverRan = isZeroTime(s.StartedAt) && s.Error !== '';
      const reason = s.OOMKilled
        ? 'OOMKilled'
        : neverRan
          ? 'ContainerCannotRun'
          : s.ExitCode === 0
            ? 'Completed'
            : 'Error';
      const terminated: NonNullable<ContainerState['terminated']> = {
        exitCode: s.ExitCode,
        reason,
        containerID,
      };
      // Docker's error first, then what the container wrote (or its log), as the kubelet joins them.
      const message = terminatedMessage(s.Error, neverRan ? undefined : c.TerminationMessage, share);
      if (message) terminated.message = message;
      state = {
        terminated: withTimes(terminated, {
          startedAt: kubeTime(s.StartedAt) ?? kubeTime(s.FinishedAt),
          finishedAt: kubeTime(s.FinishedAt),
        }),
      };
    }
  }
  const status: ContainerStatus = {
    name: spec.name,
    state,
    lastState: {},
    ready,
    restartCount: c.RestartCount,
    image: spec.image,
    imageID: c.Image,
    containerID,
    started,
  };
  // Docker and Podman clear ExitCode when they restart a container, so the previous run's exit
  // comes from its die event. Until that event is read (the engine's events can trail its state,
  // and a restarted plugin saw none), a cleared 0 is no evidence: no lastState rather than a guess.
  const last =
    c.LastExit ??
    (s.ExitCode !== 0 ? { ExitCode: s.ExitCode, OOMKilled: s.OOMKilled, At: s.FinishedAt } : undefined);
  if (c.RestartCount > 0 && s.Status !== 'exited' && last) {
    const { ExitCode: exitCode, OOMKilled: oom } = last;
    const message = terminatedMessage('', c.TerminationMessage, share);
    status.lastState = {
      terminated: withTimes(
        {
          exitCode,
          reason: oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error',
          ...(message ? { message } : {}),
        },
        { finishedAt: kubeTime(last.At) },
      ),
    };
  }
  return status;
}

/** The status of a spec container that has no Docker container. */
export function statusWithoutContainer(spec: SpecContainer, absence: Absence): ContainerStatus {
  let state: ContainerState;
  switch (absence.kind) {
    case 'creating':
      state = {
        waiting: {
          reason: absence.reason ?? 'ContainerCreating',
          ...(absence.message ? { message: absence.message } : {}),
        },
      };
      break;
    case 'vanished':
      // What a kubelet reports for a container it can no longer find.
      state = {
        terminated: {
          exitCode: 137,
          reason: 'ContainerStatusUnknown',
          message: 'The container could not be located when the pod was terminated',
        },
      };
      break;
    case 'blocked-by-init':
      // The VK needs a terminal state here, or a pod whose init failed stays Pending.
      state = {
        terminated: withTimes(
          {
            exitCode: absence.exitCode === 0 ? 1 : absence.exitCode,
            reason: 'InitContainerFailed',
            message: `never started: init container ${absence.initName} failed with exit code ${absence.exitCode}`,
          },
          { finishedAt: kubeTime(absence.finishedAt) },
        ),
      };
      break;
  }
  return {
    name: spec.name,
    state,
    lastState: {},
    ready: false,
    restartCount: 0,
    image: spec.image,
    imageID: '',
    started: false,
  };
}
