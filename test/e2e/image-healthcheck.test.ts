/**
 * A pod chooses its image, and Docker runs an image's HEALTHCHECK (as often as every millisecond)
 * and reports every change of its result as an event. Kubernetes runs no image health check (its
 * probes are the pod's); the plugin's containers run none either, so an image cannot make Docker
 * exec in a loop and the plugin read the container again on each result.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, podContainerIds } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

describeDocker('a health check an image carries', () => {
  const image = `interlink-test/flapping-health:${process.pid}`;

  beforeAll(async () => {
    const id = (await runDocker(['create', 'busybox:1.36', 'true'])).stdout.trim();
    // Healthy, unhealthy, healthy...: a health_status event per check.
    const check =
      'HEALTHCHECK --interval=1ms --retries=1 CMD ["sh","-c","rm /tmp/f 2>/dev/null && exit 1; touch /tmp/f"]';
    try {
      await runDocker(['commit', '--change', check, id, image]);
    } finally {
      await runDocker(['rm', id]);
    }
  }, 60_000);
  afterAll(async () => {
    await runDocker(['image', 'rm', '--force', image]).catch(() => undefined);
  });

  const plugin = usePlugin();

  it('is not run in the containers the plugin makes', async () => {
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image, imagePullPolicy: 'Never', command: ['sleep', '300'] }],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning, 60_000);
    const [id] = await podContainerIds(pod, 'main');
    const inspected = await runDocker(['inspect', '--format', '{{json .State.Health}}', id as string]);
    expect(inspected.stdout.trim()).toBe('null');
  }, 90_000);
});
