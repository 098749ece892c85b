/**
 * The mesh helper runs text from the pod's annotations as root: it is the attacker here. Whatever it
 * plants in the files it can write (symlinks to host files), neither the pod's containers nor the
 * plugin reach a host file through them, and no annotation text reaches the plugin's log.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../src/contract/api-types.ts';
import { LABEL } from '../../src/docker/labels.ts';
import { HELPER_ROLE } from '../../src/docker/network/network-helper.ts';
import { PRE_EXEC_ANNOTATION, WSTUNNEL_ANNOTATION } from '../../src/pod/mesh-script.ts';
import { NETWORK_HELPER_TEST_IMAGE } from '../fixtures/interlink-mesh.ts';
import { buildCreateRequest, buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs, runDocker } from '../helpers/docker.ts';
import type { RunningPlugin } from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, logsOf, podContainerIds } from './pod-session.ts';
import { pollStatus } from './poll.ts';

/** A pre-exec annotation of interLink's mesh shape whose script runs `attack` (as root, in the helper). */
function hostileMeshPod(attack: string): Pod {
  const pod = buildPod({
    containers: [
      { name: 'app', command: ['sh', '-c', 'cat /etc/resolv.conf; echo END-OF-RESOLVER; exec sleep 3600'] },
    ],
    terminationGracePeriodSeconds: 0,
  });
  const script = [
    '#!/bin/bash',
    // Every directory the helper can write that holds the plugin's files.
    'dirs="/interlink-network $(dirname "$INTERLINK_RESOLV_CONF")"',
    attack,
    "printf 'exit 0\\n' > /tmp/slirp.sh",
    'unshare --net --mount /tmp/slirp.sh &',
  ].join('\n');
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    [PRE_EXEC_ANNOTATION]: `cat <<'EOFMESH' > $TMPDIR/mesh.sh\n${script}\nEOFMESH\n`,
  };
  return pod;
}

const plant = (name: string, target: string) =>
  `for d in $dirs; do rm -f "$d/${name}" 2>/dev/null; ln -s '${target}' "$d/${name}" 2>/dev/null; done; true`;

const settled = (s: PodStatus) =>
  s.containers[0]?.state.running !== undefined || s.containers[0]?.state.terminated !== undefined;

/** What the app container printed as its /etc/resolv.conf, once it has (or '' if it never ran). */
async function appResolver(plugin: RunningPlugin, pod: Pod, status: PodStatus): Promise<string> {
  if (!status.containers[0]?.state.running) return '';
  const deadline = Date.now() + 20_000;
  let out = '';
  while (Date.now() < deadline && !out.includes('END-OF-RESOLVER')) {
    out = await logsOf(plugin, pod, 'app');
    await new Promise((r) => setTimeout(r, 200));
  }
  return out;
}

