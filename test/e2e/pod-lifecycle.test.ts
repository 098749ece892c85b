import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import {
  buildCreateRequest,
  buildPod,
  deleteRequest,
  logsRequest,
  statusRequest,
} from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { allRunning, allTerminated, pollStatus } from './poll.ts';

describeDocker('a pod on the Docker host, driven as interLink drives it', () => {
  const plugin = usePlugin();

  it('runs every container of a two-container pod and reports each exit code', async () => {
    const pod = buildPod({
      containers: [
        { name: 'ok', command: ['sh', '-c'], args: ['echo fine; exit 0'] },
        { name: 'bad', command: ['sh', '-c'], args: ['echo broken >&2; exit 3'] },
      ],
    });
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(created.status).toBe(200);
    const { PodUID, PodJID } = created.json();
    expect(PodUID).toBe(pod.metadata.uid);
    expect(PodJID).toBe(`k8s_default_${pod.metadata.name}_${pod.metadata.uid.slice(0, 8)}`);

    const status = await pollStatus(plugin, pod, PodJID, allTerminated);
    expect(status).toMatchObject({
      name: pod.metadata.name,
      UID: pod.metadata.uid,
      namespace: 'default',
      JID: PodJID,
      initContainers: [],
    });
    const [ok, bad] = status.containers;
    expect(ok?.name).toBe('ok');
    expect(ok?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(bad?.name).toBe('bad');
    expect(bad?.state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    for (const c of status.containers) {
      expect(c.containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);
      expect(c.state.terminated?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(c.state.terminated?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }

    const okLogs = await plugin.request('GET', '/getLogs', logsRequest(pod, 'ok'));
    expect(okLogs.status).toBe(200);
    expect(okLogs.headers['content-type']).toMatch(/^text\/plain/);
    expect(okLogs.text).toBe('fine\n');
    const badLogs = await plugin.request('GET', '/getLogs', logsRequest(pod, 'bad'));
    expect(badLogs.text).toBe('broken\n');

    expect(existsSync(join(plugin.stateDir, 'pods', pod.metadata.uid))).toBe(true);
    const deleted = await plugin.request('POST', '/delete', deleteRequest(pod, { jid: PodJID }));
    expect(deleted.status).toBe(200);
    expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);
    // The service-account files written for the pod are gone too.
    expect(existsSync(join(plugin.stateDir, 'pods', pod.metadata.uid))).toBe(false);
  });

  it('keeps the image’s entrypoint when only args are given, as Kubernetes does', async () => {
    // The test image has no ENTRYPOINT and CMD ["sh"]: args replace CMD, so "-c" becomes the command.
    const pod = buildPod({ containers: [{ name: 'argsonly', args: ['-c', 'echo from-args'] }] });
    const { PodJID } = (await plugin.request('POST', '/create', buildCreateRequest(pod))).json();
    const status = await pollStatus(plugin, pod, PodJID, allTerminated);
    expect(status.containers[0]?.state.terminated).toMatchObject({
      exitCode: 127,
      reason: 'ContainerCannotRun',
      message: expect.stringContaining('"-c": executable file not found'),
    });
    await plugin.request('POST', '/delete', deleteRequest(pod));
  });

  it('runs the image’s CMD when the pod gives neither command nor args', async () => {
    const pod = buildPod({ containers: [{ name: 'plain' }] });
    const { PodJID } = (await plugin.request('POST', '/create', buildCreateRequest(pod))).json();
    // CMD ["sh"] with no stdin exits at once with 0.
    const status = await pollStatus(plugin, pod, PodJID, allTerminated);
    expect(status.containers[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    await plugin.request('POST', '/delete', deleteRequest(pod));
  });

  it('answers a retried create with the same CreateStruct and creates nothing twice', async () => {
    const pod = buildPod({
      containers: [{ name: 'sleeper', command: ['sleep', '30'] }],
      terminationGracePeriodSeconds: 0,
    });
    const body = buildCreateRequest(pod);
    const [first, second] = await Promise.all([
      plugin.request('POST', '/create', body),
      plugin.request('POST', '/create', body),
    ]);
    const third = await plugin.request('POST', '/create', body);
    expect(first.status).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(third.json()).toEqual(first.json());
    expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toHaveLength(1); // a one-container pod is one container
    await plugin.request('POST', '/delete', deleteRequest(pod));
  });

  it('accepts the array form of older clients and answers in kind', async () => {
    const a = buildPod({ containers: [{ name: 'one', command: ['true'] }] });
    const b = buildPod({ containers: [{ name: 'two', command: ['true'] }] });
    const res = await plugin.request('POST', '/create', [buildCreateRequest(a), buildCreateRequest(b)]);
    expect(res.status).toBe(200);
    const answer = res.json();
    expect(answer.map((x: { PodUID: string }) => x.PodUID)).toEqual([a.metadata.uid, b.metadata.uid]);
    await plugin.request('POST', '/delete', deleteRequest(a));
    await plugin.request('POST', '/delete', deleteRequest(b));
  });

  it('reports a container removed behind its back as ContainerStatusUnknown, not Running forever', async () => {
    const pod = buildPod({
      containers: [{ name: 'victim', command: ['sleep', '300'] }],
      terminationGracePeriodSeconds: 0,
    });
    const { PodJID } = (await plugin.request('POST', '/create', buildCreateRequest(pod))).json();
    await pollStatus(plugin, pod, PodJID, allRunning);
    const [id] = await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`, `${LABEL.containerName}=victim`]);
    await runDocker(['rm', '-f', id as string]);
    // It may show as killed (Error 137) for a moment between Docker's die and destroy events.
    const status = await pollStatus(
      plugin,
      pod,
      PodJID,
      (s) => s.containers[0]?.state.terminated?.reason === 'ContainerStatusUnknown',
    );
    expect(status.containers[0]?.state.terminated).toMatchObject({
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
    });
    await plugin.request('POST', '/delete', deleteRequest(pod));
  });

  it('reports every container of a pod Docker no longer has, once the VK knows its JobID', async () => {
    const pod = buildPod({ containers: [{ name: 'gone', command: ['true'] }] });
    const res = await plugin.request('GET', '/status', statusRequest(pod, 'k8s_default_gone_00000000'));
    expect(res.status).toBe(200);
    expect(res.json()[0].containers[0].state.terminated).toMatchObject({
      reason: 'ContainerStatusUnknown',
      exitCode: 137,
    });
    const neverCreated = await plugin.request('GET', '/status', statusRequest(buildPod()));
    expect(neverCreated.json()).toEqual([]);
  });

  it('stops containers with the pod’s grace period and removes everything on delete', async () => {
    const pod = buildPod({
      containers: [
        {
          name: 'trap',
          command: ['sh', '-c'],
          args: ['trap "echo got-term; exit 0" TERM; while true; do sleep 0.1; done'],
        },
      ],
      // Far beyond the test's timeout: a delete that waited out the grace period would fail it.
      terminationGracePeriodSeconds: 600,
    });
    const { PodJID } = (await plugin.request('POST', '/create', buildCreateRequest(pod))).json();
    await pollStatus(plugin, pod, PodJID, allRunning);
    // The container handles SIGTERM itself: the delete answers as soon as it has.
    const res = await plugin.request('POST', '/delete', deleteRequest(pod, { jid: PodJID }));
    expect(res.status).toBe(200);
    expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);
    expect((await plugin.request('POST', '/delete', deleteRequest(pod))).status).toBe(200);
  });
});
