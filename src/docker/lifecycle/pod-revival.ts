/**
 * Bringing pods back after the Docker daemon restarted (or the plugin did). Docker restores
 * containers in no fixed order: a container started before its pod's sandbox fails with "cannot
 * join network of a non running container" and stays down. As kubelet would, the plugin then
 * starts what the pod's restartPolicy says should run, the sandbox first. Init containers that
 * completed are not run again: their work (files in the pod's volumes) is still there.
 */
import type { Pod } from '../../contract/api-types.ts';
import type { Logger } from '../../log.ts';
import type { DockerCli } from '../engine/docker-cli.ts';
import { DockerCliError } from '../engine/docker-cli.ts';
import { startContainers } from '../engine/docker-verbs.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { LABEL } from '../labels.ts';
import { HELPER_KIND_LABEL, HELPER_ROLE } from '../network/network-helper.ts';
import {
  groupContainers,
  neverStarted,
  type PodContainers,
  podShapeFromLabels,
  startFailed,
} from '../view/pod-containers.ts';
import type { PodView } from '../view/pod-view.ts';

/** Down for good: not running, not in Docker's restart back-off, and started at least once. */
function down(c: ContainerInspect): boolean {
  const s = c.State;
  return !s.Running && !s.Restarting && s.Status !== 'paused' && !neverStarted(c);
}

function completed(c: ContainerInspect): boolean {
  return c.State.Status === 'exited' && c.State.ExitCode === 0 && !startFailed(c);
}

/**
 * What to start, in order (each list after the one before is running): the sandbox, then the
 * pod's network helpers, then the containers the policy restarts. Empty when nothing needs
 * starting. Pure.
 */
export function revivalSteps(
  pod: Pod,
  containers: PodContainers,
  helpers: readonly ContainerInspect[] = [],
): string[][] {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return [];
  const start: string[] = [];
  let initDone = true;
  for (const spec of pod.spec?.initContainers ?? []) {
    const c = containers.init.get(spec.name);
    if (c && completed(c)) continue;
    initDone = false;
    // Both Always and OnFailure run a failed init container again; the sequencer starts new ones.
    if (c && down(c)) start.push(c.Id);
    break;
  }
  if (initDone) {
    for (const spec of pod.spec?.containers ?? []) {
      const c = containers.main.get(spec.name);
      if (c && down(c) && (policy === 'Always' || !completed(c))) start.push(c.Id);
    }
  }
  if (start.length === 0) return [];
  // A helper Docker would have restarted (a tunnel always, the mesh on failure) but left down.
  const helpersDown = helpers
    .filter((h) => down(h) && (h.Config.Labels?.[HELPER_KIND_LABEL] !== 'mesh' || !completed(h)))
    .map((h) => h.Id);
  const sandbox = containers.sandbox;
  return [
    ...(sandbox && !sandbox.State.Running ? [[sandbox.Id]] : []),
    ...(helpersDown.length > 0 ? [helpersDown] : []),
    start,
  ];
}

export interface PodRevivalOptions {
  docker: DockerCli;
  view: PodView;
  log: Logger;
  /** Pods being created or deleted are left alone. */
  busy(uid: string): boolean;
  /** Pins the containers' subPaths again (after a reboot they are gone); returns the ids that may start. */
  beforeStart?(uid: string, ids: readonly string[]): Promise<string[]>;
}

export class PodRevival {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly options: PodRevivalOptions) {}

  /** Reads Docker again and brings back every pod that needs it; one pass at a time, repeated if asked meanwhile. */
  reviveAll(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass().catch((err: Error) =>
          this.options.log.warn('could not bring pods back', { error: err.message }),
        );
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const { view, busy } = this.options;
    await view.resync();
    for (const uid of view.podUids()) {
      if (busy(uid)) continue;
      const all = view.containersOfPod(uid);
      const containers = groupContainers(all);
      const helpers = all.filter((c) => c.Config.Labels?.[LABEL.role] === HELPER_ROLE);
      const steps = revivalSteps(podShapeFromLabels(uid, containers), containers, helpers);
      if (steps.length > 0) await this.revive(uid, steps);
    }
  }

  private async revive(uid: string, steps: string[][]): Promise<void> {
    const { docker, view, log } = this.options;
    log.info('starting pod containers Docker left down', { podUid: uid, containers: steps.flat().length });
    for (const step of steps) {
      const ids = this.options.beforeStart ? await this.options.beforeStart(uid, step) : step;
      if (ids.length === 0) continue;
      try {
        await startContainers(docker, ids);
      } catch (err) {
        // The others named in the call were started; the failure shows in the container's state.
        log.warn('container start failed', {
          podUid: uid,
          error: err instanceof DockerCliError ? err.reason : String(err),
        });
      }
    }
    await view.refresh(steps.flat());
  }
}
