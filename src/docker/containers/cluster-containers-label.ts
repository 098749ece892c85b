/**
 * The containers a partially offloaded pod keeps in the cluster, written on the pod's anchor
 * container at create: a log request carries only the pod's UID, and after a restart the plugin
 * must still tell "runs in the cluster" from "no such container".
 */
import type { ClusterContainers } from '../../pod/partial-offload.ts';
import { LABEL } from '../labels.ts';

/** `--label` args for the anchor; none for a pod that runs every container here (undefined). */
export function clusterContainersLabel(cluster: ClusterContainers | undefined): string[] {
  if (!cluster) return [];
  return ['--label', `${LABEL.clusterContainers}=${JSON.stringify(cluster)}`];
}

/** The containers the cluster runs, as recorded on the anchor's labels. */
export function clusterContainersFromLabels(
  labels: Record<string, string> | null | undefined,
): ClusterContainers {
  const none = { main: [], init: [] };
  const raw = labels?.[LABEL.clusterContainers];
  if (!raw) return none;
  try {
    const parsed = JSON.parse(raw) as Partial<ClusterContainers>;
    const list = (v: unknown) =>
      Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [];
    return { main: list(parsed.main), init: list(parsed.init) };
  } catch {
    return none;
  }
}
