/**
 * A pod's /status answer as kept JSON text is always what serialising its PodStatus gives: for pods
 * of every shape, and at once after anything it was made from changes (the view's containers, a
 * probe's verdict, a failed create, the mesh gate, the request's own pod).
 */
import { describe, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../../src/contract/api-types.ts';
import type { ContainerInspect } from '../../../src/docker/engine/inspect-types.ts';
import { type PodAnswerSources, PodAnswers, statusPart } from '../../../src/docker/view/pod-answers.ts';
import { groupContainers } from '../../../src/docker/view/pod-containers.ts';
import { podStatus } from '../../../src/docker/view/pod-status.ts';
import { DISABLE_OFFLOAD_ANNOTATION, offloadedPart } from '../../../src/pod/partial-offload.ts';
import { containerInspect } from '../../fixtures/container-inspect.ts';
import { richPod } from '../../fixtures/hostile-bodies.ts';
import { buildPod, statusRequest } from '../../fixtures/pod-builder.ts';

/** A view of a few pods and the plugin's notes about them, each changeable by the test. */
class World {
  readonly containers = new Map<string, ContainerInspect[]>();
  readonly revisions = new Map<string, number>();
  creating = new Set<string>();
  failures = new Map<string, { reason: string; message: string }>();
  notReady = new Set<string>();
  meshFailed = new Map<string, string>();
  private rev = 0;

  put(uid: string, cs: ContainerInspect[]): void {
    this.containers.set(uid, cs);
    this.revisions.set(uid, ++this.rev);
  }

  sources(): PodAnswerSources {
    return {
      view: {
        revision: (uid) => this.revisions.get(uid) ?? 0,
        containersToReport: (uid) => this.containers.get(uid) ?? [],
        ensureFresh: async () => {},
      },
      creating: (uid) => this.creating.has(uid),
      waiting: (uid, name) => this.failures.get(`${uid}/${name}`),
      waits: (uid) => [...this.failures.keys()].some((k) => k.startsWith(`${uid}/`)),
      ready: (id) => (this.notReady.has(id) ? false : undefined),
      started: () => undefined,
      network: (status) => {
        const failure = this.meshFailed.get(status.UID);
        if (failure)
          for (const c of status.containers) if (c.state.waiting) c.state.waiting.message = failure;
      },
      networkState: (uid) => this.meshFailed.get(uid) ?? '',
      nodeName: async () => undefined,
    };
  }
}

const running = (id: string, name: string, role = 'main') =>
  containerInspect({ id, role, name, status: 'running' });

/** The answer both ways; the text must be what serialising the PodStatus gives. */
function answer(answers: PodAnswers, pod: Pod, nodeName?: string): PodStatus | undefined {
  const text = answers.text(pod, nodeName);
  const status = answers.status(pod, nodeName);
  expect(text).toBe(status === undefined ? undefined : JSON.stringify(status));
  return status;
}

describe('a pod’s kept status text', () => {
  it('is made from the part of the pod its status reads, with the same answer as the whole pod', () => {
    const offloaded = buildPod({
      containers: [
        { name: 'here', image: 'busybox:1.36' },
        { name: 'there', image: 'busybox:1.36' },
      ],
      annotations: { [DISABLE_OFFLOAD_ANNOTATION.main]: 'there' },
    });
    for (const pod of [richPod(), buildPod(), offloaded, statusRequest(buildPod(), 'jid-1')[0] as Pod]) {
      const cs = [running(`${pod.metadata.uid}-0`, pod.spec?.containers[0]?.name ?? '')];
      const containers = groupContainers(cs);
      const held = (kind: 'main' | 'init', name: string) => containers[kind].has(name);
      // The fast path keeps the part and hands it back: its part is itself.
      expect(statusPart(statusPart(pod))).toEqual(statusPart(pod));
      expect(podStatus(offloadedPart(statusPart(pod), held), containers)).toEqual(
        podStatus(offloadedPart(pod, held), containers),
      );
    }
  });

  it('follows every change of what it was made from at the next poll', () => {
    const world = new World();
    const answers = new PodAnswers(world.sources());
    const pod = statusRequest(buildPod({ name: 'web' }), 'jid-1')[0] as Pod;
    const uid = pod.metadata.uid;
    const main = () => answer(answers, pod)?.containers[0];

    // No container yet, a job: the container vanished; being created: ContainerCreating.
    expect(main()?.state.terminated?.reason).toBe('ContainerStatusUnknown');
    world.creating.add(uid);
    expect(main()?.state.waiting?.reason).toBe('ContainerCreating');
    world.failures.set(`${uid}/${pod.spec?.containers[0]?.name}`, {
      reason: 'ErrImagePull',
      message: 'no such image',
    });
    expect(main()?.state.waiting).toEqual({ reason: 'ErrImagePull', message: 'no such image' });
    world.failures.clear();
    world.creating.clear();

    // Docker runs it: ready; its readiness probe fails: not ready; it exits.
    const name = pod.spec?.containers[0]?.name ?? '';
    world.put(uid, [running('c1', name)]);
    expect(main()).toMatchObject({ ready: true, state: { running: {} } });
    world.notReady.add('c1');
    expect(main()?.ready).toBe(false);
    world.put(uid, [containerInspect({ id: 'c1', role: 'main', name, status: 'exited', exitCode: 3 })]);
    expect(main()?.state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });

    // The mesh gate's state, the node's name and the request's own pod are read too.
    world.put(uid, [containerInspect({ id: 'c2', role: 'main', name, status: 'created' })]);
    expect(main()?.state.waiting?.message).toBeUndefined();
    world.meshFailed.set(uid, 'the mesh did not come up');
    expect(main()?.state.waiting?.message).toBe('the mesh did not come up');
    expect(answer(answers, pod, 'host-a')?.nodeName).toBe('host-a');
    const renamed = structuredClone(pod);
    renamed.metadata.namespace = 'other';
    expect(answer(answers, renamed, 'host-a')?.namespace).toBe('other');

    // A pod the plugin never knew, without a job, is left out.
    expect(answer(answers, buildPod())).toBeUndefined();
  });
});
