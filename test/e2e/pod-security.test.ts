/**
 * The node's Pod Security floor through the HTTP API of a real plugin: under the default level
 * (baseline) a pod that asks for the host is refused with the API server's 403 and nothing is
 * made; the operator's `privileged` level admits it and Docker gets what it asked for.
 */
import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import type { Pod } from '../../src/contract/api-types.ts';
import {
  buildCreateRequest,
  buildPod,
  type ContainerInput,
  type PodOptions,
} from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { freePort } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import {
  createPod,
  deletePod,
  expectRefusal,
  JSON_ERRORS,
  podContainerIds,
  runToEnd,
} from './pod-session.ts';

const run = promisify(execFile);

/** A pod of one container `app` running `script`, with `container` and `pod` fields added. */
function asking(script: string, container: Partial<ContainerInput>, pod: PodOptions = {}): Pod {
  return buildPod({
    restartPolicy: 'Never',
    ...pod,
    containers: [{ name: 'app', command: ['sh', '-c', script], ...container }],
  });
}

// [what the pod asks for, the pod, the API server's reason and detail under baseline]
const HOST_ASKS: Array<[string, () => Promise<Pod>, string]> = [
  [
    'a privileged container',
    async () => asking('true', { securityContext: { privileged: true } }),
    'privileged (container "app" must not set securityContext.privileged=true)',
  ],
  [
    'the host’s network',
    async () => asking('true', {}, { hostNetwork: true }),
    'host namespaces (hostNetwork=true)',
  ],
  [
    'the host’s PID namespace',
    async () => asking('true', {}, { spec: { hostPID: true } as PodOptions['spec'] }),
    'host namespaces (hostPID=true)',
  ],
  [
    'CAP_SYS_ADMIN',
    async () => asking('true', { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }),
    'non-default capabilities (container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
  ],
  [
    'a hostPort',
    async () => {
      const port = await freePort();
      return asking('true', { ports: [{ containerPort: 8080, hostPort: port }] });
    },
    'hostPort (container "app" uses hostPort ',
  ],
  [
    'seccomp Unconfined',
    async () =>
      asking('true', {
        securityContext: { seccompProfile: { type: 'Unconfined' } } as ContainerInput['securityContext'],
      }),
    'seccompProfile (container "app" must not set securityContext.seccompProfile.type to "Unconfined")',
  ],
];

describeDocker('the Pod Security level of the node', () => {
  const byDefault = usePlugin();
  const privileged = usePlugin({ args: ['--pod-security-level', 'privileged'] });

  it.each(HOST_ASKS)(
    'refuses %s by default with the API server’s 403, and makes nothing',
    async (_what, make, want) => {
      const pod = await make();
      const body = expectRefusal(
        await byDefault.request('POST', '/create', buildCreateRequest(pod), JSON_ERRORS),
        403,
      );
      expect(body.error).toContain(
        `pods "${pod.metadata.name}" is forbidden: violates PodSecurity "baseline:latest": ${want}`,
      );
      expect(await podContainerIds(pod)).toEqual([]);
    },
  );

  it.each(HOST_ASKS)('admits %s under the privileged level', async (_what, make) => {
    const pod = await make();
    await createPod(privileged, pod);
    await deletePod(privileged, pod);
  });

  it('tells interLink (no Accept header) in one sentence that kubectl describe shows', async () => {
    const pod = asking('true', { securityContext: { privileged: true } }, { hostNetwork: true });
    const res = await byDefault.request('POST', '/create', buildCreateRequest(pod));
    expect(res.status).toBe(403);
    expect(res.text).toBe(
      `The pod was not created: pods ${pod.metadata.name} is forbidden: violates PodSecurity baseline:latest: host namespaces (hostNetwork=true), privileged (container app must not set securityContext.privileged=true). Change the pod to meet the node Pod Security level, or ask the operator of the node about PLUGIN_POD_SECURITY_LEVEL.`,
    );
  });

  it('checks init containers too', async () => {
    const pod = buildPod({
      initContainers: [{ name: 'setup', command: ['true'], securityContext: { privileged: true } }],
      containers: [{ name: 'app', command: ['true'] }],
    });
    const body = expectRefusal(
      await byDefault.request('POST', '/create', buildCreateRequest(pod), JSON_ERRORS),
      403,
    );
    expect(body.error).toContain(
      'privileged (container "setup" must not set securityContext.privileged=true)',
    );
    expect(await podContainerIds(pod)).toEqual([]);
  });

  it('hands an admitted privileged container to Docker as privileged', async () => {
    const pod = asking('sleep 30', { securityContext: { privileged: true } });
    await createPod(privileged, pod);
    const [id] = await podContainerIds(pod, 'main');
    // Whether it can start depends on the engine's own privileges; what the plugin asked is the point.
    const { stdout } = await run('docker', ['inspect', '--format', '{{.HostConfig.Privileged}}', id ?? '']);
    expect(stdout.trim()).toBe('true');
    await deletePod(privileged, pod);
  });

  it('runs an admitted hostNetwork pod in the host’s network namespace', async () => {
    const pod = asking('readlink /proc/self/ns/net', {}, { hostNetwork: true });
    const { logs } = await runToEnd(privileged, pod);
    expect(logs.app?.trim()).toBe(readlinkSync('/proc/self/ns/net'));
    await deletePod(privileged, pod);
  });

  it('runs an admitted seccomp Unconfined container without a seccomp filter', async () => {
    const pod = asking('grep Seccomp: /proc/self/status', {
      securityContext: { seccompProfile: { type: 'Unconfined' } } as ContainerInput['securityContext'],
    });
    const { logs } = await runToEnd(privileged, pod);
    expect(logs.app).toMatch(/^Seccomp:\s+0\n$/);
    await deletePod(privileged, pod);
  });
});
