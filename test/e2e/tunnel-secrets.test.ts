/**
 * interLink's tunnel annotations carry key material (wstunnel's path secret, rathole's TLS client
 * key, ssh's private key): a distinctive secret planted in each, and in every other tunnel
 * annotation (pod-vpn, wstunnel-extra-ports, wg-mtu, wg-keepalive-seconds), must appear nowhere the
 * plugin writes: its stdout/stderr at debug level, the spans it exports, the argv of every docker
 * call (a wrapper records them), the /create and /status answers, and the helpers' logs.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Pod, PodStatus } from '../../src/contract/api-types.ts';
import { POD_VPN_ANNOTATION, TUNNEL_ANNOTATIONS } from '../../src/pod/tunnel-annotations.ts';
import { wstunnelCommand } from '../fixtures/interlink-mesh.ts';
import { ratholeTlsCommand, sshCommand, tunnelledServer } from '../fixtures/interlink-tunnels.ts';
import { buildCreateRequest, logsRequest, statusRequest } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.ts';
import { ensureTunnelHelperImage, TUNNEL_HELPER_TEST_IMAGE } from '../helpers/tunnel-helper-image.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { createPod, deletePod, JSON_ERRORS, logsOf } from './pod-session.ts';

const secret = (what: string) => `${what}${randomBytes(12).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describeDocker('tunnel annotations are never logged, traced or put on a command line', () => {
  const records = mkdtempSync(join(tmpdir(), 'tunnel-argv-'));
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    await ensureTunnelHelperImage();
  }, 120_000);
  // Registered before usePlugin, so it runs after its stopAll.
  afterAll(async () => {
    await receiver?.close();
    rmSync(records, { recursive: true, force: true });
  });
  const plugin = usePlugin(() => {
    const realDocker = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
    const wrapper = join(records, 'docker-wrapper.sh');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        `f=$(mktemp '${records}/call.XXXXXXXX')`,
        `for a in "$@"; do printf '%s\\0' "$a"; done > "$f"`,
        `exec '${realDocker}' "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    return {
      args: ['--docker', wrapper],
      // A loaded machine starts a traced plugin slowly.
      readyTimeoutMs: 60_000,
      env: {
        PLUGIN_NETWORK_HELPER_IMAGE: TUNNEL_HELPER_TEST_IMAGE,
        PLUGIN_LOG_LEVEL: 'debug',
        ENABLE_TRACING: '1',
        TELEMETRY_ENDPOINT: receiver.endpoint,
      },
    };
  });

  it('keeps every secret out of the log, spans, argv, answers and helper logs', async () => {
    const s = {
      ws: secret('WsPathSecret'),
      rathole: secret('RatholeClientKey'),
      ssh: secret('SshPrivateKey'),
      vpn: secret('PodVpn'),
      ports: secret('ExtraPorts'),
      mtu: secret('WgMtu'),
      keepalive: secret('WgKeepalive'),
    };
    const ratholeKey = `-----BEGIN PRIVATE KEY-----\n${s.rathole}\n-----END PRIVATE KEY-----\n`;
    const sshKey = `-----BEGIN OPENSSH PRIVATE KEY-----\n${s.ssh}\n-----END OPENSSH PRIVATE KEY-----\n`;
    const forbidden = [...Object.values(s), b64(ratholeKey), b64(sshKey)];
    const answers: string[] = [];

    const pods: Array<{ pod: Pod; helper?: string }> = [
      {
        pod: tunnelledServer('wstunnel', wstunnelCommand([8080]).replace('a1b2c3d4e5f6', s.ws)),
        helper: 'interlink-wstunnel',
      },
      { pod: tunnelledServer('rathole', ratholeTlsCommand([8080], ratholeKey)), helper: 'interlink-rathole' },
      { pod: tunnelledServer('ssh', sshCommand([8080], sshKey)), helper: 'interlink-ssh' },
    ];
    const vpn = tunnelledServer('ssh', sshCommand([8080], sshKey));
    Object.assign(vpn.metadata.annotations ?? {}, {
      [POD_VPN_ANNOTATION]: s.vpn,
      'interlink.eu/wstunnel-extra-ports': `9090:${s.ports}`,
      'interlink.eu/wg-mtu': s.mtu,
      'interlink.eu/wg-keepalive-seconds': s.keepalive,
    });
    pods.push({ pod: vpn });

    for (const { pod } of pods) {
      const jid = await createPod(plugin, pod);
      await pollUntil(pod, jid, (st) => st.containers[0]?.ready === true, answers);
    }
    for (const { pod, helper } of pods)
      if (helper) {
        // The helper has run its command: the stand-ins print their start line.
        await expect.poll(() => logsOf(plugin, pod, helper), { timeout: 30_000 }).toMatch(/fake \w+: /);
        answers.push(await logsOf(plugin, pod, helper));
      }
    // A pod on the VPN runs no tunnel client: the VK made no server for it.
    expect((await plugin.request('GET', '/getLogs', logsRequest(vpn, 'interlink-ssh'))).status).toBe(404);

    // Two tunnel commands at once: refused, naming the annotations only.
    const both = tunnelledServer('rathole', ratholeTlsCommand([8080], ratholeKey));
    (both.metadata.annotations ?? {})[TUNNEL_ANNOTATIONS.ssh] = sshCommand([8080], sshKey);
    const refused = await plugin.request('POST', '/create', buildCreateRequest(both), JSON_ERRORS);
    expect(refused.status).toBe(422);
    answers.push(refused.text);
    answers.push((await plugin.request('POST', '/create', buildCreateRequest(both))).text);

    for (const { pod } of pods) await deletePod(plugin, pod);
    await receiver.waitForSpan((span) => span.attributes['http.route'] === '/delete', 30_000);

    const argv = readdirSync(records)
      .filter((f) => f.startsWith('call.'))
      .map((f) => readFileSync(join(records, f), 'utf8'));
    expect(argv.length).toBeGreaterThan(10);
    const places: Record<string, string> = {
      'the plugin log': plugin.logs(),
      'the spans': JSON.stringify(receiver.spans),
      'the docker argv': argv.join('\n'),
      'the answers and helper logs': answers.join('\n'),
    };
    for (const [place, text] of Object.entries(places))
      for (const value of forbidden) expect(text.includes(value), `${value} in ${place}`).toBe(false);
    // The log still names what it ran, by annotation.
    expect(answers.join('\n')).toContain('interlink.eu/ssh-client-commands');
  });

  async function pollUntil(pod: Pod, jid: string, done: (s: PodStatus) => boolean, answers: string[]) {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const res = await plugin.request('GET', '/status', statusRequest(pod, jid));
      answers.push(res.text);
      const [st] = res.status === 200 ? (res.json() as PodStatus[]) : [];
      if (st && done(st)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`status of ${pod.metadata.name} did not reach the expected state: ${answers.at(-1)}`);
  }
});
