/**
 * A pod's volumes as the kubelet would set them up, made of host files and directories that
 * containers mount. Layout: `<stateDir>/pods/<podUid>/volumes/<volumeName>/...`; the pod
 * directory is 0700, so other host users cannot read a secret, while containers (a bind mount
 * skips the parent's permissions) see each file with its Kubernetes mode.
 *
 * planPodVolumes decides everything and refuses bad specs with a 422 before anything exists;
 * the backend only carries the plan out (for Docker: src/docker/volumes/volume-files.ts writes the
 * files, volume-mounts.ts makes the `--mount` args).
 */
import { posix } from 'node:path';
import type {
  ConfigMap,
  Container,
  Pod,
  RetrievedPodData,
  Secret,
  Volume,
  VolumeMount,
} from '../contract/api-types.ts';
import { invalidField } from '../errors.ts';
import { memoryToBytes } from './quantity.ts';
import { FileSet, fileMode, normalSubPath, pointer, subPathProblem, underAllowed } from './volume-paths.ts';
import {
  asItems,
  collect,
  configMapEntries,
  keyedFiles,
  type Located,
  projectedFiles,
  secretEntries,
} from './volume-sources.ts';
import type { PlannedMount, PlannedVolume, VolumeOptions, VolumePlan } from './volume-types.ts';

const DEFAULT_MODE = 0o644;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SAFE_UID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const HOST_PATH_TYPES = new Set([
  '',
  'DirectoryOrCreate',
  'Directory',
  'FileOrCreate',
  'File',
  'Socket',
  'CharDevice',
  'BlockDevice',
]);
const SUPPORTED = ['configMap', 'secret', 'projected', 'downwardAPI', 'emptyDir', 'hostPath'] as const;
type Kind = (typeof SUPPORTED)[number];

/** Where a pod's files live; the pod UID must be a safe path segment. */
export function podStateDir(stateDir: string, podUid: string): string {
  if (!SAFE_UID.test(podUid))
    throw invalidField('/pod/metadata/uid', 'must be letters, digits, ".", "_" or "-"');
  return posix.join(stateDir, 'pods', podUid);
}

function volumeKind(volume: Volume, field: string): Kind {
  const kinds = Object.entries(volume)
    .filter(([key, value]) => key !== 'name' && value !== null && value !== undefined)
    .map(([key]) => key);
  // Kubernetes defaults a volume with no source to an emptyDir.
  if (kinds.length === 0) return 'emptyDir';
  if (kinds.length > 1)
    throw invalidField(field, `sets several volume kinds (${kinds.join(', ')}); a volume has one`);
  const kind = kinds[0] as string;
  if (!(SUPPORTED as readonly string[]).includes(kind)) {
    throw invalidField(
      `${field}/${pointer(kind)}`,
      `volume kind ${kind} is not supported by the Docker plugin`,
    );
  }
  return kind as Kind;
}

/** The pod's memory limit as the kubelet sizes Memory emptyDirs with it, if every container has one. */
function podMemoryLimit(pod: Pod): number | undefined {
  try {
    const limit = (c: Container) => c.resources?.limits?.memory;
    const main = pod.spec?.containers ?? [];
    if (main.length === 0 || main.some((c) => limit(c) === undefined)) return undefined;
    const sum = main.reduce((total, c) => total + memoryToBytes(limit(c) as string | number), 0);
    const init = (pod.spec?.initContainers ?? []).map((c) =>
      limit(c) === undefined ? 0 : memoryToBytes(limit(c) as string | number),
    );
    return Math.max(sum, ...init);
  } catch {
    // A bad quantity is reported by the resource arguments, with its field.
    return undefined;
  }
}

/**
 * Decides every volume file, directory and mount of a pod. Pure; throws a 422 naming the field
 * for anything that would escape a volume, an unknown volume, a refused hostPath, a missing
 * required object or key, or an unsupported volume kind.
 */
