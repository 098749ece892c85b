/**
 * Every container of a pod in one cgroup of the pod's, under one of the plugin's (as the kubelet
 * lays them out), kept after its containers exit and removed with the pod. Runs on this host's
 * engine (cgroup v1, cgroupfs driver); the other layouts are covered by cgroup-layout.test.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ContainerStatus, PodStatus } from '../../src/contract/api-types.ts';
import { CGROUP_ROOT } from '../../src/docker/cgroups/pod-cgroups.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, logsOf, podContainerIds } from './pod-session.ts';
import { allRunning, allTerminated, pollStatus } from './poll.ts';

/** This host: cgroup v1, cgroupfs. */
const memoryDir = (instance: string, uid?: string) => podDir('memory', instance, uid);
const podDir = (controller: string, instance: string, uid?: string) =>
  join(
    CGROUP_ROOT,
    controller,
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

  it('holds a pod whose containers all have CPU limits to their sum, on the pod’s cgroup', async () => {
    const burn = ['sh', '-c', 'while :; do :; done'];
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'a', command: burn, resources: { limits: { cpu: '100m' } } },
        { name: 'b', command: burn, resources: { limits: { cpu: '150m' } } },
      ],
    });
    const unlimited = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'a', command: ['sleep', '300'], resources: { limits: { cpu: '100m' } } },
        { name: 'b', command: ['sleep', '300'] },
      ],
    });
    const jid = await createPod(plugin, pod);
    const jid2 = await createPod(plugin, unlimited);
    await pollStatus(plugin, pod, jid, allRunning);
    await pollStatus(plugin, unlimited, jid2, allRunning);
    const cpuFile = (p: typeof pod, file: string) =>
      readFileSync(join(podDir('cpu', plugin.instance, p.metadata.uid), file), 'utf8');
    expect(Number(cpuFile(pod, 'cpu.cfs_period_us'))).toBe(100_000);
    expect(Number(cpuFile(pod, 'cpu.cfs_quota_us'))).toBe(25_000);
    expect(Number(cpuFile(unlimited, 'cpu.cfs_quota_us'))).toBe(-1);
    // The pod's own bandwidth control runs (its periods count only under a quota of its own), and
    // the pod never gets more than its quarter of a CPU, however long it burns.
    const periods = () => Number(/nr_periods (\d+)/.exec(cpuFile(pod, 'cpu.stat'))?.[1]);
    const usedNs = () =>
      Number(
        readFileSync(join(podDir('cpuacct', plugin.instance, pod.metadata.uid), 'cpuacct.usage'), 'utf8'),
      );
    const from = { ns: usedNs(), at: process.hrtime.bigint() };
    await expect.poll(periods, { timeout: 20_000 }).toBeGreaterThan(10);
    const elapsedNs = Number(process.hrtime.bigint() - from.at);
    // A quarter of the wall time, plus one period's quota of slack for the edges.
    expect(usedNs() - from.ns).toBeLessThanOrEqual(elapsedNs * 0.25 + 25_000_000);
    await deletePod(plugin, pod);
    await deletePod(plugin, unlimited);
  }, 150_000);

  it('removes a pod’s cgroup that its delete could not remove (a process still in it) once it can', async () => {
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'a', command: ['sleep', '300'] }],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning);
    const dir = memoryDir(plugin.instance, pod.metadata.uid);
    // A process of the host's in the pod's memory cgroup: rmdir answers EBUSY while it lives.
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'cgroup.procs'), String(holder.pid));
      await deletePod(plugin, pod);
      expect(existsSync(dir)).toBe(true);
      expect(existsSync(podDir('cpu', plugin.instance, pod.metadata.uid))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    await expect.poll(() => existsSync(dir), { timeout: 30_000, interval: 500 }).toBe(false);
  }, 150_000);
});

describeDocker('pod pids limit', () => {
  const plugin = usePlugin({ env: { PLUGIN_POD_PIDS_LIMIT: '40' } });
  const defaults = usePlugin();

  it('holds a fork bomb to the pod’s pids limit across all of its containers', async () => {
    // Two containers forking 60 sleeps each: 120 wanted, the pod may have 40 (sandbox included).
    // The shells stop at the first fork the kernel refuses, so both end.
    const forker = (name: string) => ({
      name,
      command: ['sh', '-c', 'for i in $(seq 60); do sleep 300 & done; wait'],
    });
    const pod = buildPod({
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      containers: [forker('a'), forker('b')],
    });
    const jid = await createPod(plugin, pod);
    const dir = podDir('pids', plugin.instance, pod.metadata.uid);
    await expect.poll(() => existsSync(join(dir, 'pids.max')), { timeout: 30_000 }).toBe(true);
    expect(readFileSync(join(dir, 'pids.max'), 'utf8').trim()).toBe('40');
    const status = await pollStatus(plugin, pod, jid, allTerminated);
    expect(status.containers.map((c) => c.state.terminated?.reason)).toEqual(['Error', 'Error']);
    // The pod as a whole reached its limit and no further (pids.peak: the most it ever held).
    expect(readFileSync(join(dir, 'pids.peak'), 'utf8').trim()).toBe('40');
    expect(await logsOf(plugin, pod, 'a')).toContain("can't fork");
    await deletePod(plugin, pod, jid);
    expect(existsSync(dir)).toBe(false);
  });

  it('gives every pod 4096 pids by default, as a limit a fork bomb meets long before the host’s', async () => {
    const pod = buildPod({
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'a', command: ['sleep', '300'] }],
    });
    const jid = await createPod(defaults, pod);
    await pollStatus(defaults, pod, jid, allRunning);
    const dir = podDir('pids', defaults.instance, pod.metadata.uid);
    expect(readFileSync(join(dir, 'pids.max'), 'utf8').trim()).toBe('4096');
    await deletePod(defaults, pod, jid);
  });
});
