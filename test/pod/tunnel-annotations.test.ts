import { describe, expect, it } from 'vitest';
import { PluginError } from '../../src/errors.ts';
import { podNetworking, splitPreExec, transformMeshScript } from '../../src/pod/mesh-script.ts';
import { planPodNetworking } from '../../src/pod/pod-network.ts';
import {
  POD_VPN_ANNOTATION,
  programsRun,
  TUNNEL_ANNOTATIONS,
  tunnelCommand,
} from '../../src/pod/tunnel-annotations.ts';
import { meshPreExec, meshTemplateData, wstunnelCommand } from '../fixtures/interlink-mesh.ts';
import { ratholeTlsCommand, ratholeWsCommand, sshCommand } from '../fixtures/interlink-tunnels.ts';
import { buildPod } from '../fixtures/pod-builder.ts';

const KEY = 'PRIVATE-KEY-7f3a9c';

describe('tunnelCommand', () => {
  it.each([
    ['wstunnel', TUNNEL_ANNOTATIONS.wstunnel, wstunnelCommand([8080])],
    ['rathole', TUNNEL_ANNOTATIONS.rathole, ratholeTlsCommand([8080], KEY)],
    ['ssh', TUNNEL_ANNOTATIONS.ssh, sshCommand([8080], KEY)],
  ] as const)('runs the %s client command from %s', (kind, annotation, command) => {
    expect(tunnelCommand({ [annotation]: command })).toEqual({ kind, command });
    expect(podNetworking({ [annotation]: command })).toEqual({ kind, command });
  });

  it('runs no tunnel client on a pod on the VPN (interlink.eu/pod-vpn): the VK makes no server for it', () => {
    const annotations = { [POD_VPN_ANNOTATION]: 'true', [TUNNEL_ANNOTATIONS.ssh]: sshCommand([80], KEY) };
    expect(tunnelCommand(annotations)).toBeUndefined();
    expect(tunnelCommand({ ...annotations, [POD_VPN_ANNOTATION]: '' })?.kind).toBe('ssh');
  });

  it('refuses two tunnel commands at once, naming the annotations and never their text', () => {
    const pod = buildPod({ containers: [{ name: 'a' }] });
    pod.metadata.annotations = {
      [TUNNEL_ANNOTATIONS.wstunnel]: wstunnelCommand([80]),
      [TUNNEL_ANNOTATIONS.ssh]: sshCommand([80], KEY),
    };
    let err: unknown;
    try {
      planPodNetworking(pod);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PluginError);
    const refusal = err as PluginError;
    expect(refusal.kind).toBe('invalid');
    expect(refusal.details?.[0]?.field).toBe('/pod/metadata/annotations/interlink.eu~1ssh-client-commands');
    expect(refusal.message).toContain('interlink.eu/wstunnel-client-commands');
    expect(JSON.stringify(refusal.details) + refusal.message).not.toContain(
      Buffer.from(KEY).toString('base64'),
    );
  });

  it('leaves the full mesh first: a mesh pod runs no tunnel command', () => {
    const preExec = meshPreExec(meshTemplateData('8a2f3c4d-1111-2222-3333-444455556666'));
    const networking = podNetworking({
      'slurm-job.vk.io/pre-exec': preExec,
      [TUNNEL_ANNOTATIONS.rathole]: ratholeWsCommand([80]),
    });
    expect(networking.kind).toBe('mesh');
  });
});

describe('programsRun', () => {
  it.each([
    ["wstunnel's default", wstunnelCommand([8080]), ['bash', 'curl', 'tar', 'chmod']],
    ["rathole's TLS default", ratholeTlsCommand([8080], KEY), ['bash', 'curl', 'unzip', 'base64', 'chmod']],
    ["rathole's websocket default", ratholeWsCommand([8080]), ['bash', 'curl', 'unzip', 'base64', 'chmod']],
    ["ssh's default", sshCommand([8080], KEY), ['bash', 'base64', 'chmod', 'ssh']],
    [
      'assignments and keywords skipped',
      'if X=1 ssh -N host; then nohup socat a b; fi',
      ['bash', 'ssh', 'socat'],
    ],
    ['a downloaded program run by path is not checked', './rathole --client c.toml', ['bash']],
  ])('%s', (_name, command, want) => {
    expect(programsRun(command).sort()).toEqual([...want].sort());
  });
});

describe('annotations that only change the text the VK renders', () => {
  it('wstunnel-extra-ports: the extra -R options run as the command says', () => {
    const command = wstunnelCommand([8080, 9090, 3000]);
    expect(
      tunnelCommand({
        [TUNNEL_ANNOTATIONS.wstunnel]: command,
        'interlink.eu/wstunnel-extra-ports': '9090,3000:api',
      }),
    ).toEqual({
      kind: 'wstunnel',
      command,
    });
  });

  it('wg-mtu and wg-keepalive-seconds: the mesh script keeps the MTU and keepalive the VK rendered', () => {
    const data = meshTemplateData('8a2f3c4d-1111-2222-3333-444455556666', { WGMTU: 1380 });
    data.WGConfig = data.WGConfig.replace('PersistentKeepalive = 25', 'PersistentKeepalive = 7');
    const script = splitPreExec(meshPreExec(data))?.script ?? '';
    const core = transformMeshScript(script);
    expect(core).toContain('mtu 1380');
    expect(core).toContain('PersistentKeepalive = 7');
    const annotations = {
      'slurm-job.vk.io/pre-exec': meshPreExec(data),
      'interlink.eu/wg-mtu': '1380',
      'interlink.eu/wg-keepalive-seconds': '7',
    };
    expect(podNetworking(annotations)).toEqual({
      kind: 'mesh',
      script: core,
      shape: 'interlink',
      userText: '',
    });
  });
});
