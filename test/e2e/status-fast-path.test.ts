/**
 * interLink's polls are served by the fast path from each pod's kept status text; the same body
 * sent chunked goes to the app, which builds the status afresh. On a real engine, at every step of
 * a pod's life, both give the same bytes.
 */
import { request } from 'node:http';
import { expect, it } from 'vitest';
import type { PodStatus } from '../../src/contract/api-types.ts';
import { buildCreateRequest, buildPod, statusRequest } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import type { RunningPlugin } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';

/** The body sent chunked: the fast path hands a body of no declared length to the app. */
function chunkedStatus(plugin: RunningPlugin, body: string): Promise<string> {
  const url = new URL('/status', plugin.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'GET',
        headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString()));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describeDocker('the /status fast path on a real engine', () => {
  const plugin = usePlugin();

  it('answers as the app does at every step of a pod: init container, a container that fails, one that runs', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      initContainers: [{ name: 'setup', command: ['sh', '-c', 'sleep 1'] }],
      containers: [
        { name: 'main', command: ['sleep', '60'] },
        { name: 'fails', command: ['sh', '-c', 'sleep 1; exit 3'] },
      ],
      spec: { terminationGracePeriodSeconds: 0 },
    });
    const created = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(created.status, created.text).toBe(200);
    const body = JSON.stringify(statusRequest(pod, created.json().PodJID as string));
    const fast = async () => (await plugin.request('GET', '/status', body)).text;
    const deadline = Date.now() + 60_000;
    let compared = 0;
    let settled = false;
    while (!settled && Date.now() < deadline) {
      // The pod may change between two requests: the app's answer counts when the fast path's,
      // asked before and after it, is the same.
      const before = await fast();
      const app = await chunkedStatus(plugin, body);
      const after = await fast();
      if (before === after) {
        expect(app).toBe(before);
        compared++;
      }
      const [status] = JSON.parse(after) as PodStatus[];
      settled =
        status?.containers.find((c) => c.name === 'main')?.state.running !== undefined &&
        status?.containers.find((c) => c.name === 'fails')?.state.terminated?.exitCode === 3;
    }
    expect(settled).toBe(true);
    expect(compared).toBeGreaterThan(0);
    // Settled: one more comparison, and the pod's delete ends its kept answer.
    expect(await chunkedStatus(plugin, body)).toBe(await fast());
    expect((await plugin.request('POST', '/delete', pod)).status).toBe(200);
    const gone = JSON.parse(await fast()) as PodStatus[];
    expect(gone[0]?.containers.every((c) => c.state.terminated !== undefined)).toBe(true);
    expect(await chunkedStatus(plugin, body)).toBe(await fast());
  }, 120_000);
});
