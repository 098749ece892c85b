/**
 * interLink's mesh on a host without internet (interLink issue #545), with 0.6.2's script and the
 * next ones (PR #538, PR #541) rendered from their templates: the pods' network is a Docker network
 * made `--internal` (no route out of it), the download URLs are interLink's defaults on GitHub,
 * and the tools come from PLUGIN_MESH_BINARIES_DIR (stand-ins: test/helpers/mesh-stand-ins.ts).
 * The wstunnel server PR #538's script probes is a busybox httpd on that network.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Pod } from '../../src/contract/api-types.ts';
import { HELPER_ROLE } from '../../src/docker/network/network-helper.ts';
import { PRE_EXEC_ANNOTATION } from '../../src/pod/mesh-script.ts';
import {
  type MeshTemplateData,
  type MeshTemplateVersion,
  meshPreExec,
  meshTemplateData,
  NETWORK_HELPER_TEST_IMAGE,
} from '../fixtures/interlink-mesh.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, runDocker } from '../helpers/docker.ts';
import { writeStandIns } from '../helpers/mesh-stand-ins.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, logsOf } from './pod-session.ts';
import { allRunning, pollStatus } from './poll.ts';

const ARTIFACTS = 'https://github.com/interlink-hq/interlink-artifacts/raw/main';
/** A proxy with a password: the helper gets it, no status or log line shows it. */
const PROXY = 'http://alice:proxy-pw-5150@10.255.255.1:3128';

