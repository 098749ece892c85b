import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import {
  BUILTIN_PAUSE_IMAGE,
  ensurePauseImage,
  pauseElf,
  singleFileTar,
} from '../../../src/docker/lifecycle/pause-image.ts';
import { describeDocker, runDocker } from '../../helpers/docker.ts';

const hostArch = process.arch === 'arm64' ? 'arm64' : 'x64';

/** Whether the process has a handler installed for `signal` (the SigCgt mask of /proc/PID/status). */
function catches(pid: number, signal: number): boolean {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^SigCgt:\s*([0-9a-f]+)$/m);
  return line !== null && ((BigInt(`0x${line[1]}`) >> BigInt(signal - 1)) & 1n) === 1n;
}

describe('the built-in sandbox image', () => {
  it.each([
    ['x64', 0x3e],
    ['arm64', 0xb7],
  ] as const)('is a static ELF64 executable for %s', (arch, machine) => {
    const elf = pauseElf(arch);
    expect(elf.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(elf.readUInt16LE(18)).toBe(machine);
    // The entry point lies inside the one loaded segment.
    const entry = Number(elf.readBigUInt64LE(24));
    expect(entry - 0x400000).toBeLessThan(elf.length);
  });

  it('is packed in a tar archive that tar itself reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pause-'));
    const file = join(dir, 'pause.tar');
    const content = pauseElf('x64');
    writeFileSync(file, singleFileTar('pause', content));
    const listing = execFileSync('tar', ['-tvf', file], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rwxr-xr-x .* pause\n$/);
    const extracted = execFileSync('tar', ['-xOf', file, 'pause']);
    expect(Buffer.compare(extracted, content)).toBe(0);
  });

  it.each([
    ['SIGTERM', 15],
    ['SIGINT', 2],
  ] as const)("exits 0 on %s, as Kubernetes' pause does", async (signal, number) => {
    const file = join(mkdtempSync(join(tmpdir(), 'pause-')), 'pause');
    writeFileSync(file, pauseElf(hostArch), { mode: 0o755 });
    const child = spawn(file, { stdio: 'ignore' });
    const exited = once(child, 'exit');
    const pid = child.pid ?? -1;
    // Wait until the handler is in place: a signal before that would kill it the default way.
    await expect.poll(() => catches(pid, number), { timeout: 10_000, interval: 10 }).toBe(true);
    child.kill(signal);
    expect(await exited).toEqual([0, null]);
  });
});

describeDocker('the built-in sandbox image on the engine', () => {
  it('stops at once on docker stop and exits 0, instead of being killed after the grace period', async () => {
    await ensurePauseImage(new DockerCli(), BUILTIN_PAUSE_IMAGE);
    const name = `pause-image-test-${process.pid}`;
    await runDocker(['run', '-d', '--name', name, BUILTIN_PAUSE_IMAGE]);
    try {
      // A grace period far longer than the test: only a handled SIGTERM lets stop return with 0.
      await runDocker(['stop', '--time', '600', name], { timeoutMs: 120_000 });
      const { stdout } = await runDocker(['inspect', '--format', '{{.State.ExitCode}}', name]);
      expect(stdout.trim()).toBe('0');
    } finally {
      await runDocker(['rm', '-f', name]);
    }
  });
});
