/**
 * interLink's full mesh: the VK's own mesh.sh (0.6.2 template, artifact URLs pointed at local
 * stand-ins) runs in a helper in the pod's network namespace before any container of the pod starts;
 * the containers see its interface, routes and DNS.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../src/contract/api-types.ts';
import { HELPER_KIND_LABEL, HELPER_ROLE } from '../../src/docker/network/network-helper.ts';
import { MESH_NETWORK_ANNOTATION, PRE_EXEC_ANNOTATION } from '../../src/pod/mesh-script.ts';
import {
  type MeshTemplateData,
  meshPreExec,
  meshTemplateData,
  NETWORK_HELPER_TEST_IMAGE,
} from '../fixtures/interlink-mesh.ts';
import { buildPod, type ContainerInput } from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, runDocker } from '../helpers/docker.ts';
import { type RunningPlugin, startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, logsOf, podContainerIds } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

/** Prints what a container sees of the network at its start, then stays. */
const look = (name: string, stay = true): ContainerInput => ({
  name,
  command: [
    'sh',
    '-c',
    `ip -o addr show; ip route; cat /etc/resolv.conf; ${stay ? 'exec sleep 3600' : 'true'}`,
  ],
});

function meshPod(
  containers: ContainerInput[],
  initContainers: ContainerInput[] = [],
  tweak: Partial<MeshTemplateData> = {},
  userPreExec = '',
): Pod {
  const pod = buildPod({ containers, initContainers, terminationGracePeriodSeconds: 0 });
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    [PRE_EXEC_ANNOTATION]: meshPreExec(meshTemplateData(pod.metadata.uid, tweak), userPreExec),
  };
  return pod;
}

function expectMeshSeen(output: string, pod: Pod): void {
  const iface = `wg${pod.metadata.uid.slice(0, 13)}`;
  expect(output).toMatch(new RegExp(`${iface}\\s+inet 10\\.7\\.0\\.2/32`));
  expect(output).toMatch(new RegExp(`10\\.244\\.0\\.0/16 dev ${iface}`));
  expect(output).toMatch(new RegExp(`10\\.105\\.0\\.0/16 dev ${iface}`));
  expect(output).toContain('search default.svc.cluster.local svc.cluster.local cluster.local');
  expect(output).toContain('nameserver 10.96.0.10');
}

const startedAtOf = async (id: string) =>
  (await runDocker(['inspect', '--format', '{{.State.StartedAt}}', id])).stdout.trim();

/** Whether the docker CLI talks to Podman (docs/podman.md: this suite is run there by hand). */
const onPodman = async () =>
  (await runDocker(['version', '--format', '{{json .Server.Components}}'])).stdout.includes('Podman Engine');

const restartCountOf = async (id: string) =>
  Number((await runDocker(['inspect', '--format', '{{.RestartCount}}', id])).stdout.trim());

/** Polls until the pod's container has ended (the mesh failed), and returns that status. */
const meshFailure = (plugin: RunningPlugin, pod: Pod, jid: string) =>
  pollStatus(plugin, pod, jid, (s) => s.containers[0]?.state.terminated !== undefined, 60_000);

const helpers = (pod: Pod) =>
  dockerPs([`io.interlink.pod.uid=${pod.metadata.uid}`, `io.interlink.container.role=${HELPER_ROLE}`]);

const waitingForMesh = (s: PodStatus) =>
  [...s.initContainers, ...s.containers].every(
    (c) =>
      c.state.waiting?.reason === 'PodInitializing' && /mesh network/.test(c.state.waiting.message ?? ''),
  );

