/**
 * Memory emptyDirs as Docker volumes on tmpfs: their names, their labels and the `volume-opt`s
 * of Docker's local driver.
 */
import type { Pod } from '../../contract/api-types.ts';
import type { PlannedVolume, VolumePlan } from '../../pod/volume-types.ts';
import { LABEL } from '../labels.ts';

/** Name of the Docker volume holding a Memory emptyDir. */
export function memoryVolumeName(podUid: string, volumeName: string): string {
  return `k8s-emptydir_${podUid}_${volumeName}`;
}

/** The Docker volumes a pod's Memory emptyDirs use: `docker volume rm` them once its containers are gone. */
export function podDockerVolumes(pod: Pod): string[] {
  return (pod.spec?.volumes ?? [])
    .filter((v) => v.emptyDir?.medium === 'Memory')
    .map((v) => memoryVolumeName(pod.metadata.uid, v.name));
}

/** The labels of a pod's Memory emptyDir volumes: its UID, and the owner for cleanup. */
function memoryVolumeLabels(plan: VolumePlan): Record<string, string> {
  const labels: Record<string, string> = { [LABEL.podUid]: plan.podUid };
  if (plan.instance) labels[LABEL.owner] = plan.instance;
  return labels;
}

/** The tmpfs mount options of a Memory emptyDir: its size, and kubelet's 0777 (setgid with fsGroup). */
function tmpfsOptions(
  plan: VolumePlan,
  volume: Extract<PlannedVolume, { kind: 'memory' }>,
  withSize: boolean,
): string {
  return [
    withSize && volume.sizeBytes !== undefined ? `size=${volume.sizeBytes}` : '',
    plan.fsGroup !== undefined ? `gid=${plan.fsGroup}` : '',
    `mode=${plan.fsGroup !== undefined ? '2777' : '0777'}`,
  ]
    .filter(Boolean)
    .join(',');
}

/**
 * `--mount` fields (after type, source and target) that make Docker's local driver put the
 * volume on tmpfs, with kubelet's 0777 (setgid with fsGroup).
 */
export function memoryVolumeFields(
  plan: VolumePlan,
  volume: Extract<PlannedVolume, { kind: 'memory' }>,
): string[] {
  return [
    'volume-driver=local',
    'volume-opt=type=tmpfs',
    'volume-opt=device=tmpfs',
    `volume-opt=o=${tmpfsOptions(plan, volume, true)}`,
    ...Object.entries(memoryVolumeLabels(plan)).map(([k, v]) => `volume-label=${k}=${v}`),
  ];
}

/**
 * `docker volume create` arguments making a pod's Memory emptyDirs before its containers, for an
 * engine that ignores `volume-opt` in `--mount` (Podman). Without their size: Podman 4 takes a
 * local volume's `size=` for a disk quota and refuses it; the pod's memory cgroup still bounds
 * what the tmpfs holds.
 */
export function memoryVolumeCreateArgs(plan: VolumePlan): string[][] {
  return plan.volumes.flatMap((volume) =>
    volume.kind === 'memory'
      ? [
          [
            '--driver',
            'local',
            '--opt',
            'type=tmpfs',
            '--opt',
            'device=tmpfs',
            '--opt',
            `o=${tmpfsOptions(plan, volume, false)}`,
            ...Object.entries(memoryVolumeLabels(plan)).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
            memoryVolumeName(plan.podUid, volume.name),
          ],
        ]
      : [],
  );
}
