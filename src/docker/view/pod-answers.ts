/**
 * A pod's answer to /status, from the view and what the plugin knows besides Docker's state: as a
 * PodStatus, or as the JSON text kept per pod (status-texts.ts) that interLink's polls are served.
 * Both are made by the same code from the same part of the request's pod (`statusPart`), so the text
 * is always what serialising the PodStatus gives.
 */
import type { Pod, PodStatus } from '../../contract/api-types.ts';
import { DISABLE_OFFLOAD_ANNOTATION, offloadedPart } from '../../pod/partial-offload.ts';
import type { ContainerInspect } from '../engine/inspect-types.ts';
import { groupContainers } from './pod-containers.ts';
import { type PodNotes, podStatus } from './pod-status.ts';
import type { PodView } from './pod-view.ts';
import { type Ask, StatusTexts } from './status-texts.ts';

/** What the answer reads besides the view: each a question of one room's state, answered by the backend. */
export interface PodAnswerSources {
  view: Pick<PodView, 'revision' | 'containersToReport' | 'ensureFresh'>;
  creating(uid: string): boolean;
  /** Why a spec container has no running Docker container: a failed create, a pull, a refused subPath. */
  waiting(uid: string, name: string): { reason: string; message: string } | undefined;
  /** Whether the pod is held back by something besides Docker (failures, pending pulls). */
  waits(uid: string): boolean;
  ready(containerId: string): boolean | undefined;
  started(containerId: string): boolean | undefined;
  /** What the mesh gate and the tunnels change in a status (network/), from the containers and `networkState`. */
  network(status: PodStatus, containers: readonly ContainerInspect[]): void;
  /** The network rooms' own state that `network` reads of the pod (besides its containers). */
  networkState(uid: string): string;
  /** The name of the host the pods run on, if known. */
  nodeName(): Promise<string | undefined>;
}

const STATUS_ANNOTATIONS = ['JobID', DISABLE_OFFLOAD_ANNOTATION.main, DISABLE_OFFLOAD_ANNOTATION.init];

const asIs: Ask = (fn, arg) => fn(arg);

/**
 * The part of a request's pod its status is made from: its identity, the annotations of its job
 * and of partial offload, its restart policy and its containers' names and images. What the status
 * code reads must be here: the kept text of a pod is made again only when this part changes.
 */
export function statusPart(pod: Pod): Pod {
  const { name, namespace, uid, annotations } = pod.metadata;
  const kept: Record<string, string> = {};
  for (const key of STATUS_ANNOTATIONS) {
    const value = annotations?.[key];
    if (value !== undefined) kept[key] = value;
  }
  const part: Pod = {
    metadata: { name, uid, ...(namespace !== undefined ? { namespace } : {}), annotations: kept },
  };
  const spec = pod.spec;
  if (spec) {
    const nameAndImage = (c: { name: string; image: string }) => ({ name: c.name, image: c.image });
    part.spec = {
      containers: spec.containers.map(nameAndImage),
      ...(spec.initContainers ? { initContainers: spec.initContainers.map(nameAndImage) } : {}),
      ...(spec.restartPolicy ? { restartPolicy: spec.restartPolicy } : {}),
    };
  }
  return part;
}

export class PodAnswers {
  private readonly kept = new StatusTexts();
  /**
   * The part of each pod given and its JSON, by the pod object: the fast path hands back the same
   * pods for the same body on every poll (a pod is never changed once given).
   */
  private readonly parts = new WeakMap<Pod, { part: Pod; json: string }>();

  constructor(private readonly sources: PodAnswerSources) {}

  /** The answer to /status: each pod's PodStatus, those the plugin knows nothing of left out. */
  async statuses(pods: Pod[]): Promise<PodStatus[]> {
    const nodeName = await this.before(pods);
    return pods.flatMap((pod) => this.status(pod, nodeName) ?? []);
  }

  /** The same answer as JSON text, from each pod's kept text. */
  async texts(pods: Pod[]): Promise<string> {
    const nodeName = await this.before(pods);
    const texts = pods.map((pod) => this.text(pod, nodeName)).filter((t) => t !== undefined);
    return `[${texts.join(',')}]`;
  }

  /** Makes the view fresh (one batched read without the events stream) and says where pods run. */
  private async before(pods: Pod[]): Promise<string | undefined> {
    await this.sources.view.ensureFresh();
    return pods.length > 0 ? this.sources.nodeName() : undefined;
  }

  /** The pod's PodStatus; undefined when the plugin knows nothing of it and it has no job. */
  status(pod: Pod, nodeName: string | undefined): PodStatus | undefined {
    return this.make(statusPart(pod), nodeName, asIs);
  }

  /** The same answer as JSON text, kept per pod and made again only when what it read changed. */
  text(pod: Pod, nodeName: string | undefined): string | undefined {
    let seen = this.parts.get(pod);
    if (!seen) {
      const part = statusPart(pod);
      seen = { part, json: JSON.stringify(part) };
      this.parts.set(pod, seen);
    }
    const { part, json } = seen;
    const uid = part.metadata.uid;
    const key = [this.sources.view.revision(uid), nodeName, json];
    return this.kept.text(uid, key, (ask) => this.make(part, nodeName, ask));
  }

  /** Drops a deleted pod's kept text. */
  forget(uid: string): void {
    this.kept.forget(uid);
  }

  private make(pod: Pod, nodeName: string | undefined, ask: Ask): PodStatus | undefined {
    const s = this.sources;
    const uid = pod.metadata.uid;
    // What its maker started is running, read or not yet.
    const all = s.view.containersToReport(uid);
    const containers = groupContainers(all);
    const waiting = (name: string) => s.waiting(uid, name);
    const notes: PodNotes = {
      creating: ask(() => s.creating(uid), ''),
      waiting: (name) => ask(waiting, name),
      readiness: (id) => ask(s.ready, id),
      started: (id) => ask(s.started, id),
    };
    const known = containers.anchor !== undefined;
    // A pod with a JobID was created by a plugin: if Docker has nothing left, say so.
    if (!known && !notes.creating && !ask(() => s.waits(uid), '') && !pod.metadata.annotations?.JobID)
      return undefined;
    // Partial offload: the full pod arrives here; the cluster's containers are not ours to report.
    const held = (kind: 'main' | 'init', name: string) =>
      containers[kind].has(name) || notes.waiting?.(name) !== undefined;
    const status = podStatus(offloadedPart(pod, held), containers, notes);
    ask(() => s.networkState(uid), '');
    s.network(status, all);
    return nodeName ? { ...status, nodeName } : status;
  }
}
