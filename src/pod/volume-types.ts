/** What planPodVolumes decides about a pod's volumes, for a backend to carry out. */
import type { NodeAllocatable } from './downward-api.ts';

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
  /** A `medium: Memory` emptyDir: a tmpfs the backend makes (Docker: a volume, memory-volumes.ts). */
  | { name: string; kind: 'memory'; sizeBytes: number | undefined }
  | { name: string; kind: 'hostPath'; hostPath: string; type: string; field: string };

export interface PlannedMount {
  volume: string;
  /** The volume it names, as planned. */
  planned: PlannedVolume;
  /** The host path a bind of it (and its subPath) uses; '' for a Memory emptyDir (a Docker volume). */
  bindSource: string;
  target: string;
  readOnly: boolean;
  /** Normalised, '' for the whole volume. */
  subPath: string;
  /** A subPath into a writable volume (emptyDir on disk, hostPath): the backend binds a pin of it, never the path. */
  pin: boolean;
  /** Linux mount propagation (Docker's bind-propagation), when the spec asks for one. */
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
  /** The plugin instance that owns the pod: what the backend makes for it carries this. */
  instance: string | undefined;
  /** Re-checked when writing: a symlink under an allowed directory must not lead out of it. */
  allowedHostPaths: readonly string[];
}

export interface VolumeOptions {
  stateDir: string;
  allowedHostPaths: readonly string[];
  /** The plugin instance that owns the pod (its owner label). */
  instance?: string;
  /**
   * Whether the backend can pin subPaths (it can make mounts on the host); when it cannot, a
   * subPath into a writable volume is refused.
   */
  subPathPins: boolean;
  /** The node's allocatable, for downward API items about a resource without a limit. */
  nodeAllocatable?: NodeAllocatable;
}
