import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  MESH_NETWORK_ANNOTATION,
  MeshScriptError,
  PRE_EXEC_ANNOTATION,
  podNetworking,
  splitPreExec,
  transformMeshScript,
  WSTUNNEL_ANNOTATION,
} from '../../src/pod/mesh-script.ts';
import { meshPreExec, meshTemplateData, wstunnelCommand } from '../fixtures/interlink-mesh.ts';

const data = meshTemplateData('8a2f3c4d-1111-2222-3333-444455556666');
const preExec = meshPreExec(data);

describe('splitPreExec', () => {
  it("finds the mesh script in the VK's heredoc", () => {
    const split = splitPreExec(preExec);
    expect(split?.script.startsWith('#!/bin/bash\nset -e\nset -m\n')).toBe(true);
    expect(split?.script).toContain(`WG_IFACE="${data.WGInterfaceName}"`);
    expect(split?.userText).toBe('');
  });

  it('keeps the user text the VK appends straight after EOFMESH, on the same line', () => {
    expect(splitPreExec(meshPreExec(data, 'echo user pre-exec\nmodule load x'))?.userText).toBe(
      'echo user pre-exec\nmodule load x',
    );
  });

  it('drops the lines that run the mesh file, which the helper runs itself', () => {
    const withRun = `${preExec}\nchmod +x $TMPDIR/mesh.sh\n$TMPDIR/mesh.sh\necho after`;
    expect(splitPreExec(withRun)?.userText).toBe('echo after');
  });

  it('finds nothing in a pre-exec without the mesh heredoc', () => {
    expect(splitPreExec('module load cuda')).toBeUndefined();
  });
});

describe('transformMeshScript', () => {
  const original = splitPreExec(preExec)?.script ?? '';
  const core = transformMeshScript(original);

  it('leaves out the unshare/slirp4netns wrapping and runs the inner script in the foreground', () => {
    expect(core).not.toMatch(/^\s*unshare /m);
    expect(core).not.toContain('./slirp4netns --api-socket');
    expect(core).not.toMatch(/^fg 1$/m);
    expect(core.trimEnd().split('\n').at(-1)).toBe('bash $TMPDIR/slirp.sh "$@"');
  });

  it('writes the resolver to the pod file instead of bind-mounting it, and needs no other mount', () => {
    expect(core).toContain('  cat /tmp/etc-override/resolv.conf > "$INTERLINK_RESOLV_CONF"');
    expect(core).not.toMatch(/^\s*mount /m);
  });

  it('changes nothing else up to the wrapping: downloads, WireGuard, routes and DNS run as written', () => {
    const before = original
      .slice(0, original.indexOf('echo "=== Starting network namespace ==="'))
      .split('\n');
    const after = core.split('\n');
    const changed = before.filter((line, i) => line.trim() !== '' && after[i] !== line);
    expect(changed.every((line) => /^\s*mount /.test(line))).toBe(true);
    expect(changed).toHaveLength(3);
    for (const kept of [
      `ip route add ${data.PodCIDRCluster} dev $WG_IFACE || true`,
      `nameserver ${data.DNSServiceIP}`,
      `curl -L -f -k ${data.WgToolURL} -o wg`,
    ])
      expect(core).toContain(kept);
  });

  it('is a script bash can parse', () => {
    expect(() => execFileSync('bash', ['-n'], { input: core })).not.toThrow();
  });

  it('refuses a script without the namespace wrapping it knows', () => {
    expect(() => transformMeshScript('#!/bin/bash\necho hi\n')).toThrow(MeshScriptError);
  });
});

describe('podNetworking', () => {
  it.each<[string, Record<string, string>, string]>([
    ['the mesh for the mesh script', { [PRE_EXEC_ANNOTATION]: preExec }, 'mesh'],
    [
      'nothing when the pod opts out',
      { [PRE_EXEC_ANNOTATION]: preExec, [MESH_NETWORK_ANNOTATION]: 'disabled' },
      'none',
    ],
    ['wstunnel for the wstunnel command', { [WSTUNNEL_ANNOTATION]: wstunnelCommand([8080]) }, 'wstunnel'],
    ['nothing for a pre-exec without the mesh', { [PRE_EXEC_ANNOTATION]: 'module load cuda' }, 'none'],
    ['nothing without annotations', {}, 'none'],
  ])('asks for %s', (_name, annotations, kind) => {
    expect(podNetworking(annotations).kind).toBe(kind);
  });
});
