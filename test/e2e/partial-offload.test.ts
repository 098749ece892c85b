/**
 * interLink 0.6.1's partial offload, with bodies shaped as the Virtual Kubelet sends them: /create
 * without the containers the annotations keep in the cluster, /status and /delete with the full pod.
 */
import { expect, it } from 'vitest';
import {
  buildCreateRequest,
  buildPod,
  deleteRequest,
  logsRequest,
  statusRequest,
} from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { deletePod, podContainerIds } from './pod-session.ts';
import { allTerminated, pollStatus } from './poll.ts';

describeDocker('partial offload (interLink 0.6.1)', () => {
  const plugin = usePlugin();

  it('reports only the main containers it runs, never the cluster ones as gone, and says where their logs are', async () => {
    const pod = buildPod({
      annotations: { 'interlink.eu/disable-offload-containers': ' proxy , ' },
      restartPolicy: 'Never',
      containers: [
        { name: 'work', command: ['sh', '-c', 'echo offloaded'] },
        { name: 'proxy', command: ['sleep', '3600'] },
      ],
    });
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(created.status, created.text).toBe(200);
    const { PodJID } = created.json();

    const status = await pollStatus(plugin, pod, PodJID, allTerminated);
    expect(status.containers.map((c) => c.name)).toEqual(['work']);
    expect(status.containers[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });

    expect((await plugin.request('GET', '/getLogs', logsRequest(pod, 'work'))).text).toBe('offloaded\n');
    const proxyLogs = await plugin.request('GET', '/getLogs', logsRequest(pod, 'proxy'));
    expect(proxyLogs.status).toBe(404);
    expect(proxyLogs.text).toMatch(/container proxy of pod .* runs in the cluster/);
    // Empty ContainerName: the only container this plugin runs.
    expect((await plugin.request('GET', '/getLogs', logsRequest(pod, ''))).text).toBe('offloaded\n');

    // After a restart the plugin still knows which containers the cluster runs (Docker labels).
    await plugin.stop('SIGTERM');
    await plugin.startAgain();
    const [again] = (await plugin.request('GET', '/status', statusRequest(pod, PodJID))).json();
    expect(again.containers.map((c: { name: string }) => c.name)).toEqual(['work']);
    const afterRestart = await plugin.request('GET', '/getLogs', logsRequest(pod, 'proxy'));
    expect(afterRestart.status).toBe(404);
    expect(afterRestart.text).toMatch(/runs in the cluster/);

    await deletePod(plugin, pod, PodJID);
  });

  it('runs and reports only the init containers it was given, then the main containers', async () => {
    const pod = buildPod({
      annotations: { 'interlink.eu/disable-offload-init-containers': 'fetch' },
      restartPolicy: 'Never',
      initContainers: [
        { name: 'fetch', command: ['sh', '-c', 'exit 3'] },
        { name: 'prepare', command: ['sh', '-c', 'echo prepared'] },
      ],
      containers: [{ name: 'main', command: ['sh', '-c', 'echo ran'] }],
    });
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(created.status, created.text).toBe(200);
    const { PodJID } = created.json();

    const status = await pollStatus(plugin, pod, PodJID, allTerminated);
    expect(status.initContainers.map((c) => c.name)).toEqual(['prepare']);
    expect(status.initContainers[0]?.state.terminated?.exitCode).toBe(0);
    expect(status.containers[0]?.state.terminated).toMatchObject({ exitCode: 0 });
    expect((await plugin.request('GET', '/getLogs', logsRequest(pod, 'main'))).text).toBe('ran\n');
    const fetchLogs = await plugin.request('GET', '/getLogs', logsRequest(pod, 'fetch'));
    expect(fetchLogs.status).toBe(404);
    expect(fetchLogs.text).toMatch(/interlink\.eu\/disable-offload-init-containers/);

    // /delete carries the full pod: everything made here goes, and nothing else is asked of Docker.
    const res = await plugin.request('POST', '/delete', deleteRequest(pod, { jid: PodJID }));
    expect(res.status).toBe(200);
    expect(await podContainerIds(pod)).toEqual([]);
  });
});
