/**
 * interLink-shaped bodies for the benchmark's pods, cloned from the real create body in
 * test/fixtures/interlink-examples (or the body named by --template): a new name and UID per pod,
 * `sleep 3600` so every pod stays Running, and no grace period so deletes are not waits.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Pod, RetrievedPodData } from '../../src/contract/api-types.ts';
import { deleteRequest, logsRequest, statusRequest } from '../../src/interlink-payloads/index.ts';

export interface BenchPod {
  index: number;
  uid: string;
  name: string;
  namespace: string;
  containerName: string;
  createBody: Buffer;
  /** Set from the create answer: interLink keeps the plugin's JobID on the pod. */
  jobId?: string;
  /** `[pod]`, as interLink polls: one pod per request. */
  statusBody?: Buffer;
  logsBody: Buffer;
  deleteBody: Buffer;
}

export class PodFactory {
  private readonly template: RetrievedPodData;
  private nextIndex = 0;

  constructor(
    templatePath: string,
    private readonly runId: string,
    private readonly command: readonly string[],
    private readonly image: string,
  ) {
    this.template = JSON.parse(readFileSync(templatePath, 'utf8')) as RetrievedPodData;
    if (!this.template.pod?.spec?.containers?.length) {
      throw new Error(`${templatePath} is not a create body with at least one container`);
    }
  }

  make(): BenchPod {
    const index = this.nextIndex++;
    const data = structuredClone(this.template);
    const uid = randomUUID();
    const name = `bench-${this.runId}-${index}`;
    const pod = data.pod;
    pod.metadata.name = name;
    pod.metadata.uid = uid;
    pod.metadata.creationTimestamp = new Date().toISOString();
    const spec = pod.spec as NonNullable<Pod['spec']>;
    spec.terminationGracePeriodSeconds = 0;
    const container = spec.containers[0] as (typeof spec.containers)[number];
    container.image = this.image;
    container.command = [this.command[0] as string];
    container.args = this.command.slice(1);
    const namespace = pod.metadata.namespace || 'default';
    return {
      index,
      uid,
      name,
      namespace,
      containerName: container.name,
      createBody: Buffer.from(JSON.stringify(data)),
      logsBody: Buffer.from(JSON.stringify(logsRequest(pod, container.name))),
      deleteBody: Buffer.from(JSON.stringify(deleteRequest(pod, { gracePeriodSeconds: 0 }))),
    };
  }

  /** Records the create answer and builds the status poll body interLink would send. */
  created(p: BenchPod, jobId: string): void {
    p.jobId = jobId;
    const data = JSON.parse(p.createBody.toString('utf8')) as RetrievedPodData;
    p.statusBody = Buffer.from(JSON.stringify(statusRequest(data.pod, jobId)));
  }
}
