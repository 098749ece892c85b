import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { createPod } from '../e2e/pod-session.ts';
import { allRunning, allTerminated, pollStatus } from '../e2e/poll.ts';
import { buildPod } from '../fixtures/pod-builder.ts';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { freePort, httpRequest, startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { histogramOf, type MetricFamily, metricValue, parseMetrics } from '../helpers/prometheus-text.ts';
import { usePlugin } from '../helpers/use-plugin.ts';

const P = 'interlink_docker_plugin_';
const execFileAsync = promisify(execFile);

describeDocker('GET /metrics', () => {
  const plugin = usePlugin({ args: ['--image-pull-backoff', '1'] });

  async function scrape(): Promise<Map<string, MetricFamily>> {
    const res = await plugin.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseMetrics(res.text);
  }

  /** Containers of this plugin by state, as docker ps shows them. */
  async function dockerStates(): Promise<Record<string, number>> {
    const { stdout } = await runDocker([
      'ps',
      '-a',
      '--filter',
      `label=${LABEL.owner}=${plugin.instance}`,
      '--format',
      '{{.State}}',
    ]);
    const counts: Record<string, number> = {};
    for (const s of stdout.split('\n').filter(Boolean)) counts[s] = (counts[s] ?? 0) + 1;
    return counts;
  }

  it('counts pods by phase and containers by state as Docker shows them, and times requests and docker commands', async () => {
    const running = buildPod({
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'sleeper', command: ['sleep', '300'] }],
    });
    const succeeded = buildPod({ restartPolicy: 'Never', containers: [{ name: 'ok', command: ['true'] }] });
    const failed = buildPod({
      restartPolicy: 'Never',
      containers: [
        { name: 'bad', command: ['sh', '-c', 'exit 3'] },
        { name: 'fine', command: ['true'] },
      ],
    });
    const jids = new Map<string, string>();
    for (const pod of [running, succeeded, failed]) jids.set(pod.metadata.uid, await createPod(plugin, pod));
    await pollStatus(plugin, running, jids.get(running.metadata.uid) ?? '', allRunning);
    await pollStatus(plugin, succeeded, jids.get(succeeded.metadata.uid) ?? '', allTerminated);
    await pollStatus(plugin, failed, jids.get(failed.metadata.uid) ?? '', allTerminated);

    const m = await scrape();
    expect(metricValue(m, `${P}pods`, { phase: 'Running' })).toBe(1);
    expect(metricValue(m, `${P}pods`, { phase: 'Succeeded' })).toBe(1);
    expect(metricValue(m, `${P}pods`, { phase: 'Failed' })).toBe(1);
    expect(metricValue(m, `${P}pods`, { phase: 'Pending' })).toBe(0);
    expect(metricValue(m, `${P}view_pods`)).toBe(3);

    const docker = await dockerStates();
    const total = Object.values(docker).reduce((a, b) => a + b, 0);
    // One-container pods have no sandbox; the two-container pod has one: 1 + 1 + 3 containers.
    expect(total).toBe(5);
    expect(metricValue(m, `${P}view_containers`)).toBe(total);
    for (const state of ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']) {
      expect(metricValue(m, `${P}containers`, { state }), `containers in state ${state}`).toBe(
        docker[state] ?? 0,
      );
    }

    expect(
      metricValue(m, `${P}http_request_duration_seconds`, { route: '/create', method: 'POST', code: '200' }),
    ).toBe(3);
    expect(
      metricValue(m, `${P}http_request_duration_seconds`, { route: '/status', code: '200' }),
    ).toBeGreaterThan(0);
    const created = histogramOf(m, `${P}http_request_duration_seconds`, { route: '/create', code: '200' });
    expect(created.sum).toBeGreaterThan(0);
    expect(created.infBucket).toBe(3);
    expect(m.get(`${P}http_request_duration_seconds`)?.type).toBe('HISTOGRAM');
    expect(
      metricValue(m, `${P}docker_command_duration_seconds`, { verb: 'run', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(3);
    expect(metricValue(m, `${P}events_stream_connected`)).toBe(1);
    expect(metricValue(m, `${P}events_stream_reconnects_total`)).toBe(0);
    expect(m.get('process_resident_memory_bytes')?.type).toBe('GAUGE');

    const unknown = await plugin.request('GET', '/nope');
    expect(unknown.status).toBe(404);
    expect(
      metricValue(await scrape(), `${P}http_request_duration_seconds`, { route: 'unmatched', code: '404' }),
    ).toBe(1);
  });

  it('says when the events stream broke and counts its reconnects', async () => {
    const { stdout } = await execFileAsync('pgrep', ['-f', `events .*${LABEL.owner}=${plugin.instance}`]);
    const pids = stdout.split('\n').filter(Boolean).map(Number);
    expect(pids).toHaveLength(1);
    process.kill(pids[0] as number, 'SIGKILL');
    // The plugin starts the stream again after a second: wait for the metrics to say so.
    let m = await scrape();
    const deadline = Date.now() + 30_000;
    while (
      Date.now() < deadline &&
      (metricValue(m, `${P}events_stream_reconnects_total`) < 1 ||
        metricValue(m, `${P}events_stream_connected`) < 1)
    ) {
      await new Promise((r) => setTimeout(r, 50));
      m = await scrape();
    }
    expect(metricValue(m, `${P}events_stream_reconnects_total`)).toBe(1);
    expect(metricValue(m, `${P}events_stream_connected`)).toBe(1);
  });

  it('counts failed image pulls', async () => {
    const image = `localhost/metrics-pull-${randomBytes(4).toString('hex')}:1`;
    const pod = buildPod({ containers: [{ name: 'late', image, command: ['true'] }] });
    const jid = await createPod(plugin, pod);
    await pollStatus(plugin, pod, jid, (s) =>
      ['ErrImagePull', 'ImagePullBackOff'].includes(s.containers[0]?.state.waiting?.reason ?? ''),
    );
    const m = await scrape();
    expect(metricValue(m, `${P}image_pull_failures_total`)).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(m, `${P}docker_command_duration_seconds`, { verb: 'pull', outcome: 'error' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(m, `${P}image_pulls_in_flight`)).toBeGreaterThanOrEqual(0);
  });
});

describeDocker('PLUGIN_METRICS_LISTEN', () => {
  afterAll(stopAll);

  it('serves /metrics and the probes on a port of their own, without the token, and nothing else', async () => {
    const port = await freePort();
    const plugin = await startPlugin({
      listen: 'unix',
      args: ['--metrics-listen', `127.0.0.1:${port}`, '--auth-token', 'secret'],
    });
    const probes = { baseUrl: `http://127.0.0.1:${port}` };
    expect((await plugin.request('GET', '/metrics')).status).toBe(401);
    const scraped = await httpRequest(probes, 'GET', '/metrics');
    expect(scraped.status).toBe(200);
    expect(parseMetrics(scraped.text).has(`${P}view_pods`)).toBe(true);
    expect((await httpRequest(probes, 'GET', '/healthz')).status).toBe(200);
    expect((await httpRequest(probes, 'GET', '/readyz')).status).toBe(200);
    expect((await httpRequest(probes, 'GET', '/status', [])).status).toBe(404);
    expect((await httpRequest(probes, 'POST', '/create', {})).status).toBe(404);
  });
});
