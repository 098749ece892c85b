/**
 * A pod chooses its images, one per container if it likes, and their registry: one that accepts
 * a connection and never answers holds each `docker pull` about 25 s per try. The plugin pulls at
 * most 8 images at once (each a docker CLI process of ~24 MB); the others wait and say so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod } from './pod-session.ts';
import { pollStatus } from './poll.ts';

const IMAGES = 12;

/** The docker processes under way whose command line names this registry. */
function pullsFrom(registry: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0] === 'docker' && argv.includes('pull') && argv.some((a) => a.startsWith(registry))) n++;
    } catch {
      // The process left while we read it.
    }
  }
  return n;
}

describeDocker('a pod of many images from a registry that never answers', () => {
  const sockets = new Set<Socket>();
  let server: Server;
  let registry = '';
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `127.0.0.1:${(server.address() as { port: number }).port}/`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const plugin = usePlugin();

  it(`pulls at most 8 of its ${IMAGES} images at once, and the others say they wait`, async () => {
    const pod = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: Array.from({ length: IMAGES }, (_, i) => ({
        name: `c${i}`,
        image: `${registry}hang:${i}`,
        imagePullPolicy: 'IfNotPresent',
        command: ['sleep', '300'],
      })),
    });
    const jid = await createPod(plugin, pod);
    const waitingToPull = (message: string | undefined) => /^waiting to pull image/.test(message ?? '');
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => s.containers.filter((c) => waitingToPull(c.state.waiting?.message)).length === IMAGES - 8,
      60_000,
    );
    expect(
      status.containers.filter((c) => /^pulling image/.test(c.state.waiting?.message ?? '')),
    ).toHaveLength(8);
    expect(pullsFrom(registry)).toBeLessThanOrEqual(8);
  }, 90_000);
});
