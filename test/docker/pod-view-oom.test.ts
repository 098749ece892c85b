/**
 * OOM kills under load: Docker's `die` and `oom` events, and the OOMKilled flag of inspect, arrive
 * in either order. The view must say OOMKilled whichever comes first. A fake docker CLI plays the
 * racy orders deterministically (the real engine cannot be made to reorder them on demand).
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerCli } from '../../src/docker/docker-cli.ts';
import { LABEL } from '../../src/docker/labels.ts';
import { PodView } from '../../src/docker/pod-view.ts';
import { createLogger } from '../../src/log.ts';

const ID = 'c0ffee'.padEnd(64, '0');
const UID = '7d3a0c9e-1b2f-4c1d-9a8e-0f1e2d3c4b5a';
const INSTANCE = 'oom-order';

/** A docker CLI that knows one exited container, whose inspect has not (yet) set OOMKilled. */
function fakeDocker(events: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const startedNs = BigInt(Date.parse('2026-01-01T00:00:00Z')) * 1_000_000n;
  const lines = events.map((action, i) =>
    JSON.stringify({
      Type: 'container',
      Action: action,
      Actor: { ID, Attributes: { exitCode: '137' } },
      time: Number(startedNs / 1_000_000_000n) + 1,
      timeNano: Number(startedNs + 1_000_000_000n + BigInt(i) * 1000n),
    }),
  );
  const inspect = [
    {
      Id: ID,
      Name: '/k8s_default_p_0_app',
      Created: '2026-01-01T00:00:00Z',
      Image: 'sha256:0',
      RestartCount: 0,
      State: {
        Status: 'exited',
        Running: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: 0,
        ExitCode: 137,
        Error: '',
        StartedAt: '2026-01-01T00:00:00.000000001Z',
        FinishedAt: '2026-01-01T00:00:01Z',
      },
      Config: { Image: 'busybox:1.36', Labels: { [LABEL.owner]: INSTANCE, [LABEL.podUid]: UID } },
      NetworkSettings: { IPAddress: '' },
    },
  ];
  const script = `#!/usr/bin/env node
const args = process.argv.slice(2);
if (args[0] === 'ps') process.stdout.write(${JSON.stringify(`${ID}\texited\n`)});
else if (args[0] === 'container' && args[1] === 'inspect') process.stdout.write(${JSON.stringify(JSON.stringify(inspect))});
else if (args[0] === 'events') {
  // After the view's first sync, as a live stream would.
  setTimeout(() => process.stdout.write(${JSON.stringify(`${lines.join('\n')}\n`)}), 200);
  setInterval(() => {}, 1000);
} else process.exit(1);
`;
  const file = join(dir, 'docker');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return file;
}

describe('the pod view under racing OOM signals', () => {
  let view: PodView | undefined;
  afterEach(async () => {
    await view?.close();
  });

  it.each([
    ['die before oom', ['die', 'oom']],
    ['oom before die', ['oom', 'die']],
  ])('reports OOMKilled, now and as the last exit, when %s', async (_, events) => {
    view = new PodView({
      docker: new DockerCli(fakeDocker(events)),
      instance: INSTANCE,
      resyncMs: 3_600_000,
      log: createLogger({ test: 'pod-view-oom' }),
    });
    await view.start();
    await expect
      .poll(() => view?.containersOfPod(UID)[0]?.LastExit?.OOMKilled, { timeout: 10_000 })
      .toBe(true);
    await expect.poll(() => view?.containersOfPod(UID)[0]?.State.OOMKilled, { timeout: 10_000 }).toBe(true);
  });
});
