/**
 * Per-pod and per-container usage samples, named as the kubelet names them: `namespace`, `pod`,
 * `container` (empty for the pod's own cgroup, as cAdvisor labels it). Running containers only:
 * an exited container's cgroup is gone; its pod's stays until the pod is deleted.
 */
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';
import { type CgroupLayout, containerCgroupLeaf, podCgroupPath } from './cgroup-layout.ts';
import { readCgroupUsage } from './cgroup-usage.ts';

export interface UsageSample {
  /** The pod's UID (not a label: what a sample of a deleted pod is left out by). */
  uid: string;
  namespace: string;
  pod: string;
  /** '' for the pod's cgroup as a whole. */
  container: string;
  cpuSeconds?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  /** OOM kills of this container so far (every run). */
  oomEvents?: number;
}

export async function podUsage(
  layout: CgroupLayout | undefined,
  pods: ReadonlyArray<readonly [string, readonly ContainerInspect[]]>,
  oomKills: (id: string) => number,
): Promise<UsageSample[]> {
  const out: UsageSample[] = [];
  let read = 0;
  for (const [uid, containers] of pods) {
    const labels = containers[0]?.Config.Labels ?? {};
    const pod = { uid, namespace: labels[LABEL.podNamespace] ?? '', pod: labels[LABEL.podName] ?? '' };
    const podPath = layout ? podCgroupPath(layout, uid) : undefined;
    const sample = (container: string, path: string | undefined, oomEvents?: number) => {
      const usage = layout && path ? readCgroupUsage(layout, path) : undefined;
      out.push({ ...pod, container, ...usage, ...(oomEvents !== undefined ? { oomEvents } : {}) });
    };
    // Reads are synchronous: /status and /create get their turn every few dozen pods.
    if (++read % 32 === 0) await new Promise((r) => setImmediate(r));
    sample('', podPath);
    for (const c of containers) {
      const role = c.Config.Labels?.[LABEL.role];
      const name = c.Config.Labels?.[LABEL.containerName];
      if ((role !== 'main' && role !== 'init') || !name) continue;
      const path =
        layout && podPath && c.State.Running
          ? `${podPath}/${containerCgroupLeaf(layout.driver, c.Id)}`
          : undefined;
      sample(name, path, oomKills(c.Id));
    }
  }
  return out;
}
