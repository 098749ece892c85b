/**
 * OOM kills as the kernel tells them: a 137 exit is OOMKilled only when the kernel log records the
 * kill (read when the exit is seen, so never shown as a plain error first) or Docker reports one;
 * any other 137 exit reads as an error at once. A fake docker CLI and a kernel log in a file play
 * what the real engine cannot be made to do on demand (Docker missing an OOM kill, events reordered).
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { monotonicZeroMs } from '../../../src/docker/view/kernel-oom-log.ts';
import { PodView } from '../../../src/docker/view/pod-view.ts';
import { createLogger } from '../../../src/log.ts';
import { containerInspect, ZERO_TIME } from '../../fixtures/container-inspect.ts';

const ID = 'c0ffee'.padEnd(64, '0');
const UID = '7d3a0c9e-1b2f-4c1d-9a8e-0f1e2d3c4b5a';
const INSTANCE = 'oom-order';

/**
 * A docker CLI that knows one container: running until the stream has reported its `die`, then
 * exited with 137 and an inspect flag that never says OOMKilled. The events come `gapMs` apart,
 * once the test has created the `go` file after the view's first sync, as a live stream would (a
 * slow first sync must not read the exit before the stream tells it). With `kernelKill`, the
 * kernel log (a file here) records the container's OOM kill just before its `die` is played.
 */
function fakeDocker(
  events: readonly string[],
  gapMs: number,
  kernelKill: boolean,
): { bin: string; go: string; kernelLog: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const died = join(dir, 'died');
  const go = join(dir, 'go');
  const kernelLog = join(dir, 'kmsg');
  writeFileSync(kernelLog, '6,1,1000,-;unrelated boot line\n');
  const startedMs = Date.now() - 60_000;
  const STARTED = new Date(startedMs).toISOString();
  // The kernel stamps a record with its monotonic clock, in microseconds.
  const killUsec = Math.round((startedMs + 500 - monotonicZeroMs()) * 1000);
  const kernelLine = kernelKill
    ? `3,2,${killUsec},-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=${ID},mems_allowed=0,` +
      `oom_memcg=/interlink/pod/${ID},task_memcg=/interlink/pod/${ID},task=dd,pid=4242,uid=0\n`
    : '';
  const lines = events.map((action, i) =>
    JSON.stringify({
      Type: 'container',
      Action: action,
      Actor: { ID, Attributes: { exitCode: '137' } },
      time: Math.floor(startedMs / 1000) + 1,
      timeNano: (startedMs + 1000) * 1e6 + i * 1000,
    }),
  );
  const container = (exited: boolean) =>
    containerInspect({
      id: ID,
      status: exited ? 'exited' : 'running',
      exitCode: exited ? 137 : 0,
      startedAt: STARTED,
      state: {
        Pid: exited ? 0 : 42,
        FinishedAt: exited ? new Date(startedMs + 1000).toISOString() : ZERO_TIME,
      },
      labels: { [LABEL.owner]: INSTANCE, [LABEL.podUid]: UID },
      memory: 16 * 1024 * 1024,
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
    if (line.includes('"die"')) {
      fs.appendFileSync(${JSON.stringify(kernelLog)}, ${JSON.stringify(kernelLine)});
      fs.writeFileSync(${JSON.stringify(died)}, '');
    }
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
  return { bin, go, kernelLog };
}

interface Seen {
  status: string;
  oom: boolean;
  lastOom: boolean | undefined;
}

/** Starts a view on the fake, plays its events and records every state listeners were told of. */
async function watch(
  fake: ReturnType<typeof fakeDocker>,
  kernel: boolean,
): Promise<{ view: PodView; seen: Seen[] }> {
  const view = new PodView({
    docker: new DockerCli(fake.bin),
    instance: INSTANCE,
    resyncMs: 3_600_000,
    log: createLogger({ test: 'pod-view-oom' }),
    kernelLog: kernel ? fake.kernelLog : false,
    onThisKernel: () => true,
  });
  const seen: Seen[] = [];
  view.onChange(() => {
    const c = view.containersOfPod(UID)[0];
    if (c) seen.push({ status: c.State.Status, oom: c.State.OOMKilled, lastOom: c.LastExit?.OOMKilled });
  });
  await view.start();
  writeFileSync(fake.go, '');
  return { view, seen };
}

describe('OOM kills in the pod view', () => {
  let view: PodView | undefined;
  afterEach(async () => {
    await view?.close();
  });

  it.each([
    ['Docker reports nothing', ['die']],
    ['Docker’s oom event comes after the die', ['die', 'oom']],
  ])('reports the kernel’s OOM kill at once, now and as the last exit, when %s', async (_, events) => {
    const run = await watch(fakeDocker(events, 200, true), true);
    view = run.view;
    await expect.poll(() => run.seen.find((s) => s.status === 'exited'), { timeout: 10_000 }).toBeDefined();
    expect(run.seen.filter((s) => s.status === 'exited')).not.toContainEqual(
      expect.objectContaining({ oom: false }),
    );
    expect(run.view.containersOfPod(UID)[0]?.LastExit?.OOMKilled).toBe(true);
  });

  it('reports OOMKilled once Docker’s oom event comes, when the kernel log cannot be read', async () => {
    const run = await watch(fakeDocker(['die', 'oom'], 200, true), false);
    view = run.view;
    await expect
      .poll(() => run.view.containersOfPod(UID)[0]?.State.OOMKilled, { timeout: 10_000 })
      .toBe(true);
    expect(run.view.containersOfPod(UID)[0]?.LastExit?.OOMKilled).toBe(true);
  });

  it('shows a 137 exit that neither the kernel nor Docker reports as an OOM kill as a plain exit', async () => {
    const run = await watch(fakeDocker(['die'], 200, false), true);
    view = run.view;
    await expect
      .poll(() => run.view.containersOfPod(UID)[0]?.State.Status, { timeout: 10_000 })
      .toBe('exited');
    expect(run.seen.filter((s) => s.status === 'exited' && (s.oom || s.lastOom))).toEqual([]);
    expect(run.view.containersOfPod(UID)[0]?.LastExit).toMatchObject({ ExitCode: 137, OOMKilled: false });
  });
});
