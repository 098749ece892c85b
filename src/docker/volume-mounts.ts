/** A planned pod's volumes as `docker --mount` arguments, for its containers and its sandbox. */
import { bindSource, findVolume, type PlannedVolume, type VolumePlan } from './volume-plan.ts';

/** One field of a `--mount` value: Docker reads the value as CSV, so quote commas and quotes. */
function csvField(keyValue: string): string {
  return /[",\r\n]/.test(keyValue) ? `"${keyValue.replaceAll('"', '""')}"` : keyValue;
}

const mountValue = (fields: string[]) => fields.map(csvField).join(',');

/** `volume-opt`s that make Docker's local driver put the volume on tmpfs, with kubelet's 0777 (setgid with fsGroup). */
function memoryVolumeFields(plan: VolumePlan, volume: Extract<PlannedVolume, { kind: 'memory' }>): string[] {
  const o = [
    volume.sizeBytes !== undefined ? `size=${volume.sizeBytes}` : '',
    plan.fsGroup !== undefined ? `gid=${plan.fsGroup}` : '',
    `mode=${plan.fsGroup !== undefined ? '2777' : '0777'}`,
  ];
  return [
    'volume-driver=local',
    'volume-opt=type=tmpfs',
    'volume-opt=device=tmpfs',
    `volume-opt=o=${o.filter(Boolean).join(',')}`,
    ...Object.entries(plan.dockerVolumeLabels).map(([k, v]) => `volume-label=${k}=${v}`),
  ];
}

/**
 * `--mount` args for one container, in its volumeMounts order. A Memory emptyDir is a Docker
 * volume created on first use; everything else is a bind of a host path that writePodVolumes made.
 */
export function mountArgsFor(plan: VolumePlan, containerName: string): string[] {
  return (plan.mounts.get(containerName) ?? []).flatMap((m) => {
    const volume = findVolume(plan, m.volume);
    const fields =
      volume.kind === 'memory'
        ? [
            'type=volume',
            `source=${volume.dockerVolume}`,
            `target=${m.target}`,
            ...memoryVolumeFields(plan, volume),
          ]
        : ['type=bind', `source=${bindSource(volume, m.subPath)}`, `target=${m.target}`];
    if (m.readOnly) fields.push('readonly');
    if (m.propagation) fields.push(`bind-propagation=${m.propagation}`);
    return ['--mount', mountValue(fields)];
  });
}

/**
 * `--mount` args for the pod sandbox: it mounts every Memory emptyDir so the tmpfs stays mounted
 * (and keeps its files) for the pod's life. Docker's local driver unmounts a tmpfs volume, losing
 * its content, as soon as no running container uses it: without this an init container's files
 * would be gone before the main containers start, and a restarting container would lose them.
 */
export function sandboxMountArgs(plan: VolumePlan): string[] {
  return plan.volumes.flatMap((volume) =>
    volume.kind === 'memory'
      ? [
          '--mount',
          mountValue([
            'type=volume',
            `source=${volume.dockerVolume}`,
            `target=/.interlink/volumes/${volume.name}`,
            ...memoryVolumeFields(plan, volume),
          ]),
        ]
      : [],
  );
}
