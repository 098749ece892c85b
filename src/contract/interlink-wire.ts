/** Values interLink puts on the wire that the plugin, the kit and the tests all need to recognise. */
import type { LogOpts } from './api-types.ts';

/** Go's zero time: how interLink sends an unset `Opts.SinceTime`. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Whether a time on the wire is Go's zero time (unset). */
export function isGoZeroTime(t: string | null | undefined): boolean {
  return !t || t.startsWith('0001-01-01');
}

/** The log options interLink sends when none is set: every field present, each at its zero value. */
export const UNSET_LOG_OPTS: Readonly<Required<LogOpts>> = Object.freeze({
  Tail: 0,
  Bytes: 0,
  Timestamps: false,
  Follow: false,
  Previous: false,
  SinceSeconds: 0,
  SinceTime: GO_ZERO_TIME,
});

/**
 * `jobConfig` as interLink sends it to every plugin: zero values of its job-script backends'
 * settings (SLURM, Apptainer), which this plugin ignores.
 */
export const ZERO_JOB_CONFIG = Object.freeze({
  SingularityHubProxy: { server: '', master_token: '', cache_validity_seconds: 0 },
  ApptainerOptions: {
    executable: '',
    fakeroot: false,
    containall: false,
    fuseMode: '',
    noInit: false,
    noHome: false,
    noPrivs: false,
    nvidiaSupport: false,
    cleanenv: false,
    unsquash: false,
  },
  Volumes: {
    scratch_area: '',
    apptainer_cachedir: '',
    image_dir: '',
    additional_directories_in_path: null,
    fuse_sleep_seconds: 0,
  },
});

/** The tolerations the Kubernetes API server adds to every pod it stores (as interLink then sends it). */
export const DEFAULT_TOLERATIONS = Object.freeze([
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
]);
