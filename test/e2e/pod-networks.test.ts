/** PLUGIN_POD_NETWORKS: pods spread over the networks the operator gives, and the ping fits them. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { POD_NETWORK_LABEL } from '../../src/docker/network/pod-networks.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, podContainerIds } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

describeDocker('pod networks', () => {
  const suffix = randomUUID().slice(0, 8);
  // Small subnets: a /28 holds 13 pods, so the ping's promise is checkable.
  const networks = [
    { name: `netmesh-a-${suffix}`, subnet: '10.213.7.0/28' },
    { name: `netmesh-b-${suffix}`, subnet: '10.213.7.16/28' },
  ];
  beforeAll(async () => {
    for (const n of networks)
      await runDocker(['network', 'create', '--label', 'netmesh-test=1', '--subnet', n.subnet, n.name]);
  });
  afterAll(async () => {
    for (const n of networks) await runDocker(['network', 'rm', n.name]).catch(() => undefined);
  });
  const plugin = usePlugin({ env: { PLUGIN_POD_NETWORKS: networks.map((n) => n.name).join(',') } });

  it('promises in the ping no more pods than the networks hold', async () => {
    const res = await plugin.request('GET', '/status', []);
    expect(res.status).toBe(200);
    expect(res.json().resources.pods).toBe('26');
  });

  it('spreads pods over both networks and gives each its address there', async () => {
    const pods = [0, 1, 2, 3].map((i) =>
      buildPod({
        containers:
          i % 2 === 0
            ? [{ name: 'only', command: ['sleep', '3600'] }]
            : [
                { name: 'one', command: ['sleep', '3600'] },
                { name: 'two', command: ['sleep', '3600'] },
              ],
        terminationGracePeriodSeconds: 0,
      }),
    );
    const seen = new Map<string, number>();
    for (const pod of pods) {
      const jid = await createPod(plugin, pod);
      await pollStatus(plugin, pod, jid, allRunning);
      const ids = await runDocker([
        'ps',
        '-q',
        '--filter',
        `label=io.interlink.pod.uid=${pod.metadata.uid}`,
      ]).then((r) => r.stdout.split('\n').filter(Boolean));
      // Every container carries the label (empty where it does not apply): the owner's is set.
      const { stdout: lines } = await runDocker([
        'inspect',
        '--format',
        `{{index .Config.Labels "${POD_NETWORK_LABEL}"}} {{json .NetworkSettings.Networks}}`,
        ...ids,
      ]);
      const owned = lines.split('\n').filter((line) => line !== '' && !line.startsWith(' '));
      expect(owned).toHaveLength(1);
      const stdout = owned[0] as string;
      const [label, json] = [stdout.slice(0, stdout.indexOf(' ')), stdout.slice(stdout.indexOf(' ') + 1)];
      const attached = JSON.parse(json) as Record<string, { IPAddress: string }>;
      // The pod is on exactly the network its label names, with an address from its subnet.
      expect(Object.keys(attached)).toEqual([label]);
      expect(attached[label]?.IPAddress).toMatch(/^10\.213\.7\./);
      seen.set(label, (seen.get(label) ?? 0) + 1);
      // Containers of the pod see that address as theirs.
      const mains = await podContainerIds(pod, 'main');
      const ip = await runDocker(['exec', mains[0] ?? '', 'hostname', '-i']);
      expect(ip.stdout.trim()).toBe(attached[label]?.IPAddress);
    }
    expect([...seen.values()]).toEqual([2, 2]);
    for (const pod of pods) await deletePod(plugin, pod);
  });
});
