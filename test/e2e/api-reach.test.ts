/**
 * An API no pod can reach unless the operator says so: a pod under the defaults finds nothing on
 * the plugin's port (its own loopback, the host's bridge address), cannot get the host's network
 * to try the host's loopback, and the plugin refuses to listen where the network could reach it
 * without a token.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCreateRequest, buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker } from '../helpers/docker.ts';
import {
  freePort,
  httpRequest,
  type RunningPlugin,
  startPlugin,
  stopAll,
} from '../helpers/plugin-process.ts';
import { usePlugin } from '../helpers/use-plugin.ts';
import { deletePod, expectRefusal, JSON_ERRORS, podContainerIds, runToEnd } from './pod-session.ts';

const root = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Shell lines that set $gw to the pod's gateway (the host's address on the pod's bridge) from /proc/net/route. */
const FIND_GATEWAY = [
  `h=$(awk '$2=="00000000" {print $3; exit}' /proc/net/route)`,
  `gw=$(echo "$h" | sed 's/\\(..\\)\\(..\\)\\(..\\)\\(..\\)/\\4 \\3 \\2 \\1/' | { read a b c d; printf '%d.%d.%d.%d' 0x$a 0x$b 0x$c 0x$d; })`,
].join('; ');

/** A shell line that POSTs to url and says whether any HTTP answer came back (busybox wget: no -T, it crashes). */
const tryPost = (label: string, url: string) =>
  `wget -S -O /dev/null --post-data='[]' ${url} 2>&1 | grep -q 'HTTP/' && echo "${label}: reached" || echo "${label}: refused"`;

/** Requests the plugin served for a client other than the tests (which always send a session header). */
const foreignRequests = (plugin: RunningPlugin) =>
  plugin
    .logs()
    .split('\n')
    .filter((l) => l.includes('"msg":"request"') && l.includes('"session":"local-'));

describeDocker('the plugin API seen from a pod under the defaults', () => {
  const plugin = usePlugin({ args: ['--log-level', 'debug'] });
  const port = () => new URL(plugin.baseUrl ?? '').port;

  it('is not on the pod’s loopback nor on the host’s bridge address, and hears nothing from the pod', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [
        {
          name: 'probe',
          command: [
            'sh',
            '-c',
            `${tryPost('loopback', `http://127.0.0.1:${port()}/status`)}; ${FIND_GATEWAY}; ${tryPost('gateway $gw', `http://$gw:${port()}/status`)}`,
          ],
        },
      ],
    });
    const { status, logs } = await runToEnd(plugin, pod, {}, 60_000);
    expect(logs.probe).toMatch(/^loopback: refused\ngateway \d+\.\d+\.\d+\.\d+: refused\n$/);
    expect(status.containers[0]?.state.terminated?.exitCode).toBe(0);
    expect(foreignRequests(plugin)).toEqual([]);
    await deletePod(plugin, pod);
  });

  it('cannot get the host’s network, where the host’s loopback would answer', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      hostNetwork: true,
      containers: [
        {
          name: 'probe',
          command: ['sh', '-c', tryPost('host loopback', `http://127.0.0.1:${port()}/status`)],
        },
      ],
    });
    const body = expectRefusal(
      await plugin.request('POST', '/create', buildCreateRequest(pod), JSON_ERRORS),
      403,
    );
    expect(body.error).toContain('host namespaces (hostNetwork=true)');
    expect(await podContainerIds(pod)).toEqual([]);
    expect(foreignRequests(plugin)).toEqual([]);
  });
});

/** Starts the plugin expecting it to refuse: its exit code and what it said. */
async function refusal(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(resolve(root, 'node_modules/.bin/tsx'), ['src/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, INTERLINKCONFIGPATH: '/dev/null' },
      timeout: 30_000,
    });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('a listener the network could reach', () => {
  it('refuses to serve the API on a non-loopback address without a token', async () => {
    const port = await freePort();
    const { code, stderr } = await refusal(['--listen', `0.0.0.0:${port}`]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `PLUGIN_LISTEN (--listen): 0.0.0.0:${port} is not a loopback address and PLUGIN_AUTH_TOKEN (--auth-token) is empty`,
    );
  });

  it('refuses to serve /metrics on a non-loopback address without a token', async () => {
    const port = await freePort();
    const { code, stderr } = await refusal([
      '--listen',
      '127.0.0.1:0',
      '--metrics-listen',
      `0.0.0.0:${port}`,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `PLUGIN_METRICS_LISTEN (--metrics-listen): 0.0.0.0:${port} is not a loopback address and PLUGIN_METRICS_TOKEN (--metrics-token) is empty`,
    );
  });
});

describeDocker('what the operator is told and what a token guards', () => {
  afterAll(stopAll);

  it('warns once at start-up when pods may share the host’s network and the TCP API has no token', async () => {
    const plugin = await startPlugin({ args: ['--pod-security-level', 'privileged'] });
    await plugin.waitForLog(/"msg":"serving the interLink plugin API"/);
    const warnings = plugin
      .logs()
      .split('\n')
      .filter((l) => l.includes('"level":"warn"') && l.includes('hostNetwork'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /PLUGIN_POD_SECURITY_LEVEL is privileged, so a pod may share this host.s network/,
    );
    expect(warnings[0]).toContain(
      `the plugin API on ${plugin.baseUrl?.slice('http://'.length)} has no token`,
    );
  });

  it('says nothing of the kind under the default level', async () => {
    const plugin = await startPlugin();
    await plugin.waitForLog(/"msg":"serving the interLink plugin API"/);
    expect(plugin.logs()).not.toMatch(/"level":"warn".*hostNetwork/);
  });

  it('takes the bearer scheme in any case (RFC 7235)', async () => {
    const plugin = await startPlugin({ args: ['--auth-token', 's3cret'] });
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const res = await plugin.request('GET', '/status', [], { Authorization: `${scheme} s3cret` });
      expect(res.status, scheme).toBe(200);
    }
    expect((await plugin.request('GET', '/status', [], { Authorization: 'bearer nope' })).status).toBe(401);
  });

  it('guards /metrics on a public address with its own token, and leaves the probes open', async () => {
    const port = await freePort();
    await startPlugin({
      listen: 'unix',
      args: ['--metrics-listen', `0.0.0.0:${port}`, '--metrics-token', 'scrape'],
    });
    const probes = { baseUrl: `http://127.0.0.1:${port}` };
    const without = await httpRequest(probes, 'GET', '/metrics');
    expect(without.status).toBe(401);
    expect(without.text).toContain('PLUGIN_METRICS_TOKEN');
    expect(
      (await httpRequest(probes, 'GET', '/metrics', undefined, { Authorization: 'Bearer scrape' })).status,
    ).toBe(200);
    expect((await httpRequest(probes, 'GET', '/healthz')).status).toBe(200);
    expect((await httpRequest(probes, 'GET', '/readyz')).status).toBe(200);
  });
});
