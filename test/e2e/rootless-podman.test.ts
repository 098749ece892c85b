/**
 * The plugin run as an unprivileged user against that user's rootless Podman (its socket in
 * XDG_RUNTIME_DIR), as on a shared host where only rootless containers are allowed: pods run,
 * delete and log as on Docker; what rootless Podman on cgroup v1 cannot apply is refused at
 * /create with the reason, never run with the limit dropped.
 */
import { expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { buildCreateRequest, buildPod, deleteRequest } from '../fixtures/pod-builder.ts';
import { runDocker } from '../helpers/docker.ts';
import { describeRootlessPodman, podman } from '../helpers/rootless-podman.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, expectRefusal, JSON_ERRORS, logsOf, sh } from './pod-session.ts';
import { allRunning, allTerminated, pollStatus } from './poll.ts';

/** The pod's containers on the rootless engine, any state. */
async function containersOf(uid: string): Promise<string[]> {
  const { stdout } = await runDocker(['ps', '-a', '-q', '--filter', `label=${LABEL.podUid}=${uid}`], {
    dockerHost: podman().dockerHost,
  });
  return stdout.split('\n').filter(Boolean);
}

describeRootlessPodman('the plugin as a rootless Podman user', () => {
  // privileged: host ports pass the Pod Security level, so what refuses them is the engine's limit.
  const plugin = usePlugin(
    () => ({ runAs: podman(), args: ['--pod-security-level', 'privileged'] }),
    120_000,
  );

  it('says at start-up that the engine is rootless and that pods get no cgroup of their own', async () => {
    await plugin.waitForLog(/"engine".*"flavour":"podman".*"rootless":true/);
    await plugin.waitForLog(/pods get no cgroup of their own.*not root/);
  });

  it('runs a pod of two containers, shows their logs, and deletes it with nothing left', async () => {
    const pod = buildPod({
      containers: [
        sh('first', 'echo first says $(id -u); sleep 3600'),
        sh('second', 'echo second; sleep 3600'),
      ],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning, 120_000);
    // The container's root is the user's uid outside: the log still reads root inside.
    await expect.poll(() => logsOf(plugin, pod, 'first'), { timeout: 30_000 }).toBe('first says 0\n');
    const res = await plugin.request('POST', '/delete', deleteRequest(pod, { jid }));
    expect(res.status, res.text).toBe(200);
    expect(await containersOf(pod.metadata.uid)).toEqual([]);
  });

  it('reports a container that exits with its code', async () => {
    const pod = buildPod({ restartPolicy: 'Never', containers: [sh('main', 'echo done; exit 3')] });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, allTerminated, 120_000);
    expect(status.containers[0]?.state.terminated?.exitCode).toBe(3);
    expect(await logsOf(plugin, pod, 'main')).toBe('done\n');
  });

  it.each([
    [
      'a memory limit',
      { resources: { limits: { memory: '64Mi' } } },
      '/pod/spec/containers/0/resources/limits/memory',
      /cgroup v1/,
    ],
    [
      'a CPU limit',
      { resources: { limits: { cpu: '500m' } } },
      '/pod/spec/containers/0/resources/limits/cpu',
      /cgroup v1/,
    ],
    [
      'host port 80',
      { ports: [{ containerPort: 80, hostPort: 80 }] },
      '/pod/spec/containers/0/ports/0/hostPort',
      /from 1024 up/,
    ],
  ])('refuses %s at /create with the reason, and makes nothing', async (_, extra, field, why) => {
    const pod = buildPod({ containers: [sh('main', 'sleep 3600', extra)] });
    const res = await plugin.request('POST', '/create', buildCreateRequest(pod), JSON_ERRORS);
    const body = expectRefusal(res, 422);
    expect(body.details?.[0]?.field).toBe(field);
    expect(body.details?.[0]?.problem).toMatch(why);
    expect(await containersOf(pod.metadata.uid)).toEqual([]);
  });

  it('publishes a host port from 1024 up', async () => {
    const pod = buildPod({
      containers: [
        sh('web', 'echo hello > /tmp/i; httpd -f -p 8080 -h /tmp', {
          ports: [{ containerPort: 8080, hostPort: 18080 }],
        }),
      ],
    });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning, 120_000);
    await expect
      .poll(
        () =>
          fetch('http://127.0.0.1:18080/i').then(
            (r) => r.text(),
            () => '',
          ),
        { timeout: 30_000 },
      )
      .toBe('hello\n');
  });
});
