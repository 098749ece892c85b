/**
 * A pod's volumes as the kubelet would set them up, made of host files and directories that
 * containers bind-mount. Layout: `<stateDir>/pods/<podUid>/volumes/<volumeName>/...`; the pod
 * directory is 0700, so other host users cannot read a secret, while containers (a bind mount
 * skips the parent's permissions) see each file with its Kubernetes mode.
 *
 * planPodVolumes decides everything and refuses bad specs with a 422 before anything exists;
 * writePodVolumes only carries the plan out.
 */
import { randomBytes } from 'node:crypto';
import { constants as FS, promises as fs } from 'node:fs';
import { posix } from 'node:path';
import type {
  ConfigMap,
  Container,
  Pod,
  RetrievedPodData,
  Secret,
  Volume,
  VolumeMount,
} from '../api-types.ts';
import { invalidField, PluginError } from '../errors.ts';
import { ContainerConfigError, containerResourceValue, podFieldValue } from '../pod/env.ts';
import { memoryToBytes } from '../pod/quantity.ts';
import { LABEL } from './labels.ts';

export interface VolumeFile {
  /** Relative to the volume's directory, normalised, never escaping it. */
  path: string;
  content: Buffer;
  mode: number;
}

export type PlannedVolume =
  /** configMap, secret, projected or downwardAPI: files written once, always mounted read-only. */
  | {
      name: string;
      kind: 'files';
      source: 'configMap' | 'secret' | 'projected' | 'downwardAPI';
      hostDir: string;
      files: VolumeFile[];
    }
  /** A disk-backed emptyDir, shared by the pod's containers. */
  | { name: string; kind: 'emptyDir'; hostDir: string }
  /** A `medium: Memory` emptyDir: a Docker volume on tmpfs (see memoryVolumeOptions). */
  | { name: string; kind: 'memory'; dockerVolume: string; sizeBytes: number | undefined }
  | { name: string; kind: 'hostPath'; hostPath: string; type: string; field: string };

export interface PlannedMount {
  volume: string;
  target: string;
  readOnly: boolean;
  /** Normalised, '' for the whole volume. */
  subPath: string;
  /** Docker bind-propagation, when the spec asks for one. */
  propagation: 'rslave' | 'rshared' | undefined;
  /** JSON pointer of the volumeMount, for errors found while writing. */
  field: string;
}

export interface VolumePlan {
  podUid: string;
  podDir: string;
  /** Only the volumes some container mounts: interLink sends objects for those only. */
  volumes: PlannedVolume[];
  /** Container name → its mounts, in volumeMounts order. */
  mounts: Map<string, PlannedMount[]>;
  /** pod.spec.securityContext.fsGroup: volume files get this group, as the kubelet does. */
  fsGroup: number | undefined;
  /** Labels of the Docker volumes made for Memory emptyDirs. */
  dockerVolumeLabels: Record<string, string>;
  /** Re-checked when writing: a symlink under an allowed directory must not lead out of it. */
  allowedHostPaths: readonly string[];
}

export interface VolumeOptions {
  stateDir: string;
  allowedHostPaths: readonly string[];
  /** The owner label value, put on Docker volumes made for Memory emptyDirs. */
  instance?: string;
}

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

const pointer = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** Why a file path from a spec or an object would not stay inside its volume, if it would not. */
function filePathProblem(p: string): string | undefined {
  if (p === '') return 'must not be empty';
  if (p.includes('\0')) return 'must not contain a NUL byte';
  if (p.startsWith('/')) return 'must be a relative path inside the volume';
  if (p.length > 4096) return 'must be at most 4096 characters';
  const parts = p.split('/');
  if (parts.includes('..')) return "must not contain a '..' segment";
  if ((parts[0] as string).startsWith('..')) return "must not start with '..'";
  if (parts.some((part) => part.length > 255)) return 'must have file names of at most 255 characters';
  const normal = posix.normalize(p);
  if (normal === '.' || normal.endsWith('/')) return 'must name a file inside the volume';
  return undefined;
}

