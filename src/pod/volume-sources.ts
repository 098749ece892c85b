/**
 * The files of configMap, secret, projected and downwardAPI volumes: which objects a volume
 * reads (from any container entry interLink sent), which keys or items it projects, with which
 * modes; downward API items interLink left out are rendered with the downward API of env.
 */
import { posix } from 'node:path';
import type { ConfigMap, Pod, RetrievedPodData, Secret } from '../contract/api-types.ts';
import { invalidField } from '../errors.ts';
import { ContainerConfigError } from './container-config-error.ts';
import { type DownwardRef, downwardValue, type NodeAllocatable } from './downward-api.ts';
import { type FileSet, fileMode, pointer } from './volume-paths.ts';

export interface Located<T> {
  object: T;
  /** JSON pointer of the object in the request. */
  field: string;
}

/** Objects by name from every container entry: one object may come in several entries. */
export function collect<T extends ConfigMap | Secret>(
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

export function configMapEntries(object: ConfigMap | Secret): Map<string, Buffer> {
  const cm = object as ConfigMap;
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

export function secretEntries(object: ConfigMap | Secret): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries((object as Secret).data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

type KeyToPathLike = { key?: unknown; path?: unknown; mode?: unknown };

export interface KeyedFilesOptions {
  kind: 'ConfigMap' | 'Secret';
  /** JSON pointer of the volume's configMap or secret. */
  field: string;
  /** The object's name as the volume gives it. */
  name: string;
  /** The object, if interLink sent it. */
  located: Located<ConfigMap | Secret> | undefined;
  /** Its keys and their bytes. */
  entries: (object: ConfigMap | Secret) => Map<string, Buffer>;
  items: KeyToPathLike[] | null | undefined;
  optional: boolean;
  defaultMode: number;
  /** Where the files go. */
  files: FileSet;
}

/** configMap and secret volumes: listed items only, or every key; a missing key is refused unless optional. */
export function keyedFiles(o: KeyedFilesOptions): void {
  const itemsField = `${o.field}/items`;
  if (!o.located) {
    if (o.optional) return;
    throw invalidField(
      `${o.field}/${o.kind === 'ConfigMap' ? 'name' : 'secretName'}`,
      `names ${o.kind} "${o.name}", which was not sent with the pod`,
    );
  }
  const data = o.entries(o.located.object);
  if (o.items && o.items.length > 0) {
    o.items.forEach((item, j) => {
      const key = String(item.key ?? '');
      const content = data.get(key);
      if (content === undefined) {
        if (o.optional) return;
        throw invalidField(
          `${itemsField}/${j}/key`,
          `names key "${key}", which ${o.kind} "${o.name}" does not have`,
        );
      }
      const mode = fileMode(item.mode, `${itemsField}/${j}/mode`) ?? o.defaultMode;
      o.files.add(String(item.path ?? ''), content, mode, `${itemsField}/${j}/path`);
    });
    return;
  }
  for (const [key, content] of data)
    o.files.add(key, content, o.defaultMode, `${o.located.field}/data/${pointer(key)}`);
}

export type DownwardItem = DownwardRef & { path?: unknown; mode?: unknown };

export interface ProjectedSource {
  items: DownwardItem[];
  /** JSON pointer of the source (or of the downwardAPI volume). */
  field: string;
  downward: boolean;
}

/** A downward API item rendered here, for what interLink did not pre-render (labels, annotations, resources). */
function renderDownwardItem(
  pod: Pod,
  item: DownwardItem,
  field: string,
  nodeAllocatable: NodeAllocatable | undefined,
): Buffer {
  let value: string | undefined;
  try {
    value = downwardValue(item, { pod, nodeAllocatable });
  } catch (err) {
    if (err instanceof ContainerConfigError) throw invalidField(field, `cannot be rendered: ${err.message}`);
    throw err;
  }
  if (value === undefined) throw invalidField(field, 'has neither fieldRef nor resourceFieldRef');
  return Buffer.from(value, 'utf8');
}

/**
 * projected and downwardAPI volumes: the content interLink pre-rendered (keyed by the volume's
 * name), byte for byte; the modes come from the pod spec only. Downward API items interLink
 * left out are rendered here from the pod.
 */
export interface ProjectedFilesOptions {
  pod: Pod;
  /** What interLink pre-rendered for this volume, if anything. */
  rendered: Located<ConfigMap> | undefined;
  sources: ProjectedSource[];
  defaultMode: number;
  /** Where the files go. */
  files: FileSet;
  nodeAllocatable: NodeAllocatable | undefined;
}

export function projectedFiles(o: ProjectedFilesOptions): void {
  const { pod, rendered, sources, defaultMode, files, nodeAllocatable } = o;
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
        renderDownwardItem(pod, item, `${source.field}/items/${j}`, nodeAllocatable),
        modeOf(path),
        `${source.field}/items/${j}/path`,
      );
    });
  }
}

export function asItems(value: unknown): DownwardItem[] {
  return Array.isArray(value) ? (value as DownwardItem[]) : [];
}
