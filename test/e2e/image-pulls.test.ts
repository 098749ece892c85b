import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { buildCreateRequest, buildPod, deleteRequest, logsRequest } from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { allTerminated, pollStatus } from './poll.ts';

describeDocker('images that are not on the host', () => {
  const tagged: string[] = [];
  afterAll(async () => {
    for (const image of tagged) await runDocker(['rmi', image]).catch(() => {});
  });
  const plugin = usePlugin({ args: ['--image-pull-backoff', '1'] });

  // No registry answers here: a pull of this name fails at once, for real.
  const missingImage = () => `localhost/pull-test-${randomBytes(4).toString('hex')}:1`;

  it('answers create at once, reports the failed pull with Docker’s words, and runs the container once the image is there', async () => {
    const image = missingImage();
    const pod = buildPod({ containers: [{ name: 'late', image, command: ['echo', 'image arrived'] }] });
    // The image cannot arrive before the test tags it below: /create answering at all proves it
    // does not wait for the pull (a /create that did would hang this test).
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(created.status).toBe(200);
    const { PodJID } = created.json();

    const failed = await pollStatus(plugin, pod, PodJID, (s) =>
      ['ErrImagePull', 'ImagePullBackOff'].includes(s.containers[0]?.state.waiting?.reason ?? ''),
    );
    expect(failed.containers[0]?.state.waiting?.message).toMatch(/localhost|connection refused|dial/);

    // An operator loads the image by hand (an offline host): the next retry uses it.
    await runDocker(['tag', 'busybox:1.36', image]);
    tagged.push(image);
    const done = await pollStatus(plugin, pod, PodJID, allTerminated, 20_000);
    expect(done.containers[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect((await plugin.request('GET', '/getLogs', logsRequest(pod, 'late'))).text).toBe('image arrived\n');
    await plugin.request('POST', '/delete', deleteRequest(pod));
    expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);
  });

  it('says ErrImageNeverPull for a missing image under imagePullPolicy Never, and pulls nothing', async () => {
    const pod = buildPod({
      containers: [{ name: 'never', image: missingImage(), imagePullPolicy: 'Never' }],
    });
    const { PodJID } = (await plugin.request('POST', '/create', buildCreateRequest(pod))).json();
    const status = await pollStatus(plugin, pod, PodJID, (s) => s.containers[0]?.state.waiting !== undefined);
    expect(status.containers[0]?.state.waiting).toMatchObject({ reason: 'ErrImageNeverPull' });
    expect(status.containers[0]?.state.waiting?.message).toMatch(/not present with pull policy of Never/);
    await plugin.request('POST', '/delete', deleteRequest(pod));
  });

  it('stops waiting for the image when the pod is deleted, and leaves nothing behind', async () => {
    const image = missingImage();
    const pod = buildPod({
      containers: [
        { name: 'a', image: 'busybox:1.36', command: ['sleep', '60'] },
        { name: 'b', image },
      ],
      terminationGracePeriodSeconds: 0,
    });
    const { PodJID } = (await plugin.request('POST', '/create', buildCreateRequest(pod))).json();
    await pollStatus(
      plugin,
      pod,
      PodJID,
      (s) => s.containers[0]?.state.running !== undefined && s.containers[1]?.state.waiting !== undefined,
    );
    expect((await plugin.request('POST', '/delete', deleteRequest(pod))).status).toBe(200);
    await runDocker(['tag', 'busybox:1.36', image]);
    tagged.push(image);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);
  });

  it('carries on with a pull that was waiting when the plugin restarted', async () => {
    const image = missingImage();
    const pod = buildPod({ containers: [{ name: 'patient', image, command: ['echo', 'after restart'] }] });
    const { PodJID } = (await plugin.request('POST', '/create', buildCreateRequest(pod))).json();
    await pollStatus(plugin, pod, PodJID, (s) => s.containers[0]?.state.waiting !== undefined);
    expect(await plugin.stop('SIGTERM')).toBe(0);
    await runDocker(['tag', 'busybox:1.36', image]);
    tagged.push(image);
    await plugin.startAgain();
    const done = await pollStatus(plugin, pod, PodJID, allTerminated, 20_000);
    expect(done.containers[0]?.state.terminated).toMatchObject({ exitCode: 0 });
    expect((await plugin.request('GET', '/getLogs', logsRequest(pod, 'patient'))).text).toBe(
      'after restart\n',
    );
    await plugin.request('POST', '/delete', deleteRequest(pod));
  });
});