function subPathProblem(p: string): string | undefined {
  if (p.includes('\0')) return 'must not contain a NUL byte';
  if (p.startsWith('/')) return 'must be a relative path inside the volume';
  if (p.split('/').includes('..')) return "must not contain a '..' segment";
  return undefined;
}

function normalSubPath(p: string | undefined): string {
  if (!p) return '';
  const normal = posix.normalize(p).replace(/\/+$/, '');
  return normal === '.' ? '' : normal;
}

function fileMode(mode: unknown, field: string): number | undefined {
  if (mode === undefined || mode === null) return undefined;
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw invalidField(field, 'must be a file mode between 0 and 0777 (511)');
  }
  return mode;
}

interface Located<T> {
  object: T;
  field: string;
}

/** Objects by name from every container entry: one object may come in several entries. */
function collect<T extends ConfigMap | Secret>(
  data: RetrievedPodData,
  list: 'configMaps' | 'secrets' | 'projectedvolumemaps',
): Map<string, Located<T>> {
  const found = new Map<string, Located<T>>();
  (data.container ?? []).forEach((entry, ci) => {
    ((entry[list] ?? []) as T[]).forEach((object, oi) => {
      const name = object?.metadata?.name;
      if (name !== undefined && !found.has(name))
        found.set(name, { object, field: `/container/${ci}/${list}/${oi}` });
    });
  });
  return found;
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

/** Collects a volume's files, refusing duplicate or file-versus-directory paths. */
class FileSet {
  private readonly files = new Map<string, VolumeFile>();
  private readonly dirs = new Set<string>();

  has(path: string): boolean {
    return this.files.has(posix.normalize(path));
  }

  add(path: string, content: Buffer, mode: number, field: string): void {
    const problem = filePathProblem(path);
    if (problem) throw invalidField(field, problem);
    const normal = posix.normalize(path);
    if (this.files.has(normal) || this.dirs.has(normal))
      throw invalidField(field, `puts two things at ${normal}`);
    const parts = normal.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (this.files.has(dir)) throw invalidField(field, `needs ${dir} to be a directory, but it is a file`);
      this.dirs.add(dir);
    }
    this.files.set(normal, { path: normal, content, mode });
  }

  list(): VolumeFile[] {
    return [...this.files.values()];
  }
}

type KeyToPathLike = { key?: unknown; path?: unknown; mode?: unknown };

/** configMap and secret volumes: listed items only, or every key; a missing key is refused unless optional. */
function keyedFiles(
  kindName: 'ConfigMap' | 'Secret',
  base: string,
  name: string,
  located: Located<ConfigMap | Secret> | undefined,
  entries: (object: ConfigMap | Secret) => Map<string, Buffer>,
  items: KeyToPathLike[] | null | undefined,
  optional: boolean,
  defaultMode: number,
  files: FileSet,
  itemsField: string,
): void {
  if (!located) {
    if (optional) return;
    throw invalidField(
      `${base}/${kindName === 'ConfigMap' ? 'name' : 'secretName'}`,
      `names ${kindName} "${name}", which was not sent with the pod`,
    );
  }
  const data = entries(located.object);
  if (items && items.length > 0) {
    items.forEach((item, j) => {
      const key = String(item.key ?? '');
      const content = data.get(key);
      if (content === undefined) {
        if (optional) return;
        throw invalidField(
          `${itemsField}/${j}/key`,
          `names key "${key}", which ${kindName} "${name}" does not have`,
        );
      }
      const mode = fileMode(item.mode, `${itemsField}/${j}/mode`) ?? defaultMode;
      files.add(String(item.path ?? ''), content, mode, `${itemsField}/${j}/path`);
    });
    return;
  }
  for (const [key, content] of data)
    files.add(key, content, defaultMode, `${located.field}/data/${pointer(key)}`);
}

