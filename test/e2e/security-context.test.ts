/**
 * securityContext as the process inside the container experiences it. The plugin runs at the
 * privileged Pod Security level here, so every field reaches Docker; what the levels refuse is in
 * pod-security.test.ts.
 */
import { expect, it } from 'vitest';
import type { PodSecurityContext, SecurityContext } from '../../src/contract/api-types.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, runToEnd } from './pod-session.ts';
import { pollStatus } from './poll.ts';

const tryIt = (what: string, command: string) =>
  `(${command}) >/dev/null 2>&1 && echo "${what}: allowed" || echo "${what}: refused"`;

describeDocker('securityContext', () => {
  const plugin = usePlugin({ args: ['--pod-security-level', 'privileged'] });

  it.each<[string, PodSecurityContext | undefined, SecurityContext | undefined, string]>([
    [
      'the container’s runAsUser and runAsGroup',
      undefined,
      { runAsUser: 1000, runAsGroup: 3000 },
      '1000 3000',
    ],
    ['the pod’s runAsUser and runAsGroup', { runAsUser: 2000, runAsGroup: 2001 }, undefined, '2000 2001'],
    [
      'the container’s runAsUser over the pod’s',
      { runAsUser: 2000, runAsGroup: 2001 },
      { runAsUser: 1001 },
      '1001 2001',
    ],
    ['runAsGroup alone, keeping the image’s user', undefined, { runAsGroup: 3000 }, '0 3000'],
  ])('runs the process with %s', async (_label, podSc, sc, ids) => {
    const pod = buildPod({
      ...(podSc ? { securityContext: podSc } : {}),
      containers: [
        {
          name: 'app',
          command: ['sh', '-c', 'echo "$(id -u) $(id -g)"'],
          ...(sc ? { securityContext: sc } : {}),
        },
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.app).toBe(`${ids}\n`);
    await deletePod(plugin, pod);
  });

  it('adds fsGroup and supplementalGroups to the process’s groups', async () => {
    const pod = buildPod({
      securityContext: { runAsUser: 1000, fsGroup: 4000, supplementalGroups: [5000] },
      containers: [{ name: 'app', command: ['id', '-G'] }],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect((logs.app ?? '').trim().split(' ')).toEqual(expect.arrayContaining(['4000', '5000']));
    await deletePod(plugin, pod);
  });

  it('makes the root filesystem read-only with readOnlyRootFilesystem, volumes staying writable', async () => {
    const pod = buildPod({
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [
        {
          name: 'app',
          command: [
            'sh',
            '-c',
            [tryIt('/', 'touch /new-file'), tryIt('/scratch', 'touch /scratch/new-file')].join('; '),
          ],
          securityContext: { readOnlyRootFilesystem: true },
          volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
        },
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.app).toBe('/: refused\n/scratch: allowed\n');
    await deletePod(plugin, pod);
  });

  const chown = tryIt('chown', 'touch /tmp/f && chown 1 /tmp/f');
  const netAdmin = tryIt('net admin', 'ip addr add 10.9.9.9/32 dev lo');
  it.each<[string, SecurityContext['capabilities'] | undefined, string, string]>([
    [
      'Docker’s default capabilities: CHOWN but not NET_ADMIN',
      undefined,
      `${chown}; ${netAdmin}`,
      'chown: allowed\nnet admin: refused\n',
    ],
    ['no CHOWN when it is dropped', { drop: ['CHOWN'] }, chown, 'chown: refused\n'],
    ['NET_ADMIN when it is added', { add: ['NET_ADMIN'] }, netAdmin, 'net admin: allowed\n'],
    // Bit 10 is CAP_NET_BIND_SERVICE: drop happens before add, as in Kubernetes.
    [
      'only NET_BIND_SERVICE when ALL is dropped and it is added',
      { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      'grep CapEff /proc/self/status',
      'CapEff:\t0000000000000400\n',
    ],
  ])('gives the process %s', async (_label, capabilities, script, want) => {
    const pod = buildPod({
      containers: [
        {
          name: 'app',
          command: ['sh', '-c', script],
          ...(capabilities ? { securityContext: { capabilities } } : {}),
        },
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.app).toBe(want);
    await deletePod(plugin, pod);
  });

  it('sets no_new_privs when allowPrivilegeEscalation is false', async () => {
    const pod = buildPod({
      containers: [
        {
          name: 'app',
          command: ['grep', 'NoNewPrivs', '/proc/self/status'],
          securityContext: { allowPrivilegeEscalation: false },
        },
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.app).toBe('NoNewPrivs:\t1\n');
    await deletePod(plugin, pod);
  });

  it.each<[string, SecurityContext, string]>([
    ['an image that runs as root and no runAsUser', { runAsNonRoot: true }, 'image will run as root'],
    ['runAsUser 0', { runAsNonRoot: true, runAsUser: 0 }, 'runAsUser breaks non-root policy'],
  ])(
    'refuses to start a runAsNonRoot container with %s (CreateContainerConfigError)',
    async (_label, sc, message) => {
      const pod = buildPod({
        containers: [
          { name: 'rooted', command: ['echo', 'must not run'], securityContext: sc },
          { name: 'other', command: ['echo', 'other ran'] },
        ],
      });
      const jid = await createPod(plugin, pod);
      const status = await pollStatus(
        plugin,
        pod,
        jid,
        (s) => s.containers[1]?.state.terminated !== undefined,
      );
      expect(status.containers[0]?.state).toEqual({
        waiting: { reason: 'CreateContainerConfigError', message: expect.stringContaining(message) },
      });
      expect(status.containers[1]?.state.terminated?.exitCode).toBe(0);
      await deletePod(plugin, pod, jid);
    },
  );

  it('keeps refusing a root image under runAsNonRoot when another image name is a docker flag', async () => {
    // The flag, were it read as one, would make the plugin's image-user lookup print "1000" for every image.
    const flag = '--format={{json .RepoTags}} {{json "1000"}}';
    const pod = buildPod({
      securityContext: { runAsNonRoot: true },
      containers: [
        { name: 'rooted', command: ['id', '-u'] },
        { name: 'flagged', image: flag, command: ['id', '-u'] },
      ],
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, (s) =>
      s.containers.every(
        (c) => c.state.waiting?.reason !== undefined && c.state.waiting.reason !== 'ContainerCreating',
      ),
    );
    expect(status.containers[0]?.state).toEqual({
      waiting: {
        reason: 'CreateContainerConfigError',
        message: expect.stringContaining('image will run as root'),
      },
    });
    expect(status.containers[1]?.state.waiting?.reason).toBe('InvalidImageName');
    await deletePod(plugin, pod, jid);
  });

  it('runs a runAsNonRoot container that has a non-root runAsUser', async () => {
    const pod = buildPod({
      containers: [
        { name: 'app', command: ['id', '-u'], securityContext: { runAsNonRoot: true, runAsUser: 1000 } },
      ],
    });
    const { logs } = await runToEnd(plugin, pod);
    expect(logs.app).toBe('1000\n');
    await deletePod(plugin, pod);
  });
});
