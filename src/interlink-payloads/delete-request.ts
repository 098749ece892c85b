/** The POST /delete body: the pod as stored in the cluster, marked for deletion. */
import type { Container, Pod } from '../contract/api-types.ts';
import { k8sTime } from './cluster-objects.ts';
import { podCondition, VK_SERVICE_ENV } from './pod.ts';

/**
 * The pod with env as stored (without the Virtual Kubelet's additions), deletionTimestamp and grace
 * period set, and the status the Virtual Kubelet writes just before it calls delete.
 */
export function deleteRequest(pod: Pod, opts: { jid?: string; gracePeriodSeconds?: number } = {}): Pod {
  const sent: Pod = structuredClone(pod);
  const grace = opts.gracePeriodSeconds ?? sent.spec?.terminationGracePeriodSeconds ?? 30;
  const now = new Date();
  const meta = sent.metadata;
  sent.metadata = {
    name: meta.name,
    ...(meta.generateName !== undefined ? { generateName: meta.generateName } : {}),
    namespace: meta.namespace,
    uid: meta.uid,
    resourceVersion: meta.resourceVersion,
    creationTimestamp: meta.creationTimestamp,
    deletionTimestamp: k8sTime(new Date(now.getTime() + grace * 1000)),
    deletionGracePeriodSeconds: grace,
    ...(meta.labels ? { labels: meta.labels } : {}),
    ...(opts.jid !== undefined || meta.annotations
      ? { annotations: { ...meta.annotations, ...(opts.jid !== undefined ? { JobID: opts.jid } : {}) } }
      : {}),
    managedFields: meta.managedFields,
  };
  if (sent.spec) {
    for (const c of [...(sent.spec.initContainers ?? []), ...sent.spec.containers]) stripVkEnv(c);
  }
  const terminated = (s: Record<string, unknown>) => ({
    ...s,
    state: {
      terminated: {
        exitCode: 0,
        reason: 'VKProviderPodContainerDeleted',
        message: 'VK provider terminated container upon deletion',
        startedAt: null,
        finishedAt: k8sTime(now),
      },
    },
    ready: false,
  });
  if (sent.status) {
    const status = sent.status as NonNullable<Pod['status']> & { reason?: string };
    status.phase = 'Succeeded';
    status.conditions = [...(status.conditions ?? []), podCondition('Ready', 'False')];
    if (status.initContainerStatuses)
      status.initContainerStatuses = status.initContainerStatuses.map(terminated);
    if (status.containerStatuses) status.containerStatuses = status.containerStatuses.map(terminated);
    status.reason = 'VKProviderPodDeleted';
  }
  return sent;
}

/** Removes the trailing VK_SERVICE_ENV entries buildPod appended. */
function stripVkEnv(c: Container): void {
  const env = c.env ?? [];
  const n = VK_SERVICE_ENV.length;
  const tail = env.slice(-n);
  const isVkTail =
    tail.length === n &&
    tail.every((e, i) => e.name === VK_SERVICE_ENV[i]?.name && e.value === VK_SERVICE_ENV[i]?.value);
  const kept = isVkTail ? env.slice(0, -n) : env;
  if (kept.length > 0) c.env = kept;
  else delete c.env;
}
