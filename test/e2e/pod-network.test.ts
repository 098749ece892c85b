/** One pod, one network: what a Kubernetes user sees of localhost, hostname and hostPort. */
import { get } from 'node:http';
import { expect, it } from 'vitest';
import { buildPod, type ContainerInput } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { freePort } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, logsOf, runToEnd } from './pod-session.ts';
import { pollStatus } from './poll.ts';

/** A busybox web server on port 8080 answering `body`; prints its hostname first. */
function server(body: string, extra: Partial<ContainerInput> = {}): ContainerInput {
  return {
    name: 'server',
    command: ['sh', '-c'],
    args: [
      `hostname; mkdir -p /tmp/www && echo "${body}" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www`,
    ],
    ...extra,
  };
}

/** GET http://127.0.0.1:port/ from the host; resolves with the body, rejects on any error. */
function hostGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function hostGetEventually(port: number, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await hostGet(port);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`127.0.0.1:${port} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

describeDocker('one pod, one network', () => {
  // hostPorts need the privileged Pod Security level.
  const plugin = usePlugin({ args: ['--pod-security-level', 'privileged'] });

  it('lets one container reach another of the same pod on 127.0.0.1', async () => {
    const pod = buildPod({
      containers: [
        server('hello from the server container'),
        {
          name: 'client',
          command: ['sh', '-c'],
          args: [
            'for i in $(seq 150); do wget -q -O - http://127.0.0.1:8080/ 2>/dev/null && exit 0; sleep 0.1; done; echo never answered; exit 1',
          ],
        },
      ],
      terminationGracePeriodSeconds: 0,
    });
    const jid = await createPod(plugin, pod);
    // Both are started at once: the client may try before the server listens (it tries again,
    // quietly), and its end may be read before the server's start.
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => s.containers[1]?.state.terminated !== undefined && s.containers[0]?.state.waiting === undefined,
    );
    expect(status.containers[1]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await logsOf(plugin, pod, 'client')).toBe('hello from the server container\n');
    // The server is still serving: only the client ended.
    expect(status.containers[0]?.state.running).toBeDefined();
    await deletePod(plugin, pod, jid);
  });

  it.each<[string, ContainerInput[], ContainerInput[]]>([
    ['a one-container pod', [{ name: 'only', command: ['hostname'] }], []],
    [
      'both containers of a two-container pod',
      [
        { name: 'first', command: ['hostname'] },
        { name: 'second', command: ['hostname'] },
      ],
      [],
    ],
    [
      'the init container and the container of a pod',
      [{ name: 'main', command: ['hostname'] }],
      [{ name: 'prep', command: ['hostname'] }],
    ],
  ])('gives %s the pod name as hostname', async (_label, containers, initContainers) => {
    const pod = buildPod({ containers, initContainers });
    const { status, logs } = await runToEnd(plugin, pod);
    for (const c of [...status.initContainers, ...status.containers])
      expect(c.state.terminated?.exitCode).toBe(0);
    for (const c of containers) expect(logs[c.name]).toBe(`${pod.metadata.name}\n`);
    for (const c of initContainers) expect(await logsOf(plugin, pod, c.name)).toBe(`${pod.metadata.name}\n`);
    await deletePod(plugin, pod);
  });

  it.each<[string, number]>([
    ['a one-container pod', 1],
    ['a two-container pod', 2],
  ])('publishes a hostPort of %s on the host while the pod runs', async (_label, count) => {
    const port = await freePort();
    const containers: ContainerInput[] = [
      server('hello from the host port', { ports: [{ containerPort: 8080, hostPort: port }] }),
    ];
    if (count === 2) containers.push({ name: 'idle', command: ['sleep', '300'] });
    const pod = buildPod({ containers, terminationGracePeriodSeconds: 0 });
    const jid = await createPod(plugin, pod);
    expect(await hostGetEventually(port)).toBe('hello from the host port\n');
    await deletePod(plugin, pod, jid);
    await expect(hostGet(port)).rejects.toThrow();
  });
});
