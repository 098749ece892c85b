/**
 * Deletes as interLink's next Virtual Kubelet sends them (branch 540, PR #556): /delete is called
 * synchronously and a failed one is requeued with back-off, so one pod gets concurrent and repeated
 * deletes, deletes after it is gone, and deletes of pods this plugin never saw.
 */
import { expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { buildCreateRequest, buildPod, deleteRequest, statusRequest } from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, runDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { allRunning, pollStatus } from './poll.ts';

/** What a delete may take beyond the grace period on a loaded machine before the VK worker gives up. */
const MARGIN_MS = 60_000;

/** How many times Docker stopped each of the pod's containers between since and until (Unix seconds). */
async function stopsPerContainer(uid: string, since: number, until: number): Promise<Map<string, number>> {
  const { stdout } = await runDocker([
    'events',
    '--since',
    String(since),
    '--until',
    String(until),
    '--filter',
    `label=${LABEL.podUid}=${uid}`,
    '--filter',
    'event=stop',
    '--format',
    '{{.Actor.ID}}',
  ]);
  const counts = new Map<string, number>();
  for (const id of stdout.split('\n').filter(Boolean)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

describeDocker('deletes the way interLink retries them', () => {
  const plugin = usePlugin();

  it('answers 200 to concurrent and repeated deletes of a running pod and stops each container once', async () => {
    const grace = 3;
    // A shell that ignores SIGTERM, so every delete must wait out the grace period.
    const pod = buildPod({
      containers: [{ name: 'main', command: ['sh', '-c', "trap '' TERM; while true; do sleep 1; done"] }],
      terminationGracePeriodSeconds: grace,
    });
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(created.status, created.text).toBe(200);
    const jid = created.json().PodJID as string;
    await pollStatus(plugin, pod, jid, allRunning, 60_000);

    const since = Math.floor(Date.now() / 1000) - 1;
    const body = deleteRequest(pod, { jid });
    const started = Date.now();
    // The VK's worker and its requeue after a client timeout overlap: three at once, during the grace period.
    const concurrent = await Promise.all([1, 2, 3].map(() => plugin.request('POST', '/delete', body)));
    for (const res of concurrent) expect(res.status, res.text).toBe(200);
    expect(Date.now() - started).toBeLessThan(grace * 1000 + MARGIN_MS);
    expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);

    // The pod is gone: the back-off retries still answer 200.
    for (let i = 0; i < 2; i++) {
      const again = await plugin.request('POST', '/delete', body);
      expect(again.status, again.text).toBe(200);
    }
    const status = await plugin.request('GET', '/status', statusRequest(pod));
    expect(status.json()).toEqual([]);

    const stops = await stopsPerContainer(pod.metadata.uid, since, Math.ceil(Date.now() / 1000) + 1);
    expect(stops.size).toBeGreaterThan(0);
    for (const [id, n] of stops) expect(n, `container ${id} stopped ${n} times`).toBe(1);
  }, 180_000);

  it('answers 200, never a 5xx, to repeated and concurrent deletes of a pod it never saw', async () => {
    const pod = buildPod({ containers: [{ name: 'main', command: ['true'] }] });
    const body = deleteRequest(pod, { gracePeriodSeconds: 30 });
    const answers = await Promise.all([1, 2].map(() => plugin.request('POST', '/delete', body)));
    answers.push(await plugin.request('POST', '/delete', body));
    for (const res of answers) expect(res.status, res.text).toBe(200);
    const status = await plugin.request('GET', '/status', statusRequest(pod));
    expect(status.json()).toEqual([]);
  }, 60_000);
});