export function planPodVolumes(data: RetrievedPodData, options: VolumeOptions): VolumePlan {
  const pod = data.pod;
  const podDir = podStateDir(options.stateDir, pod.metadata.uid);
  const volumesDir = posix.join(podDir, 'volumes');
  const specVolumes = pod.spec?.volumes ?? [];
  const configMaps = collect<ConfigMap>(data, 'configMaps');
  const secrets = collect<Secret>(data, 'secrets');
  const projectedMaps = collect<ConfigMap>(data, 'projectedvolumemaps');

  const containers: Array<{ c: Container; field: string }> = [
    ...(pod.spec?.initContainers ?? []).map((c, i) => ({ c, field: `/pod/spec/initContainers/${i}` })),
    ...(pod.spec?.containers ?? []).map((c, i) => ({ c, field: `/pod/spec/containers/${i}` })),
  ];
  const used = new Set(containers.flatMap(({ c }) => (c.volumeMounts ?? []).map((m) => m.name)));

  const byName = new Map<string, { volume: PlannedVolume; index: number }>();
  specVolumes.forEach((volume, i) => {
    const field = `/pod/spec/volumes/${i}`;
    if (!DNS_LABEL.test(volume.name ?? ''))
      throw invalidField(`${field}/name`, 'must be a DNS label (a-z, 0-9, "-", at most 63)');
    if (byName.has(volume.name)) throw invalidField(`${field}/name`, `"${volume.name}" names two volumes`);
    const kind = volumeKind(volume, field);
    // interLink only sends the objects of mounted volumes, and an unmounted volume is never seen.
    if (!used.has(volume.name)) return;
    const planned = planVolume(pod, volume, kind, field, posix.join(volumesDir, volume.name), {
      configMaps,
      secrets,
      projectedMaps,
      options,
    });
    byName.set(volume.name, { volume: planned, index: i });
  });

  const mounts = new Map<string, PlannedMount[]>();
  for (const { c, field: containerField } of containers) {
    mounts.set(
      c.name,
      (c.volumeMounts ?? []).map((m, k) =>
        planMount(m, `${containerField}/volumeMounts/${k}`, byName, {
          container: c.name,
          privileged: c.securityContext?.privileged === true,
          options,
        }),
      ),
    );
  }

  return {
    podUid: pod.metadata.uid,
    podDir,
    volumes: [...byName.values()].sort((a, b) => a.index - b.index).map((v) => v.volume),
    mounts,
    fsGroup: pod.spec?.securityContext?.fsGroup ?? undefined,
    instance: options.instance,
    allowedHostPaths: options.allowedHostPaths,
  };
}

interface Sources {
  configMaps: Map<string, Located<ConfigMap>>;
  secrets: Map<string, Located<Secret>>;
  projectedMaps: Map<string, Located<ConfigMap>>;
  options: VolumeOptions;
}

function planVolume(
  pod: Pod,
  volume: Volume,
  kind: Kind,
  field: string,
  hostDir: string,
  src: Sources,
): PlannedVolume {
  const name = volume.name;
  const base = `${field}/${kind}`;
  switch (kind) {
    case 'configMap':
    case 'secret': {
      const isConfigMap = kind === 'configMap';
      const source = (isConfigMap ? volume.configMap : volume.secret) ?? {};
      const objectName = (isConfigMap ? volume.configMap?.name : volume.secret?.secretName) ?? '';
      const defaultMode = fileMode(source.defaultMode, `${base}/defaultMode`) ?? DEFAULT_MODE;
      const files = new FileSet();
      keyedFiles({
        kind: isConfigMap ? 'ConfigMap' : 'Secret',
        field: base,
        name: objectName,
        located: isConfigMap ? src.configMaps.get(objectName) : src.secrets.get(objectName),
        entries: isConfigMap ? configMapEntries : secretEntries,
        items: source.items,
        optional: !!source.optional,
        defaultMode,
        files,
      });
      return { name, kind: 'files', source: kind, hostDir, files: files.list() };
    }
    case 'projected':
    case 'downwardAPI': {
      const defaultMode = fileMode(volume[kind]?.defaultMode, `${base}/defaultMode`) ?? DEFAULT_MODE;
      const sources =
        kind === 'projected'
          ? (volume.projected?.sources ?? []).flatMap((source, k) =>
              (['configMap', 'secret', 'downwardAPI'] as const)
                .filter((s) => source?.[s])
                .map((s) => ({
                  items: asItems((source[s] as { items?: unknown }).items),
                  field: `${base}/sources/${k}/${s}`,
                  downward: s === 'downwardAPI',
                })),
            )
          : [{ items: asItems(volume.downwardAPI?.items), field: base, downward: true }];
      const files = new FileSet();
      projectedFiles({
        pod,
        rendered: src.projectedMaps.get(name),
        sources,
        defaultMode,
        files,
        nodeAllocatable: src.options.nodeAllocatable,
      });
      return { name, kind: 'files', source: kind, hostDir, files: files.list() };
    }
    case 'emptyDir': {
      const e = volume.emptyDir ?? {};
      const medium = e.medium ?? '';
      if (medium === '') {
        // sizeLimit on disk is enforced by kubelet eviction, which has no Docker equivalent: ignored.
        return { name, kind: 'emptyDir', hostDir };
      }
      if (medium !== 'Memory')
        throw invalidField(
          `${base}/medium`,
          `emptyDir medium ${medium} is not supported by the Docker plugin`,
        );
      let sizeBytes: number | undefined;
      if (e.sizeLimit !== undefined && e.sizeLimit !== null) {
        try {
          sizeBytes = memoryToBytes(e.sizeLimit);
        } catch (err) {
          throw invalidField(`${base}/sizeLimit`, (err as Error).message);
        }
      }
      const podLimit = podMemoryLimit(pod);
      if (podLimit !== undefined) sizeBytes = Math.min(sizeBytes ?? podLimit, podLimit);
      return { name, kind: 'memory', sizeBytes };
    }
    case 'hostPath': {
      const h = volume.hostPath ?? { path: '' };
      const raw = h.path ?? '';
      if (!raw.startsWith('/') || raw.includes('\0'))
        throw invalidField(`${base}/path`, 'must be an absolute path');
      const hostPath = posix.normalize(raw).replace(/(.)\/+$/, '$1');
      if (!underAllowed(hostPath, src.options.allowedHostPaths)) {
        const now = src.options.allowedHostPaths.length ? src.options.allowedHostPaths.join(',') : 'none';
        throw invalidField(
          `${base}/path`,
          `${hostPath} is not under an allowed host path; the plugin's PLUGIN_ALLOWED_HOST_PATHS (--allowed-host-paths) setting allows it (allowed now: ${now})`,
        );
      }
      // The state dir holds what steers the plugin (pod records, pins, the args of containers yet
      // to make): no pod may mount it, or a directory above it, whatever the operator allows.
      const stateDir = posix.normalize(src.options.stateDir).replace(/(.)\/+$/, '$1');
      if (underAllowed(hostPath, [stateDir]) || underAllowed(stateDir, [hostPath]))
        throw invalidField(
          `${base}/path`,
          `${hostPath} holds the plugin's state directory, which no pod may mount`,
        );
      const type = h.type ?? '';
      if (!HOST_PATH_TYPES.has(type))
        throw invalidField(`${base}/type`, `hostPath type ${type} is not a Kubernetes hostPath type`);
      return { name, kind: 'hostPath', hostPath, type, field: `${base}/path` };
    }
  }
}

