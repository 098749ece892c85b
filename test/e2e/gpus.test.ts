/**
 * GPUs without a GPU: an inventory from PLUGIN_GPU_DEVICES and the `env` mode, so each container
 * says which devices it was given by printing NVIDIA_VISIBLE_DEVICES. Real containers on the
 * real engine; what is checked is what the containers themselves saw.
 */
import { afterAll, expect, it } from 'vitest';
import type { Pod } from '../../src/contract/api-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import { buildCreateRequest, buildPod, logsRequest } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, podContainerIds } from './pod-session.ts';
import { allTerminated, pollStatus } from './poll.ts';

const GPU_ENV = { PLUGIN_GPU_DEVICES: '0,1,2', PLUGIN_GPU_MODE: 'env' };
/** Prints the devices it sees, then runs until told to finish (a file appears). */
const REPORT_AND_WAIT = 'echo "$NVIDIA_VISIBLE_DEVICES"; until [ -e /tmp/finish ]; do sleep 0.2; done';

function gpuPod(gpus: number, more: { name: string; gpus: number }[] = []): Pod {
  return buildPod({
    containers: [{ name: 'cuda', gpus }, ...more].map((c) => ({
      name: c.name,
      command: ['sh', '-c', REPORT_AND_WAIT],
      ...(c.gpus > 0 ? { resources: { limits: { 'nvidia.com/gpu': String(c.gpus) } } } : {}),
    })),
    // The containers ignore SIGTERM (PID 1): delete need not wait for them.
    terminationGracePeriodSeconds: 0,
  });
}

