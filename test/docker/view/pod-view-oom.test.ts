/**
 * OOM kills under load: Docker's `die` and `oom` events, and the OOMKilled flag of inspect, arrive
 * in either order. The view must say OOMKilled whichever comes first, and must never show the
 * exit as a plain error in between (the VK keeps the first terminal reason it sees). A fake
 * docker CLI plays the racy orders deterministically (the real engine cannot be made to reorder
 * them on demand).
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { PodView } from '../../../src/docker/view/pod-view.ts';
import { createLogger } from '../../../src/log.ts';

const ID = 'c0ffee'.padEnd(64, '0');
const UID = '7d3a0c9e-1b2f-4c1d-9a8e-0f1e2d3c4b5a';
const INSTANCE = 'oom-order';
const STARTED = '2026-01-01T00:00:00.000000001Z';

/**
 * A docker CLI that knows one container: running until the stream has reported its `die`, then
 * exited with 137 and an inspect flag that has not (yet) set OOMKilled. The events come `gapMs`
 * apart, once the test has created the `go` file after the view's first sync, as a live stream
 * would (a slow first sync must not read the exit before the stream tells it).
 */
function fakeDocker(events: readonly string[], gapMs: number): { bin: string; go: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const died = join(dir, 'died');
  const go = join(dir, 'go');
  const startedMs = Date.parse('2026-01-01T00:00:00Z');
  const lines = events.map((action, i) =>
    JSON.stringify({
      Type: 'container',
      Action: action,
      Actor: { ID, Attributes: { exitCode: '137' } },
      time: Math.floor(startedMs / 1000) + 1,
      timeNano: (startedMs + 1000) * 1e6 + i * 1000,
    }),
  );
  const container = (exited: boolean) => ({
    Id: ID,
    Name: '/k8s_default_p_0_app',
    Created: '2026-01-01T00:00:00Z',
    Image: 'sha256:0',
    RestartCount: 0,
    State: {
      Status: exited ? 'exited' : 'running',
      Running: !exited,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: exited ? 0 : 42,
      ExitCode: exited ? 137 : 0,
      Error: '',
      StartedAt: STARTED,
      FinishedAt: exited ? '2026-01-01T00:00:01Z' : '0001-01-01T00:00:00Z',
    },
    Config: { Image: 'busybox:1.36', Labels: { [LABEL.owner]: INSTANCE, [LABEL.podUid]: UID } },
    HostConfig: { Memory: 16 * 1024 * 1024 },
    NetworkSettings: { IPAddress: '' },
  });
  const script = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
const exited = fs.existsSync(${JSON.stringify(died)});
if (args[0] === 'ps') process.stdout.write(${JSON.stringify(ID)} + (exited ? '\\texited\\n' : '\\trunning\\n'));
else if (args[0] === 'container' && args[1] === 'inspect')
  process.stdout.write(JSON.stringify([exited ? ${JSON.stringify(container(true))} : ${JSON.stringify(container(false))}]));
else if (args[0] === 'events') {
  const lines = ${JSON.stringify(lines)};
  const play = () => lines.forEach((line, i) => setTimeout(() => {
    if (line.includes('"die"')) fs.writeFileSync(${JSON.stringify(died)}, '');
    process.stdout.write(line + '\\n');
  }, i * ${gapMs}));
  const wait = setInterval(() => {
    if (!fs.existsSync(${JSON.stringify(go)})) return;
    clearInterval(wait);
    play();
  }, 20);
  setInterval(() => {}, 1000);
} else process.exit(1);
`;
  const bin = join(dir, 'docker');
  writeFileSync(bin, script);
  chmodSync(bin, 0o755);
  return { bin, go };
}

describe('the pod view under racing OOM signals', () => {
  let view: PodView | undefined;
  afterEach(async () => {
    await view?.close();
  });

  it.each([
    ['die before oom', ['die', 'oom']],
    ['oom before die', ['oom', 'die']],
  ])(
    'reports OOMKilled, now and as the last exit, and never a plain exit first, when %s',
    async (_, events) => {
      const fake = fakeDocker(events, 200);
      const current = new PodView({
        docker: new DockerCli(fake.bin),
        instance: INSTANCE,
        resyncMs: 3_600_000,
        log: createLogger({ test: 'pod-view-oom' }),
      });
      view = current;
      const seen: Array<{ status: string; oom: boolean }> = [];
      current.onChange(() => {
        const c = current.containersOfPod(UID)[0];
        if (c) seen.push({ status: c.State.Status, oom: c.State.OOMKilled });
      });
      await current.start();
      writeFileSync(fake.go, '');
      await expect
        .poll(() => current.containersOfPod(UID)[0]?.LastExit?.OOMKilled, { timeout: 10_000 })
        .toBe(true);
      await expect
        .poll(() => current.containersOfPod(UID)[0]?.State.OOMKilled, { timeout: 10_000 })
        .toBe(true);
      expect(seen.filter((s) => s.status === 'exited')).not.toContainEqual({ status: 'exited', oom: false });
    },
  );
});
