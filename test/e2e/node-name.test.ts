/** interLink PR #550: each pod's status names the host it runs on (here: the Docker engine's host). */
import { expect, it } from 'vitest';
import { buildCreateRequest, buildPod, statusRequest } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { allTerminated, pollStatus } from './poll.ts';

describeDocker('the node a pod runs on', () => {
  const plugin = usePlugin();

  it("reports the Docker host's name as nodeName in the pod's status", async () => {
    const host = (await runDocker(['info', '--format', '{{.Name}}'])).stdout.trim();
    expect(host).not.toBe('');
    const pod = buildPod({ containers: [{ name: 'main', command: ['true'] }] });
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(created.status, created.text).toBe(200);
    const status = await pollStatus(plugin, pod, created.json().PodJID as string, allTerminated, 60_000);
    expect(status.nodeName).toBe(host);
    // The ping and pods the plugin does not know carry no status entry, so no nodeName either.
    const unknown = await plugin.request('GET', '/status', statusRequest(buildPod()));
    expect(unknown.json()).toEqual([]);
  }, 90_000);
});
