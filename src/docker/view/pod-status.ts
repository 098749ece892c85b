/** A pod's Docker containers → interLink's PodStatus, every spec container and init container listed. */
import type { Container, ContainerStatus, Pod, PodStatus } from '../../contract/api-types.ts';
import { podMessageShare } from '../../pod/termination-message.ts';
import { podIdentity, podJobId } from '../naming.ts';
import { statusFromInspect, statusWithoutContainer } from './container-status.ts';
import { type NextStep, neverStarted, nextStep, type PodContainers } from './pod-containers.ts';

/** What the plugin knows about a pod besides Docker's state (failures before a container existed). */
export interface PodNotes {
  /** Create is still running for this pod. */
  creating?: boolean;
  /** Per container: why it has no Docker container (e.g. an image that could not be pulled). */
  waiting?: (containerName: string) => { reason: string; message: string } | undefined;
  /** By container ID: false while probes or a postStart hook hold readiness back; undefined = running is ready. */
  readiness?: (containerId: string) => boolean | undefined;
  /** By container ID: false while the startup probe has not succeeded. */
  started?: (containerId: string) => boolean | undefined;
}

export function podStatus(pod: Pod, containers: PodContainers, notes: PodNotes = {}): PodStatus {
  const step: NextStep = nextStep(pod, containers);
  const spec = pod.spec;
  const messageShare = podMessageShare((spec?.containers ?? []).length + (spec?.initContainers ?? []).length);
  const one = (
    c: Container,
    docker: PodContainers['init'] | PodContainers['main'],
    isMain: boolean,
  ): ContainerStatus => {
    const found = docker.get(c.name);
    const waiting = notes.waiting?.(c.name);
    if (!found) {
      if (waiting) return statusWithoutContainer(c, { kind: 'creating', ...waiting });
      if (notes.creating) return statusWithoutContainer(c, { kind: 'creating' });
      return statusWithoutContainer(c, { kind: 'vanished' });
    }
    if (neverStarted(found)) {
      // After an init container failed, whatever never started never will: say so, or the VK waits forever.
      if (step.kind === 'failed') {
        return statusWithoutContainer(c, {
          kind: 'blocked-by-init',
          initName: step.failure.name,
          exitCode: step.failure.exitCode,
          finishedAt: step.failure.finishedAt,
        });
      }
      // Not started by the plugin (an unsafe subPath: pin-gate.ts): why, as the kubelet says it.
      if (waiting) return statusWithoutContainer(c, { kind: 'creating', ...waiting });
      return statusFromInspect(c, found, {
        waitingForInit: !isMain || (spec?.initContainers ?? []).length > 0,
        messageShare,
      });
    }
    if (!isMain) {
      // kubelet: an init container is ready once it has completed, not while it runs.
      const status = statusFromInspect(c, found, { messageShare });
      status.ready = status.state.terminated?.exitCode === 0;
      return status;
    }
    return statusFromInspect(c, found, {
      ready: notes.readiness?.(found.Id),
      started: notes.started?.(found.Id),
      messageShare,
    });
  };
  return {
    name: pod.metadata.name,
    UID: pod.metadata.uid,
    namespace: pod.metadata.namespace || 'default',
    JID: podJobId(podIdentity(pod)),
    initContainers: (spec?.initContainers ?? []).map((c) => one(c, containers.init, false)),
    containers: (spec?.containers ?? []).map((c) => one(c, containers.main, true)),
  };
}
