/**
 * One sidecar per Docker engine: a plugin pointed at a second dockerd with DOCKER_HOST runs its
 * pods there and none on the machine's own engine, the events stream included.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LABEL } from '../../src/docker/labels.ts';
import { createPod, logsOf } from '../e2e/pod-session.ts';
import { allTerminated, pollStatus } from '../e2e/poll.ts';
import { buildPod, TEST_IMAGE } from '../fixtures/pod-builder.ts';
import { describeDocker, dockerPs } from '../helpers/docker.ts';
import { type RunningPlugin, startPlugin, stopAll } from '../helpers/plugin-process.ts';
import { metricValue, parseMetrics } from '../helpers/prometheus-text.ts';
import { loadImage, type SecondDockerd, startSecondDockerd } from '../helpers/second-dockerd.ts';

const run = promisify(execFile);
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

describeDocker('a second Docker engine through DOCKER_HOST', () => {
  let engine: SecondDockerd;
  let plugin: RunningPlugin;
  beforeAll(async () => {
    engine = await startSecondDockerd();
    await loadImage(engine, TEST_IMAGE);
    plugin = await startPlugin({ env: { DOCKER_HOST: engine.host } });
  }, 180_000);
  afterAll(async () => {
    await stopAll();
    await engine?.stop();
  });

  it('runs the pods on that engine and none on the first, and follows its events', async () => {
    const pod = buildPod({
      restartPolicy: 'Never',
      containers: [
        { name: 'first', command: ['sh', '-c', 'echo on the second engine'] },
        { name: 'second', command: ['sh', '-c', 'exit 4'] },
      ],
    });
    const jid = await createPod(plugin, pod);
    const status = await pollStatus(plugin, pod, jid, allTerminated);
    expect(status.containers.map((c) => c.state.terminated?.exitCode)).toEqual([0, 4]);
    expect(await logsOf(plugin, pod, 'first')).toBe('on the second engine\n');

    const there = (await engine.docker(['ps', '-aq', '--filter', `label=${LABEL.owner}=${plugin.instance}`]))
      .split('\n')
      .filter(Boolean);
    // The sandbox and the two containers.
    expect(there).toHaveLength(3);
    expect(await dockerPs([`${LABEL.owner}=${plugin.instance}`])).toEqual([]);

    const metrics = parseMetrics((await plugin.request('GET', '/metrics')).text);
    expect(metricValue(metrics, 'interlink_docker_plugin_events_stream_connected')).toBe(1);
    expect(metricValue(metrics, 'interlink_docker_plugin_containers', { state: 'exited' })).toBe(2);
  });
});

describeDocker('an engine that cannot see the state dir, as a remote one', () => {
  let engine: SecondDockerd;
  const hidden = mkdtempSync(join(tmpdir(), 'not-on-the-engine-'));
  beforeAll(async () => {
    engine = await startSecondDockerd({ hide: hidden });
  }, 180_000);
  afterAll(async () => {
    await engine?.stop();
    rmSync(hidden, { recursive: true, force: true });
  });

  it('makes the plugin refuse to start with a sentence saying where the state dir must be', async () => {
    const stateDir = join(hidden, 'state');
    const result = await run(
      TSX,
      [
        'src/main.ts',
        '--listen',
        '127.0.0.1:0',
        '--instance',
        `hidden-${randomUUID().slice(0, 8)}`,
        '--state-dir',
        stateDir,
      ],
      { cwd: REPO_ROOT, env: { ...process.env, DOCKER_HOST: engine.host, INTERLINKCONFIGPATH: '/dev/null' } },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the Docker daemon cannot see the state dir ${stateDir} at the same path`,
    );
    expect(result.stderr).toContain(
      'with a remote engine (DOCKER_HOST), put it on a path shared with that host',
    );
  });
});
