/**
 * A follower of a container's log may go away at any moment (`kubectl logs -f` and Ctrl-C), while the
 * container prints: the plugin stops that log's `docker logs` and stays up.
 */
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { buildPod, logsRequest } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, sh } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

describeDocker('a follower that goes away', () => {
  const plugin = usePlugin();

  it('stays up when followers of a container printing without end leave after their first megabyte', async () => {
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [sh('app', `yes ${'x'.repeat(1000)}`)],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning, 60_000);
    const url = new URL('/getLogs', plugin.baseUrl);
    const payload = JSON.stringify(logsRequest(pod, 'app', { Follow: true }));
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = request(
          {
            method: 'GET',
            hostname: url.hostname,
            port: url.port,
            path: url.pathname,
            agent: false,
            headers: {
              'Content-Type': 'application/json',
              'Content-Length': String(Buffer.byteLength(payload)),
            },
          },
          (res) => {
            let received = 0;
            res.on('data', (chunk: Buffer) => {
              received += chunk.length;
              if (received >= 2 ** 20) {
                res.destroy();
                resolve();
              }
            });
            res.on('end', () => reject(new Error(`the followed log ended after ${received} bytes`)));
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    }
    // Each new request is on its own connection: a plugin that exited refuses it.
    const health = await new Promise<number | undefined>((resolve, reject) => {
      request({ hostname: url.hostname, port: url.port, path: '/healthz', agent: false }, (r) => {
        r.resume();
        resolve(r.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(health, plugin.logs().split('\n').slice(-12).join('\n')).toBe(200);
    expect((await plugin.request('GET', '/healthz')).status).toBe(200);
  }, 120_000);
});
