/**
 * Containers a pod's maker started that no read has answered yet, as their `start` event told
 * them (container-record.ts `startedRecord`), by pod UID then id. The event came while the pod was
 * on hold, or after the maker let go of it while the maker's read of the container is still
 * awaited (read-holds.ts `awaitsStart`). Only /status sees them: a `docker run -d` is running once
 * it returns, and the pod should say so without waiting for the read. Nothing acts on them: the
 * maker's read follows. Not containers with probes or hooks: those are ready when their probes
 * say, from the read.
 */
import type { ContainerInspect } from '../engine/inspect-types.ts';

export class UnreadStarts {
  private readonly byPod = new Map<string, Map<string, ContainerInspect>>();

  add(podUid: string, record: ContainerInspect): void {
    const started = this.byPod.get(podUid) ?? new Map<string, ContainerInspect>();
    this.byPod.set(podUid, started);
    started.set(record.Id, record);
  }

  of(podUid: string): Iterable<ContainerInspect> {
    return this.byPod.get(podUid)?.values() ?? [];
  }

  hasPod(podUid: string): boolean {
    return this.byPod.has(podUid);
  }

  /**
   * The container's `start` event no longer stands for it (read, ended or gone); `podUid` when
   * known, else every pod is looked in. Returns the pod it stood in, if any.
   */
  drop(id: string, podUid?: string): string | undefined {
    const pods = podUid === undefined ? this.byPod : [[podUid, this.byPod.get(podUid)] as const];
    for (const [pod, started] of pods) {
      if (!started?.delete(id)) continue;
      if (started.size === 0) this.byPod.delete(pod);
      return pod;
    }
    return undefined;
  }
}
