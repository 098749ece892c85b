/**
 * interLink's port exposure without full mesh: the VK's wstunnel command line (DefaultWstunnelCommand's
 * shape, its download pointed at a local stand-in that forwards port P+1000 to P) runs in a helper in
 * the pod's network namespace for the pod's lifetime.
 */
import { afterAll, expect, it } from 'vitest';
import { HELPER_ROLE } from '../../src/docker/network/network-helper.ts';
import { NETWORK_HELPER_TEST_IMAGE, wstunnelCommand } from '../fixtures/interlink-mesh.ts';
import { tunnelledServer } from '../fixtures/interlink-tunnels.ts';
import { describeDocker, dockerPs, runDocker } from '../helpers/docker.ts';
import { startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { getEventually, sandboxIp } from './pod-network.ts';
import { createPod, deletePod, logsOf } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

async function restartCount(id: string): Promise<number> {
  return Number((await runDocker(['inspect', '--format', '{{.RestartCount}}', id])).stdout.trim());
}

describeDocker("interLink's wstunnel port exposure", () => {
  const plugin = usePlugin({ env: { PLUGIN_NETWORK_HELPER_IMAGE: NETWORK_HELPER_TEST_IMAGE } });

  it("makes the pod's port reachable through the tunnel, and restarts the tunnel when it drops", async () => {
    const pod = tunnelledServer('wstunnel', wstunnelCommand([8080]));
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, allRunning);
    const ip = await sandboxIp(pod);
    expect(await getEventually(`http://${ip}:9080/`, 20_000)).toBe('through the tunnel\n');
    expect(await logsOf(plugin, pod, 'interlink-wstunnel')).toContain(
      'fake wstunnel: client --http-upgrade-path-prefix a1b2c3d4e5f6 -R tcp://0.0.0.0:8080:localhost:8080',
    );
    // The tunnel drops: Docker starts the helper again and the port answers again.
    const [helper] = await dockerPs([
      `io.interlink.pod.uid=${pod.metadata.uid}`,
      `io.interlink.container.role=${HELPER_ROLE}`,
    ]);
    await runDocker(['exec', helper ?? '', 'killall', 'nc']);
    const deadline = Date.now() + 20_000;
    while ((await restartCount(helper ?? '')) < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await restartCount(helper ?? '')).toBeGreaterThanOrEqual(1);
    expect(await getEventually(`http://${ip}:9080/`, 20_000)).toBe('through the tunnel\n');
    const status = await pollStatus(plugin, pod, jid, (s) => s.containers[0]?.ready === true);
    expect(status.containers[0]?.state.running).toBeDefined();
    await deletePod(plugin, pod, jid);
  });

  it('never fails the pod for a tunnel that cannot come up: it runs, not ready, while Docker retries', async () => {
    const pod = tunnelledServer('wstunnel', wstunnelCommand([8080], 'file:///opt/fake-mesh/no-such-tarball'));
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => s.containers[0]?.state.running !== undefined && !s.containers[0].ready,
    );
    expect(status.containers[0]?.restartCount).toBe(0);
    const [helper] = await dockerPs([
      `io.interlink.pod.uid=${pod.metadata.uid}`,
      `io.interlink.container.role=${HELPER_ROLE}`,
    ]);
    const deadline = Date.now() + 20_000;
    while ((await restartCount(helper ?? '')) < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await restartCount(helper ?? '')).toBeGreaterThanOrEqual(2);
    expect(await logsOf(plugin, pod, 'interlink-wstunnel')).toContain('the wstunnel command ended');
    await deletePod(plugin, pod, jid);
  });
});

describeDocker("interLink's wstunnel port exposure, helper image missing", () => {
  afterAll(stopAll);

  it('runs the pod anyway, not ready, when the tunnel helper cannot be made', async () => {
    const plugin = await startPlugin({
      env: { PLUGIN_NETWORK_HELPER_IMAGE: 'interlink-docker-plugin/no-such-helper:1' },
    });
    const pod = tunnelledServer('wstunnel', wstunnelCommand([8080]));
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, (s) => s.containers[0]?.state.running !== undefined);
    expect(status.containers[0]?.ready).toBe(false);
    await deletePod(plugin, pod, jid);
  });
});
