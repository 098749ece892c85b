/**
 * Every container of a pod in one cgroup of the pod's, under one of the plugin's (as the kubelet
 * lays them out), kept after its containers exit and removed with the pod. Runs on this host's
 * engine (cgroup v1, cgroupfs driver); the other layouts are covered by cgroup-layout.test.ts.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ContainerStatus, PodStatus } from '../../src/contract/api-types.ts';
import { CGROUP_ROOT } from '../../src/docker/cgroups/pod-cgroups.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, podContainerIds } from './pod-session.ts';
import { allRunning, allTerminated, pollStatus } from './poll.ts';

/** This host: cgroup v1, cgroupfs. */
const memoryDir = (instance: string, uid?: string) =>
  join(
    CGROUP_ROOT,
    'memory',
    `interlink-${instance.replace(/[^A-Za-z0-9_]/g, '_')}`,
    ...(uid ? [`pod${uid.replace(/[^A-Za-z0-9_]/g, '_')}`] : []),
  );

describeDocker('pod cgroups', () => {
  const plugin = usePlugin();

  const twoContainers = () =>
    buildPod({
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'a', command: ['sh', '-c', 'exit 0'] },
        { name: 'b', command: ['sh', '-c', 'exit 3'] },
      ],
    });

  it('puts the sandbox and every container of a pod into the pod’s cgroup, and keeps it until the pod is deleted', async () => {
    const pod = twoContainers();
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allTerminated);
    const ids = await podContainerIds(pod);
    expect(ids.length).toBe(3);
    const parents = (await runDocker(['inspect', '--format', '{{.HostConfig.CgroupParent}}', ...ids])).stdout;
    const want = `/interlink-${plugin.instance.replace(/[^A-Za-z0-9_]/g, '_')}/pod${pod.metadata.uid.replace(/[^A-Za-z0-9_]/g, '_')}`;
    expect(parents.trim().split('\n')).toEqual([want, want, want]);
    // The app containers have exited; their pod's cgroup is still there to be read.
    expect(existsSync(memoryDir(plugin.instance, pod.metadata.uid))).toBe(true);
    await deletePod(plugin, pod);
    expect(existsSync(memoryDir(plugin.instance, pod.metadata.uid))).toBe(false);
  });

  it('keeps a pod’s cgroup across a plugin restart, removes it with the pod, and sweeps what a crash left', async () => {
    const pod = twoContainers();
    const jid = await createPod(() => plugin, pod);
    await pollStatus(plugin, pod, jid, allTerminated);
    const podDir = memoryDir(plugin.instance, pod.metadata.uid);
    const stray = join(memoryDir(plugin.instance), 'podleft_by_a_crash');
    mkdirSync(stray);
    await plugin.stop();
    await plugin.startAgain();
    expect(existsSync(stray)).toBe(false);
    expect(existsSync(podDir)).toBe(true);
    const status: PodStatus = await pollStatus(plugin, pod, jid, allTerminated);
    expect((status.containers[1] as ContainerStatus).state.terminated?.exitCode).toBe(3);
    await deletePod(plugin, pod);
    expect(existsSync(podDir)).toBe(false);
  });

  it('limits a pod whose containers all have memory limits to their sum, on the pod’s cgroup', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'a', command: ['sleep', '300'], resources: { limits: { memory: '32Mi' } } },
        { name: 'b', command: ['sleep', '300'], resources: { limits: { memory: '16Mi' } } },
      ],
    });
    const unlimited = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'a', command: ['sleep', '300'], resources: { limits: { memory: '32Mi' } } },
        { name: 'b', command: ['sleep', '300'] },
      ],
    });
    const jid = await createPod(plugin, pod);
    const jid2 = await createPod(plugin, unlimited);
    await pollStatus(plugin, pod, jid, allRunning);
    await pollStatus(plugin, unlimited, jid2, allRunning);
    const limitOf = (p: typeof pod) =>
      Number(readFileSync(join(memoryDir(plugin.instance, p.metadata.uid), 'memory.limit_in_bytes'), 'utf8'));
    expect(limitOf(pod)).toBe(48 * 1024 * 1024);
    expect(limitOf(unlimited)).toBeGreaterThan(2 ** 60);
    await deletePod(plugin, pod);
    await deletePod(plugin, unlimited);
  });
});
