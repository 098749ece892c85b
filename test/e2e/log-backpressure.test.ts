/**
 * A container's log is the pod's to choose, and so is how fast a log request reads it (kubectl logs
 * through a slow link, or a follower that stops reading): the plugin holds no more of a log than its
 * reader has room for, however much the container printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { expect, it } from 'vitest';
import { buildPod, logsRequest } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import type { RunningPlugin } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, podContainerIds, sh } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

async function pluginRss(plugin: RunningPlugin): Promise<number> {
  const text = (await plugin.request('GET', '/metrics')).text;
  const m = /^process_resident_memory_bytes (\d+)/m.exec(text);
  if (!m) throw new Error('no process_resident_memory_bytes in /metrics');
  return Number(m[1]);
}

/** The bytes the `docker logs` of this container has written so far; undefined while none runs. */
function dockerLogsWritten(containerId: string): number | undefined {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.includes('logs') || !argv.includes(containerId)) continue;
      const io = readFileSync(`/proc/${pid}/io`, 'utf8');
      return Number(/^wchar: (\d+)/m.exec(io)?.[1]);
    } catch {
      // The process left while we read it.
    }
  }
  return undefined;
}

/**
 * Resolves with how much the plugin grew once the CLI has written nothing for a second (blocked on a
 * full pipe), or as soon as the plugin has grown by `limit`.
 */
async function growthUntilBlocked(plugin: RunningPlugin, containerId: string, before: number, limit: number) {
  let last = -1;
  let seenAt = Date.now();
  for (;;) {
    const grown = (await pluginRss(plugin)) - before;
    if (grown >= limit) return grown;
    const written = dockerLogsWritten(containerId);
    if (written === undefined) throw new Error('docker logs exited while following');
    if (written !== last) {
      last = written;
      seenAt = Date.now();
    } else if (Date.now() - seenAt >= 1000) return grown;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeDocker('a log its reader does not read', () => {
  const plugin = usePlugin();

  it('keeps the plugin from holding the log of a container printing without end while a follower reads nothing', async () => {
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [sh('app', `yes ${'x'.repeat(1000)}`)],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning, 60_000);
    const [containerId] = await podContainerIds(pod, 'main');
    expect(containerId).toBeDefined();
    const before = await pluginRss(plugin);

    const payload = JSON.stringify(logsRequest(pod, 'app', { Follow: true }));
    const url = new URL('/getLogs', plugin.baseUrl);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        {
          method: 'GET',
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': String(Buffer.byteLength(payload)),
          },
        },
        resolve,
      );
      req.on('error', reject);
      req.end(payload);
    });
    expect(res.statusCode).toBe(200);
    res.pause();
    // The CLI is found by its container id: wait for it to start, then to stall (or the plugin to grow).
    while (dockerLogsWritten(containerId as string) === undefined)
      await new Promise((r) => setTimeout(r, 20));
    const held = await growthUntilBlocked(plugin, containerId as string, before, 256 * 2 ** 20);
    expect(held, `the plugin grew by ${(held / 2 ** 20).toFixed(0)} MiB`).toBeLessThan(64 * 2 ** 20);

    // The follower reads again: the log goes on where it stopped.
    let received = 0;
    const enough = new Promise<void>((resolve, reject) => {
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= 16 * 2 ** 20) resolve();
      });
      res.on('error', reject);
      res.on('end', () => reject(new Error(`the followed log ended after ${received} bytes`)));
    });
    res.resume();
    await enough;
    res.destroy();
    expect((await plugin.request('GET', '/healthz')).status).toBe(200);
  }, 120_000);
});
