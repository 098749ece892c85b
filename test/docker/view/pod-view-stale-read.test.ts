/**
 * An engine whose reads trail its events: Podman reports a run as running until its monitor has
 * seen the exit, so the read a `die` event sets off can still show the run it ended. The view reads
 * again shortly, instead of showing the container running until the next resync. A fake docker
 * CLI plays it: after the die, its first two inspects still say running.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { LABEL } from '../../../src/docker/labels.ts';
import { PodView } from '../../../src/docker/view/pod-view.ts';
import { createLogger } from '../../../src/log.ts';
import { containerInspect, ZERO_TIME } from '../../fixtures/container-inspect.ts';

const ID = 'feed'.padEnd(64, '0');
const UID = '1f2e3d4c-5b6a-4978-8877-665544332211';
const INSTANCE = 'stale-read';

function fakeDocker(staleReads: number): { bin: string; go: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const died = join(dir, 'died');
  const reads = join(dir, 'reads');
  const go = join(dir, 'go');
  // Died a second ago, as the stream tells it: the view reads again only soon after an exit.
  const startedMs = Date.now() - 2000;
  const container = (exited: boolean) =>
    containerInspect({
      id: ID,
      status: exited ? 'exited' : 'running',
      exitCode: exited ? 3 : 0,
      startedAt: new Date(startedMs).toISOString(),
      state: {
        Pid: exited ? 0 : 42,
        FinishedAt: exited ? new Date(startedMs + 1000).toISOString() : ZERO_TIME,
      },
      labels: { [LABEL.owner]: INSTANCE, [LABEL.podUid]: UID },
    });
  const die = JSON.stringify({
    Type: 'container',
    Action: 'die',
    Actor: { ID, Attributes: { exitCode: '3' } },
    time: Math.floor(startedMs / 1000) + 1,
    timeNano: (startedMs + 1000) * 1e6,
  });
  const script = `#!/usr/bin/env node
const fs = require('node:fs');
const args = process.argv.slice(2);
const after = fs.existsSync(${JSON.stringify(died)})
  ? (fs.existsSync(${JSON.stringify(reads)}) ? Number(fs.readFileSync(${JSON.stringify(reads)}, 'utf8')) : 0)
  : -1;
const exited = after >= ${staleReads};
if (args[0] === 'ps') process.stdout.write(${JSON.stringify(ID)} + '\\trunning\\n');
else if (args[0] === 'container' && args[1] === 'inspect') {
  if (after >= 0) fs.writeFileSync(${JSON.stringify(reads)}, String(after + 1));
  process.stdout.write(JSON.stringify([exited ? ${JSON.stringify(container(true))} : ${JSON.stringify(container(false))}]));
} else if (args[0] === 'events') {
  const wait = setInterval(() => {
    if (!fs.existsSync(${JSON.stringify(go)})) return;
    clearInterval(wait);
    fs.writeFileSync(${JSON.stringify(died)}, '');
    process.stdout.write(${JSON.stringify(die)} + '\\n');
  }, 20);
  setInterval(() => {}, 1000);
} else process.exit(1);
`;
  const bin = join(dir, 'docker');
  writeFileSync(bin, script);
  chmodSync(bin, 0o755);
  return { bin, go };
}

describe('a read that trails the die event', () => {
  let view: PodView | undefined;
  afterEach(async () => {
    await view?.close();
  });

  it('is read again until it shows the exit, with no further event', async () => {
    const fake = fakeDocker(2);
    view = new PodView({
      docker: new DockerCli(fake.bin),
      instance: INSTANCE,
      resyncMs: 3_600_000,
      log: createLogger({ test: 'pod-view-stale-read' }),
      kernelLog: false,
      onThisKernel: () => true,
    });
    await view.start();
    expect(view.containersOfPod(UID)[0]?.State.Status).toBe('running');
    writeFileSync(fake.go, '');
    await expect.poll(() => view?.containersOfPod(UID)[0]?.State.Status, { timeout: 5_000 }).toBe('exited');
    expect(view.containersOfPod(UID)[0]?.State.ExitCode).toBe(3);
  });
});