function configMapEntries(object: ConfigMap | Secret): Map<string, Buffer> {
  const cm = object as ConfigMap;
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

function secretEntries(object: ConfigMap | Secret): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries((object as Secret).data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

type DownwardItem = {
  path?: unknown;
  mode?: unknown;
  fieldRef?: { fieldPath?: unknown; apiVersion?: unknown } | null;
  resourceFieldRef?: { containerName?: unknown; resource?: unknown; divisor?: unknown } | null;
};

/** A downward API item rendered here, for what interLink did not pre-render (labels, annotations, resources). */
function renderDownwardItem(pod: Pod, item: DownwardItem, field: string): Buffer {
  try {
    if (item.fieldRef) {
      const apiVersion = typeof item.fieldRef.apiVersion === 'string' ? item.fieldRef.apiVersion : undefined;
      return Buffer.from(podFieldValue(pod, String(item.fieldRef.fieldPath ?? ''), {}, apiVersion), 'utf8');
    }
    if (item.resourceFieldRef) {
      const ref = item.resourceFieldRef;
      const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
      const container = all.find((c) => c.name === ref.containerName);
      if (!container) throw new ContainerConfigError(`container ${String(ref.containerName)} not found`);
      const divisor =
        typeof ref.divisor === 'string' || typeof ref.divisor === 'number' ? ref.divisor : undefined;
      return Buffer.from(containerResourceValue(container, String(ref.resource ?? ''), divisor), 'utf8');
    }
  } catch (err) {
    if (err instanceof ContainerConfigError) throw invalidField(field, `cannot be rendered: ${err.message}`);
    throw err;
  }
  throw invalidField(field, 'has neither fieldRef nor resourceFieldRef');
}

/**
 * projected and downwardAPI volumes: the content interLink pre-rendered (keyed by the volume's
 * name), byte for byte; the modes come from the pod spec only. Downward API items interLink
 * left out are rendered here from the pod.
 */
function projectedFiles(
  pod: Pod,
  rendered: Located<ConfigMap> | undefined,
  sources: Array<{ items: DownwardItem[]; field: string; downward: boolean }>,
  defaultMode: number,
  files: FileSet,
): void {
  const modes = new Map<string, number>();
  for (const source of sources) {
    source.items.forEach((item, j) => {
      const mode = fileMode(item.mode, `${source.field}/items/${j}/mode`);
      if (mode !== undefined && typeof item.path === 'string') modes.set(posix.normalize(item.path), mode);
    });
  }
  const modeOf = (path: string) => modes.get(posix.normalize(path)) ?? defaultMode;
  if (rendered) {
    for (const [path, content] of configMapEntries(rendered.object)) {
      files.add(path, content, modeOf(path), `${rendered.field}/data/${pointer(path)}`);
    }
  }
  for (const source of sources.filter((s) => s.downward)) {
    source.items.forEach((item, j) => {
      const path = String(item.path ?? '');
      if (files.has(path)) return;
      files.add(
        path,
        renderDownwardItem(pod, item, `${source.field}/items/${j}`),
        modeOf(path),
        `${source.field}/items/${j}/path`,
      );
    });
  }
}

function asItems(value: unknown): DownwardItem[] {
  return Array.isArray(value) ? (value as DownwardItem[]) : [];
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

function underAllowed(path: string, allowed: readonly string[]): boolean {
  return allowed.some((prefix) => {
    const p = posix.normalize(prefix).replace(/\/+$/, '');
    return p === '' || path === p || path.startsWith(`${p}/`);
  });
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
      (c.volumeMounts ?? []).map((m, k) => planMount(m, `${containerField}/volumeMounts/${k}`, byName)),
    );
  }

  const labels: Record<string, string> = { [LABEL.podUid]: pod.metadata.uid };
  if (options.instance) labels[LABEL.owner] = options.instance;
  return {
    podUid: pod.metadata.uid,
    podDir,
    volumes: [...byName.values()].sort((a, b) => a.index - b.index).map((v) => v.volume),
    mounts,
    fsGroup: pod.spec?.securityContext?.fsGroup ?? undefined,
    dockerVolumeLabels: labels,
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
    case 'configMap': {
      const cm = volume.configMap ?? {};
      const files = new FileSet();
      const defaultMode = fileMode(cm.defaultMode, `${base}/defaultMode`) ?? DEFAULT_MODE;
      const cmName = cm.name ?? '';
      keyedFiles(
        'ConfigMap',
        base,
        cmName,
        src.configMaps.get(cmName),
        configMapEntries,
        cm.items,
        !!cm.optional,
        defaultMode,
        files,
        `${base}/items`,
      );
      return { name, kind: 'files', source: 'configMap', hostDir, files: files.list() };
    }
    case 'secret': {
      const s = volume.secret ?? {};
      const files = new FileSet();
      const defaultMode = fileMode(s.defaultMode, `${base}/defaultMode`) ?? DEFAULT_MODE;
      const sName = s.secretName ?? '';
      keyedFiles(
        'Secret',
        base,
        sName,
        src.secrets.get(sName),
        secretEntries,
        s.items,
        !!s.optional,
        defaultMode,
        files,
        `${base}/items`,
      );
      return { name, kind: 'files', source: 'secret', hostDir, files: files.list() };
    }
    case 'projected': {
      const p = volume.projected ?? {};
      const defaultMode = fileMode(p.defaultMode, `${base}/defaultMode`) ?? DEFAULT_MODE;
      const sources = (p.sources ?? []).flatMap((source, k) =>
        (['configMap', 'secret', 'downwardAPI'] as const)
          .filter((s) => source?.[s])
          .map((s) => ({
            items: asItems((source[s] as { items?: unknown }).items),
            field: `${base}/sources/${k}/${s}`,
            downward: s === 'downwardAPI',
          })),
      );
      const files = new FileSet();
      projectedFiles(pod, src.projectedMaps.get(name), sources, defaultMode, files);
      return { name, kind: 'files', source: 'projected', hostDir, files: files.list() };
    }
    case 'downwardAPI': {
      const d = volume.downwardAPI ?? {};
      const defaultMode = fileMode(d.defaultMode, `${base}/defaultMode`) ?? DEFAULT_MODE;
      const files = new FileSet();
      const sources = [{ items: asItems(d.items), field: base, downward: true }];
      projectedFiles(pod, src.projectedMaps.get(name), sources, defaultMode, files);
      return { name, kind: 'files', source: 'downwardAPI', hostDir, files: files.list() };
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
      return { name, kind: 'memory', dockerVolume: memoryVolumeName(pod.metadata.uid, name), sizeBytes };
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
  const propagationName = m.mountPropagation ?? 'None';
  if (!Object.hasOwn(PROPAGATION, propagationName)) {
    throw invalidField(`${field}/mountPropagation`, 'must be None, HostToContainer or Bidirectional');
  }
  return {
    volume: m.name,
    target: m.mountPath,
    // configMap, secret, projected and downwardAPI volumes are read-only in Kubernetes too.
    readOnly: volume.kind === 'files' || !!m.readOnly,
    subPath,
    propagation:
      volume.kind === 'files' || volume.kind === 'memory' ? undefined : PROPAGATION[propagationName],
    field,
  };
}

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

function findVolume(plan: VolumePlan, name: string): PlannedVolume {
  const volume = plan.volumes.find((v) => v.name === name);
  if (!volume) throw new PluginError(500, `volume plan has no volume ${name}`);
  return volume;
}

function bindSource(volume: PlannedVolume, subPath: string): string {
  const root = volume.kind === 'hostPath' ? volume.hostPath : volume.kind === 'memory' ? '' : volume.hostDir;
  return subPath ? posix.join(root, subPath) : root;
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

// ---------------------------------------------------------------------------------------------
// Writing

const RO_FILE_BITS = 0o440;
const RO_DIR_BITS = 0o550 | 0o2000;
const RW_DIR_BITS = 0o770 | 0o2000;

function writeError(what: string, err: unknown): PluginError {
  return new PluginError(500, `could not ${what}: ${(err as Error).message}`, { cause: err });
}

/** mkdir that refuses to go through a symlink or a non-directory, then sets the mode exactly. */
async function ensureDir(path: string, mode: number): Promise<void> {
  try {
    const st = await fs.lstat(path);
    if (!st.isDirectory()) throw new PluginError(500, `${path} exists and is not a directory`);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(path, { mode });
  // mkdir's mode passes through the umask.
  await fs.chmod(path, mode);
}

/** Creates root/rel's directories one by one, never through a symlink (root itself must exist). */
async function ensureDirsUnder(root: string, rel: string, mode: number): Promise<void> {
  let current = root;
  for (const part of rel.split('/').filter(Boolean)) {
    current = posix.join(current, part);
    await ensureDir(current, mode);
  }
}

async function writeFileAtomically(dir: string, file: VolumeFile): Promise<string> {
  const target = posix.join(dir, file.path);
  const parent = posix.dirname(target);
  await ensureDirsUnder(dir, posix.dirname(file.path) === '.' ? '' : posix.dirname(file.path), 0o755);
  const temp = posix.join(parent, `.${posix.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(file.content);
    await handle.chmod(file.mode);
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, target);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  return target;
}

/** Like the kubelet's SetVolumeOwnership: group fsGroup, group-readable (and writable when rw), setgid dirs. */
async function applyFsGroup(root: string, fsGroup: number, readOnly: boolean): Promise<void> {
  const walk = async (path: string): Promise<void> => {
    const st = await fs.lstat(path);
    if (st.isSymbolicLink()) return;
    await fs.lchown(path, -1, fsGroup);
    if (st.isDirectory()) {
      await fs.chmod(path, (st.mode & 0o7777) | (readOnly ? RO_DIR_BITS : RW_DIR_BITS));
      for (const entry of await fs.readdir(path)) await walk(posix.join(path, entry));
    } else {
      await fs.chmod(path, (st.mode & 0o7777) | (readOnly ? RO_FILE_BITS : 0o660));
    }
  };
  await walk(root);
}

async function prepareHostPath(
  volume: Extract<PlannedVolume, { kind: 'hostPath' }>,
  allowed: readonly string[],
): Promise<void> {
  let st = await fs.stat(volume.hostPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!st) {
    if (volume.type === 'FileOrCreate') {
      await (await fs.open(volume.hostPath, FS.O_WRONLY | FS.O_CREAT | FS.O_NOFOLLOW, 0o644)).close();
    } else if (volume.type === '' || volume.type === 'DirectoryOrCreate') {
      // DirectoryOrCreate as the kubelet; '' as containerd, which makes a missing bind source a directory.
      await fs.mkdir(volume.hostPath, { recursive: true, mode: 0o755 });
    } else {
      throw invalidField(
        volume.field,
        `${volume.hostPath} does not exist on the host (hostPath type ${volume.type})`,
      );
    }
    st = await fs.stat(volume.hostPath);
  }
  const want: Record<string, [boolean, string]> = {
    Directory: [st.isDirectory(), 'a directory'],
    DirectoryOrCreate: [st.isDirectory(), 'a directory'],
    File: [st.isFile(), 'a file'],
    FileOrCreate: [st.isFile(), 'a file'],
    Socket: [st.isSocket(), 'a socket'],
    CharDevice: [st.isCharacterDevice(), 'a character device'],
    BlockDevice: [st.isBlockDevice(), 'a block device'],
  };
  const check = want[volume.type];
  if (check && !check[0])
    throw invalidField(volume.field, `${volume.hostPath} is not ${check[1]} (hostPath type ${volume.type})`);
  // A symlink under an allowed directory must not lead out of it.
  const real = await fs.realpath(volume.hostPath);
  const realAllowed = await Promise.all(allowed.map((a) => fs.realpath(a).catch(() => a)));
  if (!underAllowed(real, realAllowed)) {
    throw invalidField(
      volume.field,
      `${volume.hostPath} resolves to ${real}, which is not under an allowed host path (PLUGIN_ALLOWED_HOST_PATHS)`,
    );
  }
}

/**
 * Checks, and creates when missing (as the kubelet does), the subPaths a container mounts,
 * refusing any that goes through a symlink: a container can plant one in an emptyDir or a
 * hostPath to make a later bind reach outside the volume. Call again right before starting a
 * container whose subPath lies in a volume other containers can write (a small race remains:
 * the kubelet closes it with file-descriptor binds, which Docker cannot take).
 */
export async function checkSubPaths(plan: VolumePlan, containerName: string): Promise<void> {
  for (const m of plan.mounts.get(containerName) ?? []) {
    if (!m.subPath) continue;
    const volume = findVolume(plan, m.volume);
    if (volume.kind === 'memory') continue;
    const root = bindSource(volume, '');
    const mode = volume.kind === 'emptyDir' ? 0o777 : 0o755;
    let current = root;
    const parts = m.subPath.split('/');
    for (let i = 0; i < parts.length; i++) {
      current = posix.join(current, parts[i] as string);
      const st = await fs.lstat(current).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (st?.isSymbolicLink()) {
        throw invalidField(
          `${m.field}/subPath`,
          `${m.subPath} goes through a symlink in volume ${m.volume}, which could lead outside it`,
        );
      }
      if (!st) {
        await fs.mkdir(current, { mode });
        await fs.chmod(current, mode);
      } else if (!st.isDirectory() && i < parts.length - 1) {
        throw invalidField(`${m.field}/subPath`, `${m.subPath} goes through a file in volume ${m.volume}`);
      }
    }
  }
}

/** Carries out a plan: the pod directory (0700), every volume's files and directories, the subPaths. Idempotent. */
export async function writePodVolumes(plan: VolumePlan): Promise<void> {
  try {
    await fs.mkdir(posix.dirname(plan.podDir), { recursive: true, mode: 0o700 });
    await ensureDir(plan.podDir, 0o700);
    await fs.chmod(plan.podDir, 0o700);
    const volumesDir = posix.join(plan.podDir, 'volumes');
    await ensureDir(volumesDir, 0o755);
    for (const volume of plan.volumes) {
      if (volume.kind === 'files') {
        await ensureDir(volume.hostDir, 0o755);
        for (const file of volume.files) await writeFileAtomically(volume.hostDir, file);
        if (plan.fsGroup !== undefined) await applyFsGroup(volume.hostDir, plan.fsGroup, true);
      } else if (volume.kind === 'emptyDir') {
        // As the kubelet: world-writable, since containers run as any user.
        await ensureDir(volume.hostDir, 0o777);
        if (plan.fsGroup !== undefined) {
          await fs.lchown(volume.hostDir, -1, plan.fsGroup);
          await fs.chmod(volume.hostDir, 0o2777);
        }
      } else if (volume.kind === 'hostPath') {
        await prepareHostPath(volume, plan.allowedHostPaths);
      }
    }
    for (const name of plan.mounts.keys()) await checkSubPaths(plan, name);
  } catch (err) {
    if (err instanceof PluginError) throw err;
    throw writeError(`write the volumes of pod ${plan.podUid} under ${plan.podDir}`, err);
  }
}

/** Removes everything written for a pod; nothing to remove is fine. */
export async function removePodVolumes(stateDir: string, podUid: string): Promise<void> {
  const dir = podStateDir(stateDir, podUid);
  try {
    await fs.rm(dir, { recursive: true, force: true });
  } catch (err) {
    // A container may have left a directory without write permission in an emptyDir.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw writeError(`remove ${dir}`, err);
    await makeRemovable(dir);
    await fs.rm(dir, { recursive: true, force: true }).catch((again) => {
      throw writeError(`remove ${dir}`, again);
    });
  }
}

async function makeRemovable(path: string): Promise<void> {
  const st = await fs.lstat(path).catch(() => undefined);
  if (!st?.isDirectory()) return;
  await fs.chmod(path, 0o700).catch(() => undefined);
  for (const entry of await fs.readdir(path).catch(() => [])) await makeRemovable(posix.join(path, entry));
}