const PROPAGATION: Record<string, PlannedMount['propagation']> = {
  None: undefined,
  HostToContainer: 'rslave',
  Bidirectional: 'rshared',
};

function planMount(
  m: VolumeMount,
  field: string,
  volumes: Map<string, { volume: PlannedVolume }>,
  { container, privileged, options }: { container: string; privileged: boolean; options: VolumeOptions },
): PlannedMount {
  const found = volumes.get(m.name);
  if (!found)
    throw invalidField(`${field}/name`, `names volume "${m.name}", which is not in /pod/spec/volumes`);
  const volume = found.volume;
  if (!m.mountPath?.startsWith('/') || m.mountPath.includes('\0'))
    throw invalidField(`${field}/mountPath`, 'must be an absolute path');
  if (m.subPathExpr)
    throw invalidField(
      `${field}/subPathExpr`,
      'subPathExpr is not supported by the Docker plugin; use subPath',
    );
  const problem = m.subPath ? subPathProblem(m.subPath) : undefined;
  if (problem) throw invalidField(`${field}/subPath`, problem);
  const subPath = normalSubPath(m.subPath);
  if (subPath && volume.kind === 'memory') {
    // Docker volume sub-paths need engine 26+; a bind of the tmpfs would not keep it alive.
    throw invalidField(
      `${field}/subPath`,
      'subPath into a Memory emptyDir is not supported by the Docker plugin',
    );
  }
  // A subPath into a volume a container can write must be pinned (src/docker/volumes/subpath-pins.ts):
  // otherwise a container swaps it for a symlink and the next start mounts what it points at.
  const subPathPin = subPath !== '' && (volume.kind === 'emptyDir' || volume.kind === 'hostPath');
  if (subPathPin && !options.subPathPins) {
    throw invalidField(
      `${field}/subPath`,
      `container "${container}" mounts volume "${m.name}" with subPath ${subPath}, which this plugin must pin with a bind mount so that no container can swap it for a symlink; it cannot make mounts that Docker sees where it runs: run it as root with CAP_SYS_ADMIN in the host's mount namespace (docs/security-subpath.md), or mount the whole volume`,
    );
  }
  const propagationName = m.mountPropagation ?? 'None';
  if (!Object.hasOwn(PROPAGATION, propagationName)) {
    throw invalidField(`${field}/mountPropagation`, 'must be None, HostToContainer or Bidirectional');
  }
  // The API server's own rule: a mount the container makes must not reach the host unless it is privileged.
  if (propagationName === 'Bidirectional' && !privileged)
    throw invalidField(
      `${field}/mountPropagation`,
      'Bidirectional mount propagation is available only to privileged containers',
    );
  // A whole hostPath is pinned too where pins can be made: another pod that may write its allowed
  // directory could swap one of its components for a symlink. Not one with mount propagation: a
  // pin is a private mount, so the host's mounts would not reach the container (docs/security-subpath.md).
  const pin =
    subPathPin ||
    (volume.kind === 'hostPath' && options.subPathPins && PROPAGATION[propagationName] === undefined);
  return {
    volume: m.name,
    planned: volume,
    bindSource: bindSource(volume, subPath),
    target: m.mountPath,
    // configMap, secret, projected and downwardAPI volumes are read-only in Kubernetes too.
    readOnly: volume.kind === 'files' || !!m.readOnly,
    subPath,
    pin,
    propagation:
      volume.kind === 'files' || volume.kind === 'memory' ? undefined : PROPAGATION[propagationName],
    field,
  };
}

/** The host path a bind mount of this volume (and subPath) uses. */
function bindSource(volume: PlannedVolume, subPath: string): string {
  const root = volume.kind === 'hostPath' ? volume.hostPath : volume.kind === 'memory' ? '' : volume.hostDir;
  return subPath ? posix.join(root, subPath) : root;
}
