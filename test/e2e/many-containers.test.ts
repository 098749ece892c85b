/**
 * A pod chooses how many containers it has: the API server takes thousands (a pod object may be
 * 1.5 MB), and each `docker run` is a CLI process of ~24 MB in the host's memory. The plugin makes
 * a pod's containers a few at a time, so one pod cannot hold the host's memory in docker CLIs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, sh } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

const CONTAINERS = 40;

/** The docker processes under way whose command line names this pod's uid (its label). */
function dockerCallsOf(uid: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.startsWith('docker\0') && cmdline.includes(uid)) n++;
    } catch {
      // The process left while we read it.
    }
  }
  return n;
}

describeDocker('a pod of many containers', () => {
  const plugin = usePlugin();

  it(`runs its ${CONTAINERS} containers with at most 8 docker calls of the pod at once`, async () => {
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: Array.from({ length: CONTAINERS }, (_, i) => sh(`c${i}`, 'sleep 300')),
    });
    let peak = 0;
    let creating = true;
    const watch = (async () => {
      while (creating) {
        peak = Math.max(peak, dockerCallsOf(pod.metadata.uid));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      const jid = await createPod(plugin, pod);
      await pollStatus(plugin, pod, jid, allRunning, 120_000);
    } finally {
      creating = false;
      await watch;
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(8);
  }, 180_000);
});
