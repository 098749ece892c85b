/**
 * A pod's real usage in /metrics, under cAdvisor's names and labels, read from its cgroups: its
 * series appear while it runs and are gone once it is deleted.
 */
import { expect, it } from 'vitest';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { metricValue, parseMetrics, samples } from '../helpers/prometheus-text.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

describeDocker('usage metrics from the pod cgroups', () => {
  const plugin = usePlugin();
  const scrape = async () => parseMetrics((await plugin.request('GET', '/metrics')).text);

  it('shows a running pod’s CPU, working set and RSS per container and for the pod, and nothing once it is deleted', async () => {
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [
        // Holds 8 MiB in a shell variable, and burns a little CPU first. The `:` after sleep keeps
        // the shell (and its variable) alive: busybox sh execs a script's last command in place.
        {
          name: 'app',
          command: [
            'sh',
            '-c',
            'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; x=$(head -c 8388608 /dev/zero | tr "\\0" a); sleep 300; :',
          ],
          resources: { limits: { memory: '64Mi' } },
        },
        { name: 'idle', command: ['sleep', '300'] },
      ],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning);
    const ns = pod.metadata.namespace as string;
    const app = { namespace: ns, pod: pod.metadata.name, container: 'app' };
    // Usage is read in the background at most every 10 s: a scrape may serve the reading before.
    await expect
      .poll(async () => metricValue(await scrape(), 'container_memory_rss', app), {
        timeout: 45_000,
        interval: 1000,
      })
      .toBeGreaterThan(8 * 1024 * 1024);
    const m = await scrape();
    expect(metricValue(m, 'container_cpu_usage_seconds_total', app)).toBeGreaterThan(0);
    expect(metricValue(m, 'container_memory_working_set_bytes', app)).toBeGreaterThan(8 * 1024 * 1024);
    expect(samples(m, 'container_memory_working_set_bytes', { ...app, container: 'idle' })).toHaveLength(1);
    // The pod's cgroup as a whole holds at least what its containers do.
    expect(metricValue(m, 'container_memory_rss', { ...app, container: '' })).toBeGreaterThanOrEqual(
      metricValue(m, 'container_memory_rss', app),
    );
    expect(metricValue(m, 'container_oom_events_total', app)).toBe(0);
    await deletePod(plugin, pod);
    const after = await scrape();
    for (const name of [
      'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes',
      'container_memory_rss',
    ]) {
      expect(samples(after, name, { pod: pod.metadata.name })).toEqual([]);
    }
  }, 120_000);
});
