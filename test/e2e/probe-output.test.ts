/**
 * A probe's output is the pod's to choose: the plugin keeps no more of it than the kubelet does
 * (10 KiB), however much a command prints.
 */
import { expect, it } from 'vitest';
import type { ContainerStatus, PodStatus } from '../../src/contract/api-types.ts';
import { buildCreateRequest, buildPod, deleteRequest } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { pollStatus } from './poll.ts';

const main = (s: PodStatus): ContainerStatus => s.containers[0] as ContainerStatus;

describeDocker('a probe that prints without end', () => {
  const plugin = usePlugin();

  it('leaves the plugin up when an exec probe prints 600 MB, and the container becomes ready', async () => {
    // Past V8's longest string (512 MiB): output kept whole made the plugin throw on the exit.
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'app',
          command: ['sleep', '300'],
          readinessProbe: {
            exec: { command: ['head', '-c', '600000000', '/dev/zero'] },
            timeoutSeconds: 120,
            periodSeconds: 300,
          },
        },
      ],
    });
    const res = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(res.status, res.text).toBe(200);
    const jid = res.json().PodJID;
    const status = await pollStatus(plugin, pod, jid, (s) => main(s).ready, 90_000);
    expect(main(status).restartCount).toBe(0);
    expect((await plugin.request('GET', '/healthz')).status).toBe(200);
    await plugin.request('POST', '/delete', deleteRequest(pod));
  }, 120_000);
});
