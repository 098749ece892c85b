/**
 * Probes and hooks on the fake engine (test/helpers/fake-engine.ts): readiness follows the
 * probe's answers, an exec probe runs its argv in the container, and a failing liveness probe
 * restarts the container. Real timers (a probe's period is at least a second); every wait polls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ContainerProbes } from '../../../src/docker/containers/container-probes.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { createLogger } from '../../../src/log.ts';
import type { ContainerProbeSpec } from '../../../src/pod/probe-spec.ts';
import { FakeEngine } from '../../helpers/fake-engine.ts';

const UID = 'probe-pod-uid';

async function until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One running container of a one-container pod, with these probes. */
async function running(engine: FakeEngine, spec: ContainerProbeSpec): Promise<string> {
  const labels = {
    [LABEL.podUid]: UID,
    [LABEL.role]: 'main',
    [LABEL.containerName]: 'app',
    [LABEL.restartPolicy]: 'Always',
    [LABEL.probes]: JSON.stringify(spec),
  };
  const flags = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  return engine.makeContainer(['run', '-d', '--name', 'k8s_app', ...flags, '--', 'busybox:1.36']);
}

const exec = (...command: string[]) => ({ exec: { command } });

describe('container probes on the fake engine', () => {
  let probes: ContainerProbes | undefined;
  afterEach(() => probes?.close());

  function watch(engine: FakeEngine): ContainerProbes {
    probes = new ContainerProbes({
      engine,
      view: engine.view,
      log: createLogger({ test: 'container-probes' }, () => {}),
    });
    probes.start();
    return probes;
  }

  it('keeps a container not ready until its exec readiness probe succeeds', async () => {
    const engine = new FakeEngine();
    let ready = false;
    engine.execAnswer = () => ({ exitCode: ready ? 0 : 1, output: ready ? 'ok' : 'not yet' });
    const id = await running(engine, { readinessProbe: { ...exec('cat', '/tmp/ready'), periodSeconds: 1 } });
    const p = watch(engine);
    await until('the probe ran once', () => engine.verbs().some((v) => v.startsWith('exec')));
    expect(p.ready(id)).toBe(false);
    ready = true;
    await until('the container is ready', () => p.ready(id) === true);
  });

  it("runs an exec probe's command in the container as its argv, words kept whole", async () => {
    const engine = new FakeEngine();
    const id = await running(engine, {
      readinessProbe: { ...exec('sh', '-c', 'test -f "/tmp/a b"; echo $HOME'), periodSeconds: 1 },
    });
    watch(engine);
    await until('the probe ran', () => engine.calls.some((c) => c.verb === 'exec'));
    expect(engine.calls.find((c) => c.verb === 'exec')?.subject).toBe(
      `${id} sh -c test -f "/tmp/a b"; echo $HOME`,
    );
  });

  it('restarts a container whose liveness probe fails, through Docker, and probes the new run', async () => {
    const engine = new FakeEngine();
    // The first run is unhealthy; the run the restart makes is healthy.
    engine.execAnswer = (id) => ({
      exitCode: (engine.containers.get(id)?.starts ?? 0) >= 2 ? 0 : 1,
      output: '',
    });
    const id = await running(engine, {
      livenessProbe: { ...exec('true'), periodSeconds: 1, failureThreshold: 1 },
      terminationGracePeriodSeconds: 1,
    });
    const p = watch(engine);
    await until('the container was started again', () => (engine.containers.get(id)?.starts ?? 0) >= 2);
    // The new run is probed again, and not killed once more while its probe passes.
    const execs = () => engine.calls.filter((c) => c.verb === 'exec').length;
    const before = execs();
    await until('the new run was probed twice', () => execs() >= before + 2);
    expect(engine.verbs().filter((v) => /^(stop|start)Containers/.test(v))).toEqual([
      `stopContainers ${id}`,
      `startContainers ${id}`,
    ]);
    expect(engine.containers.get(id)?.starts).toBe(2);
    expect(p.ready(id)).toBeUndefined();
  });
});
