/**
 * A pod's volumes as the kubelet would set them up, made of host files and directories that
 * containers bind-mount (volume-mounts.ts makes the --mount args, volume-files.ts the files). Layout: `<stateDir>/pods/<podUid>/volumes/<volumeName>/...`; the pod
 * directory is 0700, so other host users cannot read a secret, while containers (a bind mount
 * skips the parent's permissions) see each file with its Kubernetes mode.
 *
 * planPodVolumes decides everything and refuses bad specs with a 422 before anything exists;
 * writePodVolumes (volume-files.ts) only carries the plan out.
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

export function underAllowed(path: string, allowed: readonly string[]): boolean {
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

/** The planned volume a mount names. */
export function findVolume(plan: VolumePlan, name: string): PlannedVolume {
  const volume = plan.volumes.find((v) => v.name === name);
  if (!volume) throw new PluginError(500, `volume plan has no volume ${name}`);
  return volume;
}

/** The host path a bind mount of this volume (and subPath) uses. */
export function bindSource(volume: PlannedVolume, subPath: string): string {
  const root = volume.kind === 'hostPath' ? volume.hostPath : volume.kind === 'memory' ? '' : volume.hostDir;
  return subPath ? posix.join(root, subPath) : root;
}
