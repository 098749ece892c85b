/**
 * A pod chooses its image, and Docker copies an image's labels onto its containers. An image that
 * carries the plugin's own labels must not steer the plugin: here a planted probe label that would
 * make the plugin connect to a server on the host's loopback (the server's answer would then be
 * shown in the pod's status), from a liveness probe and from a preStop hook run at delete.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

describeDocker('labels an image carries', () => {
  const image = `interlink-test/planted-labels:${process.pid}`;
  const requests: string[] = [];
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('the host answered\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const planted = {
      livenessProbe: { httpGet: { host: '127.0.0.1', port, path: '/liveness' }, periodSeconds: 1 },
      lifecycle: { preStop: { httpGet: { host: '127.0.0.1', port, path: '/preStop' } } },
    };
    const id = (await runDocker(['create', 'busybox:1.36', 'true'])).stdout.trim();
    const changes = [
      `LABEL ${LABEL.probes}=${JSON.stringify(JSON.stringify(planted))}`,
      `LABEL ${LABEL.gpus}=GPU-planted`,
      `LABEL ${LABEL.podNetwork}=planted-network`,
    ].flatMap((c) => ['--change', c]);
    try {
      await runDocker(['commit', ...changes, id, image]);
    } finally {
      await runDocker(['rm', id]);
    }
  }, 60_000);
  afterAll(async () => {
    await runDocker(['image', 'rm', '--force', image]).catch(() => undefined);
    await new Promise((resolve) => server.close(resolve));
  });

  const plugin = usePlugin();

  it('runs no probe or hook the image planted in a label of the plugin', async () => {
    const inspected = await runDocker(['image', 'inspect', '--format', '{{json .Config.Labels}}', image]);
    // The image really carries the planted probe: the test would prove nothing otherwise.
    expect(JSON.parse(inspected.stdout)[LABEL.probes]).toContain(`"port":${port}`);
    const pod = buildPod({
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'app', image, command: ['sleep', '3600'] }],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning, 60_000);
    // Long enough for a planted 1 s liveness probe to have fired a few times.
    await new Promise((r) => setTimeout(r, 4000));
    await deletePod(plugin, pod, jid);
    expect(requests).toEqual([]);
  }, 120_000);
});
