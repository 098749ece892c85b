/**
 * The state dir's layout, in one place: `pods/<uid>/` per pod, holding its record, volume files,
 * restart counts, containers waiting for images, network helper files, env and label files. What must
 * survive a restart and is not in Docker's labels lives here.
 */
import { join } from 'node:path';
import { podStateDir } from '../pod/volume-plan.ts';

// The pod's volume plan (src/pod) places volume files under the same directory, so the path rule
// lives beside it; every Docker-side path under the state dir is made here.
export { podStateDir };

/** The directory holding one directory per pod. */
export function podsDir(stateDir: string): string {
  return join(stateDir, 'pods');
}

/** A file of the pod's own directory (its record, restart counts, waiting containers). */
export function podFile(stateDir: string, podUid: string, name: string): string {
  return join(podStateDir(stateDir, podUid), name);
}

/** The files a pod's network helper reads (mesh script, tunnel settings). */
export function podNetworkDir(stateDir: string, podUid: string): string {
  return join(podStateDir(stateDir, podUid), 'network');
}

/** Where a container's env file is written: the pod's directory, which no container sees. */
export function podEnvFile(stateDir: string, podUid: string, role: string, container: string): string {
  return join(podStateDir(stateDir, podUid), 'env', `${role}-${container}.env`);
}

/**
 * Where a container's termination message file is made: bind-mounted at its terminationMessagePath,
 * read by the view when a run ends (view/termination-messages.ts). Container names are DNS labels.
 */
export function podTerminationFile(
  stateDir: string,
  podUid: string,
  role: string,
  container: string,
): string {
  return join(podStateDir(stateDir, podUid), 'termination', `${role}-${container}`);
}

/** Where a container's label file is written: beside its env file, and as short-lived. */
export function podLabelFile(stateDir: string, podUid: string, role: string, container: string): string {
  return join(podStateDir(stateDir, podUid), 'env', `${role}-${container}.labels`);
}
