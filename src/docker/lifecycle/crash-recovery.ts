/**
 * At start-up, before the first answer: pods whose create or delete was cut off (the plugin died
 * half-way, as its records on disk say) are removed wholly, containers, files and Docker volumes.
 * A create cut off never answered, so interLink sends it again and the pod is made whole from that
 * request; a delete cut off is finished. Either way no pod stays half-built.
 */
import type { Logger } from '../../log.ts';
import type { Engine } from '../engine/engine.ts';
import { LABEL } from '../labels.ts';
import { groupContainers } from '../view/pod-containers.ts';
import type { PodView } from '../view/pod-view.ts';
import { removePodVolumes } from '../volumes/volume-files.ts';
import type { PodRecords } from './pod-record.ts';
import { removePodContainers } from './pod-remove.ts';

export interface CrashRecoveryOptions {
  engine: Engine;
  view: PodView;
  records: PodRecords;
  stateDir: string;
  instance: string;
  log: Logger;
}

/** Removes every pod left unfinished; the view must have been filled first. Returns the UIDs removed. */
export async function removeUnfinishedPods(options: CrashRecoveryOptions): Promise<string[]> {
  const { engine, view, records, stateDir, instance, log } = options;
  const uids = await records.unfinished();
  const removed: string[] = [];
  for (const uid of uids) {
    const containers = view.containersOfPod(uid);
    const ids = containers.map((c) => c.Id);
    try {
      await removePodContainers(engine, view, ids, groupContainers(containers).anchor?.Id);
      view.forget(ids);
      const volumes = await engine.listVolumes([`${LABEL.owner}=${instance}`, `${LABEL.podUid}=${uid}`]);
      if (volumes.length > 0) await engine.removeVolumes(volumes);
      await removePodVolumes(stateDir, uid);
    } catch (err) {
      // The record stays: the retried call, or the next start-up, finishes the job.
      log.warn('could not remove a pod whose create or delete was cut off', {
        podUid: uid,
        error: (err as Error).message,
      });
      continue;
    }
    removed.push(uid);
    log.info('removed a pod whose create or delete was cut off; a retried create makes it whole', {
      podUid: uid,
      containers: ids.length,
    });
  }
  return removed;
}
