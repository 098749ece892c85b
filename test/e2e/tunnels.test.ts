/**
 * interLink's other tunnel clients (0.7.0-pre2's rathole, PR #529's ssh), run as the wstunnel one
 * is: the VK's command line, in a helper joined to the pod's network namespace, for the pod's
 * lifetime; the stand-ins of the tunnel test image serve the forwarded port P on P+1000. A helper
 * image without a program the command runs refuses the pod, naming the program.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Pod } from '../../src/contract/api-types.ts';
import {
  ratholeTlsCommand,
  ratholeWsCommand,
  sshCommand,
  tunnelledServer,
} from '../fixtures/interlink-tunnels.ts';
import { buildCreateRequest } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { startPlugin, stopAll } from '../helpers/plugin-process.ts';
import {
  ensureTunnelHelperImage,
  removeImage,
  TUNNEL_HELPER_TEST_IMAGE,
  withoutProgram,
} from '../helpers/tunnel-helper-image.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { getEventually, sandboxIp } from './pod-network.ts';
import { createPod, deletePod, expectRefusal, JSON_ERRORS, logsOf, podContainerIds } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

/** A guard against waiting for ever, not a timing claim: a loaded machine starts helpers slowly. */
const SLOW_MACHINE_MS = 180_000;
const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\ntunnels-e2e-key-5d1c0e\n-----END OPENSSH PRIVATE KEY-----\n';
const KEY_B64 = Buffer.from(KEY).toString('base64');

async function logsEventually(
  plugin: Parameters<typeof logsOf>[0],
  pod: Pod,
  container: string,
  want: string,
): Promise<string> {
  const deadline = Date.now() + 30_000;
  let text = '';
  while (Date.now() < deadline) {
    text = await logsOf(plugin, pod, container);
    if (text.includes(want)) return text;
    await new Promise((r) => setTimeout(r, 200));
  }
  return text;
}

describeDocker("interLink's rathole and ssh tunnels", () => {
  beforeAll(ensureTunnelHelperImage, 120_000);
  const plugin = usePlugin({
    env: { PLUGIN_NETWORK_HELPER_IMAGE: TUNNEL_HELPER_TEST_IMAGE },
    readyTimeoutMs: 60_000,
  });

  it.each([
    ['rathole', 'TLS', ratholeTlsCommand([8080], KEY)],
    ['rathole', 'websocket', ratholeWsCommand([8080])],
  ] as const)(
    "makes the pod's port reachable through %s (%s)",
    async (kind, _mode, command) => {
      const pod = tunnelledServer(kind, command);
      const jid = await createPod(plugin, pod);
      await pollStatus(plugin, pod, jid, allRunning);
      expect(await getEventually(`http://${await sandboxIp(pod)}:9080/`)).toBe('through the tunnel\n');
      expect(await logsEventually(plugin, pod, 'interlink-rathole', 'client up')).toContain(
        'fake rathole: client up with 1 services',
      );
      await pollStatus(plugin, pod, jid, (s) => s.containers[0]?.ready === true);
      await deletePod(plugin, pod, jid);
    },
    SLOW_MACHINE_MS,
  );

  it(
    "makes the pod's port reachable through ssh, and the key its client prints never reaches the helper's log",
    async () => {
      const pod = tunnelledServer('ssh', sshCommand([8080], KEY));
      const jid = await createPod(plugin, pod);
      await pollStatus(plugin, pod, jid, allRunning);
      expect(await getEventually(`http://${await sandboxIp(pod)}:9080/`)).toBe('through the tunnel\n');
      const log = await logsEventually(plugin, pod, 'interlink-ssh', 'fake ssh: forwarding');
      expect(log).toContain('fake ssh: key [redacted]');
      expect(log).not.toContain(KEY_B64);
      await deletePod(plugin, pod, jid);
    },
    SLOW_MACHINE_MS,
  );
});

describeDocker('a tunnel whose client program the helper image lacks', () => {
  const image = 'interlink-docker-plugin/network-helper-tunnels-test:no-ssh';
  beforeAll(() => withoutProgram('ssh', image), 120_000);
  afterAll(async () => {
    await stopAll();
    await removeImage(image);
  });

  it(
    'refuses the pod with a sentence naming the program and the annotation, and makes nothing',
    async () => {
      const plugin = await startPlugin({
        env: { PLUGIN_NETWORK_HELPER_IMAGE: image },
        readyTimeoutMs: 60_000,
      });
      const pod = tunnelledServer('ssh', sshCommand([8080], KEY));
      const res = await plugin.request('POST', '/create', buildCreateRequest(pod), JSON_ERRORS);
      const body = expectRefusal(res, 422);
      expect(body.details?.[0]?.field).toBe('/pod/metadata/annotations/interlink.eu~1ssh-client-commands');
      expect(body.error).toContain(`the network helper image ${image} has no \`ssh\``);
      expect(res.text).not.toContain(KEY_B64);
      expect(await podContainerIds(pod)).toEqual([]);
    },
    SLOW_MACHINE_MS,
  );
});