describeDocker('GPUs, exclusive per container (env mode, three GPUs from PLUGIN_GPU_DEVICES)', () => {
  const plugin = usePlugin({ env: GPU_ENV });
  const current = () => plugin;

  /** The NVIDIA_VISIBLE_DEVICES a container printed, once it has. */
  async function devicesSeen(pod: Pod, container = 'cuda'): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await plugin.request('GET', '/getLogs', logsRequest(pod, container));
      if (res.status === 200 && res.text.includes('\n')) return res.text.trim();
      if (Date.now() > deadline) throw new Error(`${container} printed nothing: ${res.status} ${res.text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Lets the pod's containers exit 0 and waits until the status says they have. */
  async function finish(pod: Pod, jid: string): Promise<void> {
    for (const id of await podContainerIds(pod, 'main'))
      await runDocker(['exec', id, 'touch', '/tmp/finish']);
    await pollStatus(plugin, pod, jid, allTerminated);
  }

  async function expectNotAdmitted(pod: Pod, requested: number, available: number): Promise<void> {
    const res = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(res.status, res.text).toBe(409);
    expect(res.text).toMatch(
      new RegExp(
        `UnexpectedAdmissionError: .*Requested: ${requested}, Available: ${available}, which is unexpected`,
      ),
    );
    // Nothing half-made.
    expect(await podContainerIds(pod)).toEqual([]);
  }

  it('declares its three GPUs in the ping, as a string', async () => {
    const res = await plugin.request('GET', '/status', []);
    expect(res.json().resources.accelerators).toEqual([{ resourceType: 'nvidia.com/gpu', available: '3' }]);
  });

  it('gives pods devices no other running pod holds, refuses what does not fit, and frees devices when pods end, across a restart', async () => {
    // Two creates at once must not get the same device.
    const a = gpuPod(1);
    const b = gpuPod(1);
    const [jidA] = await Promise.all([createPod(current, a), createPod(current, b)]);
    const [seenA, seenB] = await Promise.all([devicesSeen(a), devicesSeen(b)]);
    expect(seenA).toMatch(/^[012]$/);
    expect(seenB).toMatch(/^[012]$/);
    expect(seenA).not.toBe(seenB);
    // The record a restart rebuilds from.
    const [idB] = await podContainerIds(b, 'main');
    const { stdout } = await runDocker([
      'inspect',
      '--format',
      `{{index .Config.Labels "${LABEL.gpus}"}}`,
      idB ?? '',
    ]);
    expect(stdout.trim()).toBe(seenB);

    // One device is left: a 2-GPU pod does not fit.
    await expectNotAdmitted(gpuPod(2), 2, 1);

    // A pod that has ended gives its device back at once, before it is deleted.
    await finish(a, jidA);
    const c = gpuPod(2);
    const jidC = await createPod(current, c);
    const seenC = (await devicesSeen(c)).split(',');
    expect(seenC).toHaveLength(2);
    expect(new Set([...seenC, seenB])).toEqual(new Set(['0', '1', '2']));

    // All three are held: a fourth pod fails cleanly, and a pod without GPUs sees none.
    await expectNotAdmitted(gpuPod(1), 1, 0);
    const metrics = (await plugin.request('GET', '/metrics')).text;
    expect(metrics).toContain('interlink_docker_plugin_gpus{state="assigned"} 3');
    expect(metrics).toContain('interlink_docker_plugin_gpus{state="free"} 0');
    const plain = gpuPod(0);
    await createPod(current, plain);
    expect(await devicesSeen(plain)).toBe('void');

    // A restarted plugin knows who holds what from the labels alone.
    expect(await plugin.stop('SIGTERM')).toBe(0);
    await plugin.startAgain();
    const d = gpuPod(1);
    await expectNotAdmitted(d, 1, 0);
    await finish(c, jidC);
    await createPod(current, d);
    expect(seenC).toContain(await devicesSeen(d));
  }, 180_000);

  it('splits a pod’s devices among its containers; init containers reuse them', async () => {
    const pod = gpuPod(1, [
      { name: 'second', gpus: 1 },
      { name: 'plain', gpus: 0 },
    ]);
    (pod.spec as NonNullable<Pod['spec']>).initContainers = [
      {
        name: 'setup',
        image: 'busybox:1.36',
        command: ['sh', '-c', 'echo "$NVIDIA_VISIBLE_DEVICES"'],
        resources: { limits: { 'nvidia.com/gpu': '2' } },
      },
    ];
    await createPod(current, pod);
    const [first, second, plain, setup] = await Promise.all([
      devicesSeen(pod),
      devicesSeen(pod, 'second'),
      devicesSeen(pod, 'plain'),
      devicesSeen(pod, 'setup'),
    ]);
    expect(first).not.toBe(second);
    expect(plain).toBe('void');
    expect(setup.split(',').sort()).toEqual([first, second].sort());
    // The pod holds two devices; one is left.
    await expectNotAdmitted(gpuPod(2), 2, 1);
  });
});

describeDocker('GPUs on a host without any', () => {
  afterAll(stopAll);

  it('leaves accelerators out of the ping when it has no GPU to hand out', async () => {
    const plugin = await startPlugin();
    const line = await plugin.waitForLog(/GPUs to hand out/);
    const res = await plugin.request('GET', '/status', []);
    // On a host with nvidia-smi, it would declare what nvidia-smi listed.
    const count = (JSON.parse(line) as { gpus: string[] }).gpus.length;
    const metrics = (await plugin.request('GET', '/metrics')).text;
    if (count === 0) {
      expect(res.json().resources).not.toHaveProperty('accelerators');
      expect(metrics).not.toMatch(/^interlink_docker_plugin_gpus\{/m);
    } else
      expect(res.json().resources.accelerators).toEqual([
        { resourceType: 'nvidia.com/gpu', available: String(count) },
      ]);
  });
});

describeDocker('GPUs in toolkit mode (the default), as Docker records them', () => {
  afterAll(stopAll);

  it('asks Docker for exactly the pod’s devices with --gpus, none for a container without GPUs', async () => {
    const plugin = await startPlugin({ env: { PLUGIN_GPU_DEVICES: '0,1,2' } });
    const pod = gpuPod(2, [{ name: 'plain', gpus: 0 }]);
    await createPod(plugin, pod);
    // Without an NVIDIA driver the containers cannot start; what Docker was asked for is still there.
    const requests = async (role: 'main', name: string) => {
      const ids = await podContainerIds(pod, role);
      const { stdout } = await runDocker([
        'inspect',
        '--format',
        `{{index .Config.Labels "${LABEL.containerName}"}} {{json .HostConfig.DeviceRequests}}`,
        ...ids,
      ]);
      const line = stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
      return JSON.parse(line.slice(name.length + 1)) as Array<{
        DeviceIDs: string[];
        Capabilities: string[][];
      }> | null;
    };
    const deadline = Date.now() + 30_000;
    while ((await podContainerIds(pod, 'main')).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await requests('main', 'cuda')).toEqual([
      expect.objectContaining({ DeviceIDs: ['0', '1'], Capabilities: [['gpu']] }),
    ]);
    expect(await requests('main', 'plain')).toBeNull();
  });
});