describeDocker("interLink's full mesh", () => {
  const plugin = usePlugin({ env: { PLUGIN_NETWORK_HELPER_IMAGE: NETWORK_HELPER_TEST_IMAGE } });

  it('runs the mesh before every container of the pod, which then see its interface, routes and DNS', async () => {
    const pod = meshPod(
      [look('app')],
      [look('prep', false)],
      {},
      'echo "user pre-exec: $(ip -o link show | grep -c wg)"',
    );
    const jid = await createPod(plugin, pod);
    // The script takes seconds (its own sleeps): meanwhile nothing of the pod has started.
    const first = await pollStatus(plugin, pod, jid, () => true);
    expect(waitingForMesh(first), JSON.stringify(first)).toBe(true);
    const running = await pollStatus(plugin, pod, jid, allRunning, 60_000);
    expect(running.initContainers[0]?.state.terminated?.exitCode).toBe(0);
    expectMeshSeen(await logsOf(plugin, pod, 'prep'), pod);
    expectMeshSeen(await logsOf(plugin, pod, 'app'), pod);
    // The helper is no container of the pod's, but its log is there under its name.
    expect(running.containers.map((c) => c.name)).toEqual(['app']);
    const meshLog = await logsOf(plugin, pod, 'interlink-mesh');
    expect(meshLog).toContain('=== Full mesh network configured successfully ===');
    expect(meshLog).toContain('user pre-exec: 1');
    expect(meshLog).not.toContain('slirp4netns must not run');
    const [helper] = await helpers(pod);
    const { stdout } = await runDocker([
      'inspect',
      '--format',
      '{{.HostConfig.Privileged}} {{json .HostConfig.CapAdd}} {{json .HostConfig.Devices}} {{.HostConfig.RestartPolicy.Name}} {{json .Mounts}}',
      helper ?? '',
    ]);
    // Podman (run by hand with DOCKER_HOST at its socket): /dev/net/tun bound in, and the policy stays
    // "no" (its API cannot switch it): the plugin restarts the helper itself (docs/podman.md).
    const podman = await onPodman();
    expect(stdout.trim()).toMatch(
      podman
        ? /^false \["(CAP_)?NET_ADMIN"\] (null|\[\]) no .*"Destination":"\/dev\/net\/tun"/
        : /^false \["(CAP_)?NET_ADMIN"\] \[\{"PathOnHost":"\/dev\/net\/tun".*\] on-failure /,
    );
    // The mesh breaks (its interface goes away): the helper is restarted, which brings it back,
    // while the pod's containers keep running.
    const iface = `wg${pod.metadata.uid.slice(0, 13)}`;
    const firstRun = await startedAtOf(helper ?? '');
    await runDocker(['exec', helper ?? '', 'ip', 'link', 'delete', iface]);
    const app = (await podContainerIds(pod, 'main'))[0] ?? '';
    const deadline = Date.now() + 60_000;
    let routes = '';
    while (Date.now() < deadline) {
      routes = (await runDocker(['exec', app, 'ip', 'route'])).stdout;
      if (routes.includes(`10.244.0.0/16 dev ${iface}`) && (await startedAtOf(helper ?? '')) !== firstRun)
        break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(routes).toContain(`10.244.0.0/16 dev ${iface}`);
    expect(await startedAtOf(helper ?? '')).not.toBe(firstRun);
    // Docker counts its own restarts; the plugin's `docker start` on Podman is not one.
    if (!podman) expect(await restartCountOf(helper ?? '')).toBe(1);
    const after = await pollStatus(plugin, pod, jid, allRunning);
    expect(after.containers[0]?.restartCount).toBe(0);
    await deletePod(plugin, pod, jid);
    expect(existsSync(join(plugin.stateDir, 'pods', pod.metadata.uid))).toBe(false);
  });

  it('fails the pod, naming the mesh, when the mesh script fails', async () => {
    const pod = meshPod([look('app')], [], { WgToolURL: 'file:///opt/fake-mesh/no-such-wg' });
    const jid = await createPod(plugin, pod);
    const status = await meshFailure(plugin, pod, jid);
    expect(status.containers[0]?.state.terminated).toMatchObject({
      reason: 'MeshNetworkFailed',
      exitCode: 1,
    });
    expect(status.containers[0]?.state.terminated?.message).toMatch(
      /interLink's mesh network failed: its helper exited with code 1 .*interlink-mesh/,
    );
    expect(await logsOf(plugin, pod, 'interlink-mesh')).toContain('ERROR: Failed to download wg tools');
    await deletePod(plugin, pod, jid);
  });

  it('leaves a pod that opts out of the mesh without a helper', async () => {
    const pod = meshPod([{ name: 'app', command: ['true'] }]);
    pod.metadata.annotations = { ...pod.metadata.annotations, [MESH_NETWORK_ANNOTATION]: 'disabled' };
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, (s) => s.containers[0]?.state.terminated?.exitCode === 0);
    expect(await helpers(pod)).toEqual([]);
    await deletePod(plugin, pod, jid);
  });

  it('gives a one-container pod a sandbox, and a restarted plugin finds the helper coming up', async () => {
    const pod = meshPod([look('only')]);
    const jid = await createPod(() => plugin, pod);
    expect(await podContainerIds(pod, 'sandbox')).toHaveLength(1);
    const [helper] = await helpers(pod);
    expect(
      (
        await runDocker([
          'inspect',
          '--format',
          `{{index .Config.Labels "${HELPER_KIND_LABEL}"}}`,
          helper ?? '',
        ])
      ).stdout.trim(),
    ).toBe('mesh');
    await pollStatus(plugin, pod, jid, waitingForMesh);
    await plugin.stop();
    await plugin.startAgain();
    await pollStatus(plugin, pod, jid, allRunning, 60_000);
    expectMeshSeen(await logsOf(plugin, pod, 'only'), pod);
    expect(await helpers(pod)).toEqual([helper]);
    await deletePod(plugin, pod, jid);
  });
});

describeDocker("interLink's full mesh, timed out", () => {
  afterAll(stopAll);

  it('fails the pod when the mesh is not up within PLUGIN_NETWORK_HELPER_TIMEOUT', async () => {
    const plugin = await startPlugin({
      env: { PLUGIN_NETWORK_HELPER_IMAGE: NETWORK_HELPER_TEST_IMAGE, PLUGIN_NETWORK_HELPER_TIMEOUT: '2' },
    });
    // The script sleeps 5 s of its own before it is up.
    const pod = meshPod([look('app')]);
    const jid = await createPod(plugin, pod);
    const status = await meshFailure(plugin, pod, jid);
    expect(status.containers[0]?.state.terminated).toMatchObject({ reason: 'MeshNetworkFailed' });
    expect(status.containers[0]?.state.terminated?.message).toContain('not up within 2 s');
    await deletePod(plugin, pod, jid);
  });
});

describeDocker("interLink's full mesh, helper image missing", () => {
  afterAll(stopAll);

  it('fails the pod, naming the mesh and the image, when the helper cannot be made', async () => {
    const plugin = await startPlugin({
      env: { PLUGIN_NETWORK_HELPER_IMAGE: 'interlink-docker-plugin/no-such-helper:1' },
    });
    const pod = meshPod([look('app')]);
    const jid = await createPod(plugin, pod);
    const status = await meshFailure(plugin, pod, jid);
    expect(status.containers[0]?.state.terminated).toMatchObject({ reason: 'MeshNetworkFailed' });
    expect(status.containers[0]?.state.terminated?.message).toMatch(
      /mesh network failed: its helper could not be made \(image interlink-docker-plugin\/no-such-helper:1\)/,
    );
    expect(await helpers(pod)).toEqual([]);
    await deletePod(plugin, pod, jid);
  });
});
