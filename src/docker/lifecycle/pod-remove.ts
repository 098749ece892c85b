/**
 * Deleting a pod: preStop hooks, then SIGTERM → SIGKILL within the grace period, then its
 * containers, files and Docker volumes are removed. Owns the set of pods being deleted, for which
 * nothing is started any more. Removing containers and storage also undoes a failed create.
 */
import type { Pod } from '../../contract/api-types.ts';
import { crashPoint } from '../../crash-points.ts';
import { PluginError } from '../../errors.ts';
import type { ContainerProbes } from '../containers/container-probes.ts';
import { DockerCliError } from '../engine/docker-cli.ts';
import type { Engine } from '../engine/engine.ts';
import { groupContainers } from '../view/pod-containers.ts';
import type { PodView } from '../view/pod-view.ts';
import { podDockerVolumes } from '../volumes/memory-volumes.ts';
import { removePodVolumes } from '../volumes/volume-files.ts';
import type { PendingContainers } from './pending-containers.ts';
import type { PodRecords } from './pod-record.ts';

export interface PodRemovalOptions {
  engine: Engine;
  view: PodView;
  stateDir: string;
  pending: PendingContainers;
  probes: ContainerProbes;
  /** Marked "deleting" first, so a delete cut off by a crash is finished at start-up. */
  records: PodRecords;
  /** What the create side keeps of a pod: the arrival to wait for, the failures to forget. */
  created: { arrival(uid: string): Promise<void> | undefined; forget(uid: string): void };
  /** The pod's own cgroup, removed once its containers are. */
  cgroups: { remove(uid: string): Promise<void> };
}

export class PodRemoval {
  private readonly deleting = new Set<string>();

  constructor(private readonly options: PodRemovalOptions) {}

  isDeleting(uid: string): boolean {
    return this.deleting.has(uid);
  }

  /** Stops and removes everything made for the pod; an unknown pod is a success. */
  async remove(
    pod: Pod,
    whileWaiting: <R>(wait: () => Promise<R>) => Promise<R> = (wait) => wait(),
  ): Promise<void> {
    const { engine, view, pending, probes, created, records } = this.options;
    const uid = pod.metadata.uid;
    this.deleting.add(uid);
    pending.cancel(uid);
    try {
      await created.arrival(uid);
      await view.ensureFresh();
      const containers = view.containersOfPod(uid);
      if (containers.length > 0 || (await records.read(uid)) !== undefined) {
        await records.write(uid, 'deleting');
        crashPoint('delete:record');
      }
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      // App containers get their grace period; the sandbox only holds the network.
      const { sandbox, anchor } = groupContainers(containers);
      const apps = containers.filter((c) => c !== sandbox);
      // preStop hooks run first and their time counts against the grace period (kubelet semantics).
      // The pod chooses how long that is: the wait holds no place of other pods' creates and deletes.
      await whileWaiting(async () => {
        const stopGrace = await probes.beforeStop(apps, grace);
        const running = apps.map((c) => c.Id).filter((id) => view.isRunning(id));
        if (stopGrace > 0 && running.length > 0)
          await engine.stopContainers(running, stopGrace).catch(() => {});
      });
      crashPoint('delete:stopped');
      await removePodContainers(
        engine,
        view,
        containers.map((c) => c.Id),
        anchor?.Id,
      );
      crashPoint('delete:removed');
      await removePodStorage(engine, this.options.stateDir, pod);
      await this.options.cgroups.remove(uid);
      created.forget(uid);
      view.forget(containers.map((c) => c.Id));
    } finally {
      this.deleting.delete(uid);
    }
  }
}

/**
 * Removes a pod's containers (killing what still runs); those already gone are fine. One call,
 * or on an engine that refuses to remove a container others joined (Podman), two: every other
 * container, then the one whose network they joined (`anchor`: the sandbox, when the pod has one).
 */
export async function removePodContainers(
  engine: Pick<Engine, 'removeContainers' | 'traits'>,
  view: Pick<PodView, 'expectGone' | 'unexpectGone' | 'refresh'>,
  ids: string[],
  anchor: string | undefined,
): Promise<void> {
  if (ids.length === 0) return;
  const joiners = ids.filter((id) => id !== anchor);
  const batches =
    engine.traits.removesJoinersFirst &&
    anchor !== undefined &&
    joiners.length > 0 &&
    joiners.length < ids.length
      ? [joiners, [anchor]]
      : [ids];
  view.expectGone(ids);
  try {
    for (const batch of batches) await removeAllowingGone(engine, batch);
  } catch (err) {
    // Some are still there: let the view read them again.
    view.unexpectGone(ids);
    void view.refresh(ids);
    throw new PluginError(
      'internal',
      `could not remove containers: ${err instanceof DockerCliError ? err.reason : String(err)}`,
      { cause: err },
    );
  }
}

/**
 * Podman's answer to `rm --force` of a container that ended while it was being killed (one its
 * restart policy keeps restarting, say): "could not be stopped: sending SIGKILL …: container state
 * improper: stopped". It is stopped now, so a second `rm` removes it.
 */
const ENDED_WHILE_KILLED = /could not be stopped:.*container state improper/i;

/** `rm` of the containers; throws unless every failure was one already gone, which is what we wanted. */
async function removeAllowingGone(
  engine: Pick<Engine, 'removeContainers'>,
  ids: string[],
  again = true,
): Promise<void> {
  try {
    await engine.removeContainers(ids);
  } catch (err) {
    if (again && err instanceof DockerCliError && ENDED_WHILE_KILLED.test(err.stderr)) {
      return removeAllowingGone(engine, ids, false);
    }
    if (
      !(err instanceof DockerCliError) ||
      !/No such container/i.test(err.stderr) ||
      /Error response(?!.*No such container)/.test(err.stderr)
    ) {
      throw err;
    }
  }
}

/** The pod's files on disk and its Docker volumes (Memory emptyDirs). */
export async function removePodStorage(
  engine: Pick<Engine, 'removeVolumes'>,
  stateDir: string,
  pod: Pod,
): Promise<void> {
  await removePodVolumes(stateDir, pod.metadata.uid);
  const volumes = podDockerVolumes(pod);
  if (volumes.length > 0) await engine.removeVolumes(volumes).catch(() => {});
}
