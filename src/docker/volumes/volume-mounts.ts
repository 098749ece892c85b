/** A planned pod's volumes as `docker --mount` arguments, for its containers and its sandbox. */
import type { VolumePlan } from '../../pod/volume-types.ts';
import { memoryVolumeFields, memoryVolumeName } from './memory-volumes.ts';
import { pinPoint } from './subpath-pins.ts';

/** One field of a `--mount` value: Docker reads the value as CSV, so quote commas and quotes. */
function csvField(keyValue: string): string {
  return /[",\r\n]/.test(keyValue) ? `"${keyValue.replaceAll('"', '""')}"` : keyValue;
}

const mountValue = (fields: string[]) => fields.map(csvField).join(',');

/**
 * `--mount` args for one container, in its volumeMounts order. A Memory emptyDir is a Docker
 * volume created on first use; everything else is a bind of a host path that writePodVolumes made
 * (a subPath into a writable volume: of its pin).
 */
export function mountArgsFor(plan: VolumePlan, containerName: string): string[] {
  return (plan.mounts.get(containerName) ?? []).flatMap((m, index) => {
    const volume = m.planned;
    const fields =
      volume.kind === 'memory'
        ? [
            'type=volume',
            `source=${memoryVolumeName(plan.podUid, volume.name)}`,
            `target=${m.target}`,
            ...memoryVolumeFields(plan, volume),
          ]
        : [
            'type=bind',
            // A pinned subPath is bound from its pin, which no container can change (subpath-pins.ts).
            `source=${m.pin ? pinPoint(plan.podDir, containerName, index) : m.bindSource}`,
            `target=${m.target}`,
          ];
    if (m.readOnly) fields.push('readonly');
    if (m.propagation) fields.push(`bind-propagation=${m.propagation}`);
    return ['--mount', mountValue(fields)];
  });
}

/**
 * The `--mount` of a container's termination message file (`file`, made by termination-files.ts)
 * at the path the pod gives, read-write as the kubelet mounts it; none when the path is empty, or
 * when a volume is mounted at that very path (Docker refuses two mounts at one target).
 */
export function terminationMountArgs(
  plan: VolumePlan,
  containerName: string,
  file: string,
  target: string,
): string[] {
  if (target === '' || (plan.mounts.get(containerName) ?? []).some((m) => m.target === target)) return [];
  return ['--mount', mountValue(['type=bind', `source=${file}`, `target=${target}`])];
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
            `source=${memoryVolumeName(plan.podUid, volume.name)}`,
            `target=/.interlink/volumes/${volume.name}`,
            ...memoryVolumeFields(plan, volume),
          ]),
        ]
      : [],
  );
}
