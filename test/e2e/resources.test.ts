/** Resource requests and limits as the container feels them: cgroup settings, the OOM killer, refusals. */
import { expect, it } from 'vitest';
import type { Pod, ResourceRequirements } from '../../src/contract/api-types.ts';
import { buildCreateRequest, buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { deletePod, expectRefusal, JSON_ERRORS, podContainerIds, runToEnd } from './pod-session.ts';

/**
 * Prints the CFS quota and period, the CPU weight and the memory limit the container's cgroup
 * has, on cgroup v1 (this host) and v2 alike: "quota period", then shares/weight, then bytes.
 */
const CGROUP_SCRIPT = [
  'if [ -f /sys/fs/cgroup/cpu.max ]; then',
  '  echo v2; cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/memory.max;',
  'else',
  '  echo v1;',
  '  echo "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)";',
  '  cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/memory/memory.limit_in_bytes;',
  'fi',
].join('\n');

/** Docker's cgroup v2 conversion of shares to cpu.weight. */
const weightOf = (shares: number) => 1 + Math.floor(((shares - 2) * 9999) / 262142);

describeDocker('container resources', () => {
  const plugin = usePlugin();

  it('kills a container that goes over its memory limit and reports OOMKilled with exit code 137', async () => {
    const pod = buildPod({
      containers: [
        {
          name: 'hog',
          // dd holds its whole 64 MiB block in memory at once.
          command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'],
          resources: { limits: { memory: '16Mi' }, requests: { memory: '16Mi' } },
        },
      ],
    });
    const { status } = await runToEnd(plugin, pod);
    expect(status.containers[0]?.state.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    await deletePod(plugin, pod);
  });

  it('lets a container use memory under its limit', async () => {
    const pod = buildPod({
      containers: [
        {
          name: 'modest',
          command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=4M', 'count=4'],
          resources: { limits: { memory: '64Mi' } },
        },
      ],
    });
    const { status } = await runToEnd(plugin, pod);
    expect(status.containers[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    await deletePod(plugin, pod);
  });

  it.each<[string, ResourceRequirements, { quota: string; shares: number; memory: string }]>([
    [
      'CPU limit and request, memory limit',
      { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m', memory: '32Mi' } },
      { quota: '50000 100000', shares: 256, memory: String(64 * 1024 * 1024) },
    ],
    [
      'a CPU limit alone, which is also the request',
      { limits: { cpu: '2' } },
      { quota: '200000 100000', shares: 2048, memory: 'unlimited' },
    ],
    [
      'a CPU request alone, with no quota',
      { requests: { cpu: '100m' } },
      { quota: 'unlimited', shares: 102, memory: 'unlimited' },
    ],
  ])('sets the kubelet’s cgroup values for %s', async (_label, resources, want) => {
    const pod = buildPod({
      containers: [{ name: 'probe', command: ['sh', '-c', CGROUP_SCRIPT], resources }],
    });
    const { logs } = await runToEnd(plugin, pod);
    const [version, quota, shares, memory] = (logs.probe ?? '').trim().split('\n');
    if (version === 'v1') {
      expect(quota).toBe(want.quota === 'unlimited' ? '-1 100000' : want.quota);
      expect(shares).toBe(String(want.shares));
      // v1 reports "no limit" as a huge page-aligned number.
      if (want.memory === 'unlimited') expect(Number(memory)).toBeGreaterThan(2 ** 60);
      else expect(memory).toBe(want.memory);
    } else {
      expect(quota).toBe(want.quota === 'unlimited' ? 'max 100000' : want.quota);
      expect(shares).toBe(String(weightOf(want.shares)));
      expect(memory).toBe(want.memory === 'unlimited' ? 'max' : want.memory);
    }
    await deletePod(plugin, pod);
  });

  it.each<[string, (pod: Pod) => void, string]>([
    [
      'a memory limit that is not a quantity',
      (pod) => {
        (pod.spec?.containers[0] as { resources: unknown }).resources = { limits: { memory: '12 apples' } };
      },
      '/pod/spec/containers/0/resources/limits/memory',
    ],
    [
      'a negative CPU request',
      (pod) => {
        (pod.spec?.containers[0] as { resources: unknown }).resources = { requests: { cpu: '-1' } };
      },
      '/pod/spec/containers/0/resources/requests/cpu',
    ],
    [
      'a memory limit below what Docker can enforce',
      (pod) => {
        (pod.spec?.containers[0] as { resources: unknown }).resources = { limits: { memory: '1Ki' } };
      },
      '/pod/spec/containers/0/resources/limits/memory',
    ],
    [
      'a CPU limit of an init container that is not a quantity',
      (pod) => {
        (pod.spec?.initContainers?.[0] as { resources: unknown }).resources = { limits: { cpu: '1.5.5' } };
      },
      '/pod/spec/initContainers/0/resources/limits/cpu',
    ],
  ])('refuses %s with a 422 naming the field, and creates nothing', async (_label, spoil, field) => {
    const pod = buildPod({
      initContainers: [{ name: 'prep', command: ['true'] }],
      containers: [{ name: 'app', command: ['true'] }],
    });
    spoil(pod);
    const body = expectRefusal(
      await plugin.request('POST', '/create', buildCreateRequest(pod), JSON_ERRORS),
      422,
    );
    expect(body.details?.map((d) => d.field)).toContain(field);
    expect(body.error).toContain(field);
    expect(await podContainerIds(pod)).toEqual([]);
  });
});