describeDocker('a mesh pod on a host without internet', () => {
  const tag = randomBytes(4).toString('hex');
  const net = `mesh-airgap-${tag}`;
  let binaries = '';
  let ingress = '';
  let ingressIp = '';
  /** A web server on Docker's default bridge: outside the pods' network, where nothing may reach. */
  let outside = '';
  let outsideIp = '';
  const ipOf = async (id: string) =>
    (
      await runDocker(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id])
    ).stdout.trim();
  beforeAll(async () => {
    binaries = await fs.mkdtemp(join(tmpdir(), 'mesh-binaries-'));
    await fs.chmod(binaries, 0o755);
    await writeStandIns(binaries);
    await runDocker(['network', 'create', '--internal', '--label', `mesh-airgap-test=${tag}`, net]);
    const run = ['run', '-d', '--label', `mesh-airgap-test=${tag}`, '--network', net];
    ingress = (
      await runDocker([...run, 'busybox:1.36', 'httpd', '-f', '-p', '8080', '-h', '/tmp'])
    ).stdout.trim();
    ingressIp = await ipOf(ingress);
    const label = ['--label', `mesh-airgap-test=${tag}`];
    const web = ['busybox:1.36', 'httpd', '-f', '-p', '8080', '-h', '/'];
    outside = (await runDocker(['run', '-d', ...label, ...web])).stdout.trim();
    outsideIp = await ipOf(outside);
  }, 60_000);
  // Hooks run last-registered first: usePlugin's (pods removed) before this one.
  afterAll(async () => {
    await runDocker(['rm', '-f', ingress, outside]).catch(() => undefined);
    await runDocker(['network', 'rm', net]).catch(() => undefined);
    await fs.rm(binaries, { recursive: true, force: true });
  });
  const plugin = usePlugin(() => ({
    env: {
      PLUGIN_NETWORK_HELPER_IMAGE: NETWORK_HELPER_TEST_IMAGE,
      PLUGIN_POD_NETWORKS: net,
      PLUGIN_MESH_BINARIES_DIR: binaries,
      WSTUNNEL_HTTP_PROXY: PROXY,
      https_proxy: PROXY,
      no_proxy: ingressIp,
    },
  }));

  const meshPod = (version: MeshTemplateVersion, tweak: Partial<MeshTemplateData> = {}): Pod => {
    const pod = buildPod({
      containers: [
        {
          name: 'app',
          command: [
            'sh',
            '-c',
            'ip -o addr show; ip route; env; ' +
              `nc -w 5 ${outsideIp} 8080 </dev/null && echo REACHED-OUTSIDE || echo NO-WAY-OUT; ` +
              `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${ingressIp} 8080; echo INGRESS-ASKED; exec sleep 3600`,
          ],
        },
      ],
      terminationGracePeriodSeconds: 0,
    });
    const data = meshTemplateData(pod.metadata.uid, {
      WSTunnelExecutableURL: `${ARTIFACTS}/wstunnel/v10.4.4/linux-amd64/wstunnel`,
      WireguardGoURL: `${ARTIFACTS}/wireguard-go/v0.0.20201118/linux-amd64/wireguard-go`,
      WgToolURL: `${ARTIFACTS}/wgtools/v1.0.20210914/linux-amd64/wg`,
      Slirp4netnsURL: `${ARTIFACTS}/slirp4netns/v1.2.3/linux-amd64/slirp4netns`,
      IngressEndpoint: ingressIp,
      IngressPort: 8080,
      RandomPassword: `door-${tag}`,
      MeshContactHost: `${pod.metadata.name}.default.svc.cluster.local`,
      ...tweak,
    });
    pod.metadata.annotations = {
      ...pod.metadata.annotations,
      [PRE_EXEC_ANNOTATION]: meshPreExec(data, '', version),
    };
    return pod;
  };

  const helperOf = async (pod: Pod) =>
    (
      await dockerPs([
        `io.interlink.pod.uid=${pod.metadata.uid}`,
        `io.interlink.container.role=${HELPER_ROLE}`,
      ])
    )[0] ?? '';

  it.each(['0.6.2', 'pr538', 'pr541'] as const)(
    "brings interLink %s's mesh up with no route out, the tools from the binaries directory",
    async (version) => {
      const pod = meshPod(version);
      const jid = await createPod(plugin, pod);
      await pollStatus(plugin, pod, jid, allRunning, 120_000);
      let app = '';
      for (const until = Date.now() + 30_000; Date.now() < until && !app.includes('INGRESS-ASKED'); )
        app = await logsOf(plugin, pod, 'app');
      const iface = `wg${pod.metadata.uid.slice(0, 13)}`;
      expect(app).toMatch(new RegExp(`${iface}\\s+inet 10\\.7\\.0\\.2/32`));
      expect(app).toMatch(new RegExp(`10\\.244\\.0\\.0/16 dev ${iface}`));
      // Unplugged: a server outside the pods' network is out of reach; the ingress on it answers.
      expect(app).toContain('NO-WAY-OUT');
      expect(app).toContain('404 Not Found');
      // PR #541's contact host reaches the workload; the others export none.
      const contact = `INTERLINK_MESH_CONTACT_HOST=${pod.metadata.name}.default.svc.cluster.local`;
      if (version === 'pr541') expect(app).toContain(contact);
      else expect(app).not.toContain('INTERLINK_MESH_CONTACT_HOST');
      const mesh = await logsOf(plugin, pod, 'interlink-mesh');
      for (const tool of ['wstunnel', 'wireguard-go', 'wg', 'slirp4netns'])
        expect(mesh).toContain(`${tool} comes from the plugin's binaries directory, not downloaded`);
      expect(mesh).toContain('=== Full mesh network configured successfully ===');
      expect(mesh).toContain('interlink-docker-plugin: the mesh network is up');
      if (version === 'pr538') {
        expect(mesh).toMatch(/wstunnel readiness attempt 3\/20: HTTP status=404/);
        expect(mesh).toContain(`--http-proxy ${PROXY}`);
      }
      // The proxy reaches the helper by name from the plugin's environment, never on its command line.
      const helper = await helperOf(pod);
      const env = (await runDocker(['inspect', '--format', '{{json .Config.Env}}', helper])).stdout;
      for (const v of [`WSTUNNEL_HTTP_PROXY=${PROXY}`, `https_proxy=${PROXY}`, `no_proxy=${ingressIp}`])
        expect(env).toContain(v);
      const mounts = (await runDocker(['inspect', '--format', '{{json .Mounts}}', helper])).stdout;
      expect(JSON.parse(mounts)).toContainEqual(
        expect.objectContaining({ Source: binaries, Destination: '/interlink-mesh-binaries', RW: false }),
      );
      await deletePod(plugin, pod, jid);
    },
    180_000,
  );

  it("fails the pod when PR #538's final ping gets no answer, its log in the status without a secret", async () => {
    // The WireGuard server is unreachable (stand-in wg: an Endpoint other than the tunnel's port).
    const pod = meshPod('pr538', {
      WGConfig:
        '[Interface]\nPrivateKey = cHJpdmF0ZS1rZXktb2YtdGhlLXBvZC1wcml2YXRlLWs=\n\n[Peer]\nPublicKey = d29ybGQtd29ybGQtd29ybGQtd29ybGQtd29ybGQtMDA=\nAllowedIPs = 10.7.0.1/32\nEndpoint = 127.0.0.1:51999\n',
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(
      plugin,
      pod,
      jid,
      (s) => s.containers[0]?.state.terminated !== undefined,
      180_000,
    );
    const ended = status.containers[0]?.state.terminated;
    expect(ended).toMatchObject({ reason: 'MeshNetworkFailed', exitCode: 1 });
    expect(ended?.message).toMatch(
      /its helper exited with code 1 before the mesh was up; the last lines of its log: /,
    );
    expect(ended?.message).toContain('«wireguard-go (PID');
    expect(ended?.message).toContain('left out: ');
    expect(ended?.message).toContain('/getLogs of container "interlink-mesh"');
    // The helper printed the key (stand-in wg), the tunnel's path prefix and the proxy password.
    const mesh = await logsOf(plugin, pod, 'interlink-mesh');
    for (const secret of ['cHJpdmF0ZS1rZXktb2YtdGhlLXBvZC1wcml2YXRlLWs=', `door-${tag}`, 'proxy-pw-5150']) {
      expect(mesh).toContain(secret);
      expect(ended?.message).not.toContain(secret);
      expect(plugin.logs()).not.toContain(secret);
    }
    // The plugin's log says the mesh failed and where its lines are, and quotes none of them.
    expect(plugin.logs()).toContain("the helper's last log lines are in the pod's status");
    expect(plugin.logs()).not.toContain('wireguard-go (PID');
    await deletePod(plugin, pod, jid);
  }, 240_000);
});
