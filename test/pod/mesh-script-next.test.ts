/**
 * interLink's next mesh scripts, rendered from their own templates: PR #538's (downloads retried,
 * wstunnel server probed, proxy variables, a final ping that fails the script) and PR #541's
 * (INTERLINK_MESH_CONTACT_HOST), and a script of a shape the plugin does not know.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CONTACT_HOST_VAR, PRE_EXEC_ANNOTATION, podNetworking } from '../../src/pod/mesh-script.ts';
import { meshContactEnv } from '../../src/pod/pod-network.ts';
import { meshPreExec, meshTemplateData } from '../fixtures/interlink-mesh.ts';

const data = meshTemplateData('8a2f3c4d-1111-2222-3333-444455556666');
const plan = (preExec: string) => {
  const p = podNetworking({ [PRE_EXEC_ANNOTATION]: preExec });
  if (p.kind !== 'mesh') throw new Error(`not a mesh: ${p.kind}`);
  return p;
};

describe("PR #538's mesh script", () => {
  const p = plan(meshPreExec(data, 'echo user text', 'pr538'));

  it('is known, keeps its retries, probe, proxy and final ping, and runs the inner script in the foreground', () => {
    expect(p.shape).toBe('interlink');
    expect(p.userText).toBe('echo user text');
    expect(p.script).toContain(`download_with_retry "${data.WgToolURL}" wg`);
    expect(p.script).toContain('wait_for_wstunnel_server');
    expect(p.script).toContain('WSTUNNEL_PROXY_URL="${WSTUNNEL_HTTP_PROXY:-${https_proxy:-');
    expect(p.script).toContain('echo "ERROR: WireGuard server 10.7.0.1 is unreachable"');
    expect(p.script).not.toMatch(/^\s*unshare /m);
    expect(p.script).not.toContain('./slirp4netns $SLIRP_USERNS_ARG');
    expect(p.script.trimEnd().split('\n').at(-1)).toBe('bash $TMPDIR/slirp.sh "$@"');
  });

  it('writes the resolver to the pod file, DNS service first, and runs no mount', () => {
    expect(p.script).toContain('  cat /tmp/etc-override/resolv.conf > "$INTERLINK_RESOLV_CONF"');
    expect(p.script).not.toMatch(/^\s*mount /m);
    expect(p.script.indexOf(`echo "nameserver ${data.DNSServiceIP}"`)).toBeLessThan(
      p.script.indexOf('echo "nameserver $HOST_DNS"'),
    );
  });

  it('is a script bash can parse', () => {
    expect(() => execFileSync('bash', ['-n'], { input: p.script })).not.toThrow();
  });

  it('has no contact host', () => {
    expect(p.contactHost).toBeUndefined();
    expect(meshContactEnv([['A', '1']], p)).toEqual([['A', '1']]);
  });
});

describe("PR #541's mesh script", () => {
  const p = plan(meshPreExec({ ...data, MeshContactHost: 'web.team-a.svc.cluster.local' }, '', 'pr541'));

  it("is known, and its contact host goes to the pod's containers' environment", () => {
    expect(p.shape).toBe('interlink');
    expect(p.contactHost).toBe('web.team-a.svc.cluster.local');
    expect(meshContactEnv([['A', '1']], p)).toEqual([
      ['A', '1'],
      [CONTACT_HOST_VAR, 'web.team-a.svc.cluster.local'],
    ]);
  });

  it('leaves a contact host the container sets itself as it is', () => {
    expect(meshContactEnv([[CONTACT_HOST_VAR, 'mine']], p)).toEqual([[CONTACT_HOST_VAR, 'mine']]);
  });

  it('takes no contact host that is not a host name', () => {
    const odd = meshPreExec({ ...data, MeshContactHost: 'a b;touch /x' }, '', 'pr541');
    expect(plan(odd).contactHost).toBeUndefined();
  });
});

describe('a mesh script of a shape the plugin does not know', () => {
  const script = '#!/bin/bash\nset -e\nip link add wgx type dummy\necho up\n';
  const p = plan(`cat <<'EOFMESH' > $TMPDIR/mesh.sh\n${script}EOFMESH\n`);

  it('runs as written, after a line that says so in the helper log', () => {
    expect(p.shape).toBe('unknown');
    const [note, ...rest] = p.script.split('\n');
    expect(note).toMatch(/^echo ".*shape is not one the plugin knows.*it runs as written" >&2$/);
    expect(rest.join('\n')).toBe(script);
  });
});