describeDocker('the mesh helper cannot reach host files', () => {
  const plugin = usePlugin({
    env: { PLUGIN_NETWORK_HELPER_IMAGE: NETWORK_HELPER_TEST_IMAGE, PLUGIN_LOG_LEVEL: 'debug' },
  });
  // Host files the helper aims at: outside the plugin's state dir.
  let hostDir = '';
  beforeAll(() => {
    hostDir = mkdtempSync(join(tmpdir(), 'mesh-host-files-'));
  });
  afterAll(() => rmSync(hostDir, { recursive: true, force: true }));
  const MARKER = 'host-file-the-pod-must-never-see';

  it("never gives the pod's containers a host file as /etc/resolv.conf when the helper swaps its resolver for a symlink", async () => {
    const secret = join(hostDir, 'resolver-target');
    writeFileSync(secret, `${MARKER}\n`);
    const pod = hostileMeshPod(plant('resolv.conf', secret));
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, settled, 60_000);
    expect(await appResolver(plugin, pod, status)).not.toContain(MARKER);
    expect(readFileSync(secret, 'utf8')).toBe(`${MARKER}\n`);
    // The plugin refuses a resolver that is not a plain file: the mesh failed, and says why.
    expect(status.containers[0]?.state.terminated).toMatchObject({ reason: 'MeshNetworkFailed' });
    expect(status.containers[0]?.state.terminated?.message).toMatch(/resolver file .*not a regular file/);
    await deletePod(plugin, pod, jid);
  });

  it('never gives a container that starts again a host file when the helper swaps its resolver after the mesh is up', async () => {
    const secret = join(hostDir, 'late-resolver-target');
    writeFileSync(secret, `${MARKER}\n`);
    const pod = hostileMeshPod('echo "nameserver 10.96.0.10" > "$INTERLINK_RESOLV_CONF"');
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, (s) => s.containers[0]?.state.running !== undefined, 60_000);
    const [helper] = await dockerPs([`${LABEL.podUid}=${pod.metadata.uid}`, `${LABEL.role}=${HELPER_ROLE}`]);
    await runDocker([
      'exec',
      helper ?? '',
      'bash',
      '-c',
      `rm -f "$INTERLINK_RESOLV_CONF" && ln -s '${secret}' "$INTERLINK_RESOLV_CONF"`,
    ]);
    // Docker resolves a bind source again at every start: the app starts again.
    const [app] = await podContainerIds(pod, 'main');
    await runDocker(['restart', '-t', '0', app ?? '']);
    const resolver = (await runDocker(['exec', app ?? '', 'cat', '/etc/resolv.conf'])).stdout;
    expect(resolver).not.toContain(MARKER);
    expect(resolver).toContain('nameserver 10.96.0.10');
    await deletePod(plugin, pod, jid);
  });

  it('never writes a host file through a symlink planted where the plugin notes a failed mesh', async () => {
    const target = join(hostDir, 'written-by-the-plugin');
    const pod = hostileMeshPod(
      `${plant('failed', target)}\n${plant('up', join(hostDir, 'no-such'))}\nexit 1`,
    );
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, (s) => !!s.containers[0]?.state.terminated, 60_000);
    expect(status.containers[0]?.state.terminated).toMatchObject({ reason: 'MeshNetworkFailed' });
    await plugin.waitForLog(/mesh network failed/);
    await deletePod(plugin, pod, jid);
    expect(existsSync(target)).toBe(false);
  });

  it('never reads a host file into the status through a symlink planted where the plugin notes a failed mesh', async () => {
    const secret = join(hostDir, 'failure-target');
    writeFileSync(secret, `${MARKER}\n`);
    const pod = hostileMeshPod(`${plant('failed', secret)}\nexit 1`);
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, (s) => !!s.containers[0]?.state.terminated, 60_000);
    expect(JSON.stringify(status)).not.toContain(MARKER);
    expect(status.containers[0]?.state.terminated?.message).toMatch(/helper exited with code 1/);
    expect(readFileSync(secret, 'utf8')).toBe(`${MARKER}\n`);
    await deletePod(plugin, pod, jid);
  });

  it('logs no annotation text: neither the mesh script, nor the wstunnel command, nor a refused script', async () => {
    const secret = 'annotation-text-not-for-the-log';
    const mesh = hostileMeshPod(`echo ${secret}; exit 3`);
    const meshJid = await createPod(plugin, mesh);
    await pollStatus(plugin, mesh, meshJid, (s) => !!s.containers[0]?.state.terminated, 60_000);
    const tunnel = buildPod({
      containers: [{ name: 'app', command: ['true'] }],
      terminationGracePeriodSeconds: 0,
    });
    tunnel.metadata.annotations = { [WSTUNNEL_ANNOTATION]: `echo ${secret}; sleep 3600` };
    const tunnelJid = await createPod(plugin, tunnel);
    await pollStatus(plugin, tunnel, tunnelJid, (s) => !!s.containers[0]?.state.terminated);
    // A pre-exec whose heredoc has no end is refused, without quoting it.
    const refused = buildPod({ containers: [{ name: 'app', command: ['true'] }] });
    refused.metadata.annotations = {
      [PRE_EXEC_ANNOTATION]: `cat <<'EOFMESH' > $TMPDIR/mesh.sh\nunshare --net ${secret} &\n`,
    };
    const res = await plugin.request('POST', '/create', buildCreateRequest(refused));
    expect(res.status).toBe(422);
    expect(res.text).toContain(PRE_EXEC_ANNOTATION);
    expect(res.text).not.toContain(secret);
    // A script of a shape the plugin does not know runs as written: one that makes no interface
    // fails the pod, saying so in the status.
    const unknown = buildPod({
      containers: [{ name: 'app', command: ['true'] }],
      terminationGracePeriodSeconds: 0,
    });
    unknown.metadata.annotations = {
      [PRE_EXEC_ANNOTATION]: `cat <<'EOFMESH' > $TMPDIR/mesh.sh\nunshare --net ${secret} &\nEOFMESH\n`,
    };
    const unknownJid = await createPod(plugin, unknown);
    const failed = await pollStatus(
      plugin,
      unknown,
      unknownJid,
      (s) => !!s.containers[0]?.state.terminated,
      60_000,
    );
    expect(failed.containers[0]?.state.terminated?.message).toContain('left no network interface: no mesh');
    expect(failed.containers[0]?.state.terminated?.message).toContain('it runs as written');
    await deletePod(plugin, unknown, unknownJid);
    await deletePod(plugin, mesh, meshJid);
    await deletePod(plugin, tunnel, tunnelJid);
    expect(plugin.logs()).toContain('mesh network failed');
    expect(plugin.logs()).not.toContain(secret);
  });
});
