/** The docker CLI runner against fake CLIs: a call that hangs is killed at its timeout and answers with an error. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, expect, it } from 'vitest';
import { streamLogs } from '../../../src/docker/containers/container-logs.ts';
import { DockerCli, DockerCliError, OUTPUT_CEILING_BYTES } from '../../../src/docker/engine/docker-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake docker CLI: a shell script that writes its pid to `pidFile`, then runs `body`. */
function fakeCli(name: string, body: string): { bin: string; pidFile: string } {
  const bin = join(dir, name);
  const pidFile = join(dir, `${name}.pid`);
  writeFileSync(bin, `#!/bin/sh\necho $$ > ${pidFile}\n${body}\n`);
  chmodSync(bin, 0o755);
  return { bin, pidFile };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('kills a docker call that passes its timeout and fails it, naming the command and the limit', async () => {
  const { bin, pidFile } = fakeCli('hangs', 'exec sleep 600');
  const docker = new DockerCli(bin, { callMs: 300, pullMs: 600_000 });
  const err = await docker.run(['ps', '-a']).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DockerCliError);
  expect((err as DockerCliError).message).toMatch(
    /`.*hangs ps -a` failed .*no answer within 0.3 s: the docker command was killed/,
  );
  const pid = Number(readFileSync(pidFile, 'utf8'));
  while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
});

it('answers even when the hung CLI left a process holding its output open', async () => {
  // The script's own child keeps stdout open after the script is killed.
  const { bin } = fakeCli('grandchild', 'sleep 5 & wait');
  const docker = new DockerCli(bin, { callMs: 300, pullMs: 600_000 });
  await expect(docker.run(['info'])).rejects.toThrow(/no answer within 0.3 s/);
});

it('gives pulls their own, longer timeout, and a call its own when it names one', () => {
  const docker = new DockerCli('docker', { callMs: 60_000, pullMs: 1_800_000 });
  expect(docker.timeoutFor(['pull', 'busybox'])).toBe(1_800_000);
  expect(docker.timeoutFor(['ps', '-a'])).toBe(60_000);
});

it('does not time out a call that finishes in time', async () => {
  const { bin } = fakeCli('quick', 'echo "[]"');
  const docker = new DockerCli(bin, { callMs: 60_000, pullMs: 600_000 });
  expect((await docker.run(['container', 'inspect', 'x'])).stdout).toBe('[]\n');
});

it('ends a log answer whose docker logs hangs, with what it wrote, at the timeout', async () => {
  const { bin } = fakeCli('logs-hang', 'echo first line; exec sleep 600');
  const docker = new DockerCli(bin, { callMs: 300, pullMs: 600_000 });
  const stream = streamLogs(docker, ['logs', 'some-container'], 0, new AbortController().signal);
  expect(await new Response(stream).text()).toBe('first line\n');
});

it("runs a brief docker call with Go's collector put off (GOGC=400), a long-lived one and a pull as they are", async () => {
  const { bin } = fakeCli('gogc', 'echo "gogc=$GOGC"');
  const docker = new DockerCli(bin, { callMs: 60_000, pullMs: 600_000 });
  const read = (child: ReturnType<DockerCli['spawn']>) =>
    new Response(Readable.toWeb(child.stdout) as ReadableStream).text();
  const saved = process.env.GOGC;
  delete process.env.GOGC;
  try {
    expect((await docker.run(['container', 'inspect', 'x'])).stdout).toBe('gogc=400\n');
    expect((await docker.run(['pull', 'busybox'])).stdout).toBe('gogc=\n');
    expect(await read(docker.spawn(['events']))).toBe('gogc=\n');
    const logs = streamLogs(docker, ['some-container'], 0, new AbortController().signal);
    expect(await new Response(logs).text()).toBe('gogc=400\n');
    const follow = streamLogs(docker, ['--follow', 'some-container'], 0, new AbortController().signal);
    expect(await new Response(follow).text()).toBe('gogc=\n');
    process.env.GOGC = '150';
    expect((await docker.run(['container', 'inspect', 'x'])).stdout).toBe('gogc=150\n');
  } finally {
    if (saved === undefined) delete process.env.GOGC;
    else process.env.GOGC = saved;
  }
});

it('keeps the first maxOutputBytes of stdout and stderr of a call that prints more, and reads it to its end', async () => {
  const { bin } = fakeCli(
    'loud',
    'head -c 3000000 /dev/zero | tr "\\0" a; head -c 3000000 /dev/zero | tr "\\0" b >&2; exit 3',
  );
  const docker = new DockerCli(bin, { callMs: 60_000, pullMs: 600_000 });
  const err = (await docker
    .run(['exec', 'x', 'sh'], { maxOutputBytes: 10_240 })
    .catch((e: unknown) => e)) as DockerCliError;
  expect(err).toBeInstanceOf(DockerCliError);
  expect(err.exitCode).toBe(3);
  expect(err.stdout).toBe('a'.repeat(10_240));
  expect(err.stderr).toBe('b'.repeat(10_240));
});

it('stops a call that prints more than the plugin could hold, and fails it instead of exiting', async () => {
  const { bin } = fakeCli('flood', `head -c ${OUTPUT_CEILING_BYTES + 1} /dev/zero; exec sleep 60`);
  const docker = new DockerCli(bin, { callMs: 60_000, pullMs: 600_000 });
  const err = (await docker.run(['inspect', 'x']).catch((e: unknown) => e)) as DockerCliError;
  expect(err).toBeInstanceOf(DockerCliError);
  expect(err.message).toContain('printed more than 256 MiB');
});
