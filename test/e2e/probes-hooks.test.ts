import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { ContainerStatus, Pod, PodStatus } from '../../src/contract/api-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import {
  buildCreateRequest,
  buildPod,
  type ContainerInput,
  deleteRequest,
  logsRequest,
  type PodOptions,
} from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { pollStatus } from './poll.ts';

const main = (s: PodStatus): ContainerStatus => s.containers[0] as ContainerStatus;
const running = (s: PodStatus) => main(s).state.running !== undefined;
const ready = (s: PodStatus) => running(s) && main(s).ready;

describeDocker('Kubernetes probes and lifecycle hooks on the Docker host', () => {
  const hostDir = mkdtempSync(join(tmpdir(), 'probes-hooks-'));
  afterAll(() => rmSync(hostDir, { recursive: true, force: true }));
  const plugin = usePlugin({ args: ['--allowed-host-paths', hostDir] });

  /** Creates the pod (grace period 1 s unless given) and answers its JobID. */
  async function create(containers: ContainerInput[], opts: PodOptions = {}): Promise<[Pod, string]> {
    const pod = buildPod({ terminationGracePeriodSeconds: 1, ...opts, containers });
    const res = await plugin.request('POST', '/create', buildCreateRequest(pod));
    expect(res.status, res.text).toBe(200);
    return [pod, res.json().PodJID];
  }

  const remove = (pod: Pod) => plugin.request('POST', '/delete', deleteRequest(pod));

  it('keeps a container unready until its exec readiness probe passes', async () => {
    const [pod, jid] = await create([
      {
        name: 'app',
        command: ['sh', '-c', 'sleep 2; touch /tmp/ready; exec sleep 300'],
        readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
      },
    ]);
    const first = await pollStatus(plugin, pod, jid, running);
    expect(main(first)).toMatchObject({ ready: false, started: true });
    const later = await pollStatus(plugin, pod, jid, ready, 15_000);
    expect(main(later).restartCount).toBe(0);
    await remove(pod);
  });

  it('follows an httpGet readiness probe on a named port: 404 is unready, 200 ready', async () => {
    const [pod, jid] = await create([
      {
        name: 'web',
        command: [
          'sh',
          '-c',
          'mkdir -p /www; (sleep 2; echo ok > /www/healthz) & exec httpd -f -p 8080 -h /www',
        ],
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: {
          httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] },
          periodSeconds: 1,
        },
      },
    ]);
    expect(main(await pollStatus(plugin, pod, jid, running)).ready).toBe(false);
    await pollStatus(plugin, pod, jid, ready, 15_000);
    await remove(pod);
  });

  it('follows a tcpSocket readiness probe to the pod IP another container listens on', async () => {
    const [pod, jid] = await create([
      { name: 'server', command: ['sh', '-c', 'sleep 2; exec nc -ll -p 9000 -e true'] },
      {
        name: 'client',
        command: ['sleep', '300'],
        readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1 },
      },
    ]);
    const client = (s: PodStatus) => s.containers[1] as ContainerStatus;
    const first = await pollStatus(plugin, pod, jid, (s) => client(s).state.running !== undefined);
    expect(client(first).ready).toBe(false);
    const later = await pollStatus(plugin, pod, jid, (s) => client(s).ready, 15_000);
    // The server has no probe: running is ready, as before.
    expect(later.containers[0]?.ready).toBe(true);
    await remove(pod);
  });

  it('restarts a container whose liveness probe fails, counting the restart (restartPolicy Always)', async () => {
    const [pod, jid] = await create(
      [
        {
          name: 'doomed',
          command: ['sleep', '300'],
          livenessProbe: {
            exec: { command: ['test', '-e', '/tmp/alive'] },
            periodSeconds: 1,
            failureThreshold: 2,
          },
        },
      ],
      { restartPolicy: 'Always' },
    );
    const status = await pollStatus(plugin, pod, jid, (s) => main(s).restartCount >= 1 && running(s), 20_000);
    // sleep ignores SIGTERM as PID 1: it got SIGKILL after the kubelet's 2 s minimum, and Docker restarted it.
    expect(main(status).state.running).toBeDefined();
    await plugin.waitForLog(/"msg":"liveness probe failed".*"action":"killing the container"/);
    await remove(pod);
  });

  it('runs no readiness probe until the startup probe has passed', async () => {
    const [pod, jid] = await create([
      {
        name: 'slow',
        command: ['sh', '-c', 'sleep 3; touch /tmp/started; exec sleep 300'],
        startupProbe: {
          exec: { command: ['test', '-e', '/tmp/started'] },
          periodSeconds: 1,
          failureThreshold: 30,
        },
        readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
      },
    ]);
    const first = await pollStatus(plugin, pod, jid, running);
    expect(main(first)).toMatchObject({ started: false, ready: false });
    const later = await pollStatus(plugin, pod, jid, ready, 15_000);
    expect(main(later).started).toBe(true);
    await remove(pod);
  });

  it('runs the postStart hook in the started container before it counts as ready', async () => {
    const [pod, jid] = await create([
      {
        name: 'hooked',
        command: ['sh', '-c', 'while [ ! -e /tmp/hook ]; do sleep 0.1; done; cat /tmp/hook; exec sleep 300'],
        lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo from-post-start > /tmp/hook'] } } },
      },
    ]);
    await pollStatus(plugin, pod, jid, ready);
    const deadline = Date.now() + 10_000;
    let logs = '';
    while (Date.now() < deadline && !logs.includes('from-post-start')) {
      logs = (await plugin.request('GET', '/getLogs', logsRequest(pod, 'hooked'))).text;
      if (!logs.includes('from-post-start')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(logs).toBe('from-post-start\n');
    await remove(pod);
  });

  it('kills a container whose postStart hook fails (restartPolicy Never: it stays terminated)', async () => {
    const [pod, jid] = await create([
      {
        name: 'rejected',
        command: ['sleep', '300'],
        lifecycle: { postStart: { exec: { command: ['sh', '-c', 'exit 3'] } } },
      },
    ]);
    const status = await pollStatus(plugin, pod, jid, (s) => main(s).state.terminated !== undefined, 15_000);
    expect(main(status).state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(main(status).restartCount).toBe(0);
    await remove(pod);
  });

  it('runs the preStop hook on delete before the container gets SIGTERM', async () => {
    const dir = mkdtempSync(join(hostDir, 'prestop-'));
    const [pod, jid] = await create(
      [
        {
          name: 'graceful',
          command: [
            'sh',
            '-c',
            'trap "test -e /out/prestop && echo after-prestop > /out/term; exit 0" TERM; while true; do sleep 0.1; done',
          ],
          volumeMounts: [{ name: 'out', mountPath: '/out' }],
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo bye > /out/prestop'] } } },
        },
      ],
      {
        volumes: [{ name: 'out', hostPath: { path: dir, type: 'Directory' } }],
        terminationGracePeriodSeconds: 10,
      },
    );
    await pollStatus(plugin, pod, jid, running);
    const res = await plugin.request('POST', '/delete', deleteRequest(pod, { jid }));
    expect(res.status).toBe(200);
    expect(readFileSync(join(dir, 'prestop'), 'utf8')).toBe('bye\n');
    expect(readFileSync(join(dir, 'term'), 'utf8')).toBe('after-prestop\n');
    expect(await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`])).toEqual([]);
  });

  it('never lets a preStop hook hold a delete beyond the grace period', async () => {
    const [pod, jid] = await create(
      [{ name: 'sleepy', command: ['sleep', '300'], lifecycle: { preStop: { sleep: { seconds: 60 } } } }],
      { terminationGracePeriodSeconds: 2 },
    );
    await pollStatus(plugin, pod, jid, running);
    const began = Date.now();
    expect((await plugin.request('POST', '/delete', deleteRequest(pod, { jid }))).status).toBe(200);
    // 2 s of hook, then at least the kubelet's 2 s minimum for SIGTERM → SIGKILL.
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(2000);
    // The hook alone would hold it 60 s: the bound tells the two apart, far above the 4 s it takes.
    expect(took).toBeLessThan(50_000);
  });

  it('picks the probes up again from Docker after a plugin restart', async () => {
    const [pod, jid] = await create([
      {
        name: 'steady',
        command: ['sh', '-c', 'touch /tmp/ready; exec sleep 300'],
        readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
      },
    ]);
    await pollStatus(plugin, pod, jid, ready, 15_000);
    await plugin.stop();
    await plugin.startAgain();
    const again = await pollStatus(plugin, pod, jid, ready, 15_000);
    expect(main(again).restartCount).toBe(0);
    await remove(pod);
  });
});
