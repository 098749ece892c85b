/**
 * A pod chooses its grace period (terminationGracePeriodSeconds) and whether its containers heed
 * SIGTERM: a delete of such a pod takes that long. It must not hold one of the places of creates
 * and deletes (PLUGIN_MAX_CONCURRENT_OPS, 16 by default) meanwhile: those cap the plugin's docker
 * work under way, and other pods would wait, or get 503, for as long.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { buildCreateRequest, buildPod, deleteRequest } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, podContainerIds, sh } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

const OPS = 2;

/** Whether a `docker stop` of this container is running (the plugin waiting out its grace). */
function stopping(containerId: string): boolean {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes('stop') && argv.includes(containerId)) return true;
    } catch {
      // The process left while we read it.
    }
  }
  return false;
}

describeDocker('a delete that waits out a long grace period', () => {
  const plugin = usePlugin({ args: ['--max-concurrent-ops', String(OPS)] });

  it('leaves other pods room to be created and deleted while it waits', async () => {
    // Twice as many as there are places: the places under way and as many waiting for one.
    const stubborn = Array.from({ length: OPS * 2 }, (_, i) =>
      buildPod({
        name: `stubborn-${i}`,
        terminationGracePeriodSeconds: 3600,
        containers: [sh('app', "trap '' TERM; while true; do sleep 1; done")],
      }),
    );
    const ids: string[] = [];
    for (const pod of stubborn) {
      const res = await plugin.request('POST', '/create', buildCreateRequest(pod));
      expect(res.status, res.text).toBe(200);
      await pollStatus(plugin, pod, res.json().PodJID, allRunning, 60_000);
      ids.push(...(await podContainerIds(pod, 'main')));
    }
    const deletes = stubborn.map((pod) => plugin.request('POST', '/delete', deleteRequest(pod)));
    try {
      // As many deletes as there are places have sent SIGTERM, which their containers ignore, and
      // wait out the hour (the others wait for a place, or for nothing once the fix lets them in).
      await expect.poll(() => ids.filter(stopping).length >= OPS, { timeout: 60_000 }).toBe(true);

      const other = buildPod({
        name: 'other',
        terminationGracePeriodSeconds: 1,
        containers: [sh('app', 'sleep 300')],
      });
      const jid = await createPod(plugin, other);
      await pollStatus(plugin, other, jid, allRunning, 60_000);
      const deleted = await plugin.request('POST', '/delete', deleteRequest(other));
      expect(deleted.status, deleted.text).toBe(200);
    } finally {
      // SIGKILL, as the hour's end would: the deletes then finish.
      await runDocker(['kill', ...ids]).catch(() => undefined);
      await Promise.allSettled(deletes);
    }
    for (const res of await Promise.all(deletes)) expect(res.status, res.text).toBe(200);
  }, 180_000);
});
