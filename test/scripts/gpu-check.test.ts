/**
 * scripts/gpu-check.sh on a host without GPUs: a fake `nvidia-smi` on the host lists three GPUs,
 * and the image's `nvidia-smi -L` lists what NVIDIA_VISIBLE_DEVICES names, as the nvidia runtime
 * would expose it; the plugin runs in env mode. Everything else is real: the sidecar, curl, Docker.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDocker, runDocker } from '../helpers/docker.ts';
import { freePort } from '../helpers/plugin-process.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const UUIDS = [0, 1, 2].map((i) => `GPU-${String(i).repeat(8)}-0000-4000-8000-00000000000${i}`);

const HOST_SMI = `#!/bin/sh
case "$*" in
  *index,uuid*) printf '${UUIDS.map((u, i) => `${i}, ${u}\\n`).join('')}' ;;
  *uuid*) printf '${UUIDS.map((u) => `${u}\\n`).join('')}' ;;
esac
`;

/** What a container sees: honest, or every GPU whatever it was given. */
const containerSmi = (honest: boolean) => `#!/bin/sh
${honest ? 'ids=$NVIDIA_VISIBLE_DEVICES' : `ids=${UUIDS.join(',')}`}
case "$ids" in ''|void|none) echo "No devices were found"; exit 6 ;; esac
i=0
for id in $(echo "$ids" | tr , ' '); do echo "GPU $i: Fake GPU (UUID: $id)"; i=$((i+1)); done
`;

describeDocker('scripts/gpu-check.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-check-test-'));
  const images: Record<'honest' | 'leaky', string> = {
    honest: `gpu-check-fake:${randomUUID().slice(0, 8)}`,
    leaky: `gpu-check-leaky:${randomUUID().slice(0, 8)}`,
  };

  beforeAll(async () => {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'nvidia-smi'), HOST_SMI);
    chmodSync(join(dir, 'bin', 'nvidia-smi'), 0o755);
    for (const kind of ['honest', 'leaky'] as const) {
      const file = join(dir, `smi-${kind}`);
      writeFileSync(file, containerSmi(kind === 'honest'));
      chmodSync(file, 0o755);
      const id = (await runDocker(['create', 'busybox:1.36', 'true'])).stdout.trim();
      try {
        await runDocker(['cp', file, `${id}:/bin/nvidia-smi`]);
        await runDocker(['commit', id, images[kind]]);
      } finally {
        await runDocker(['rm', '-f', id]);
      }
    }
  });

  afterAll(async () => {
    await runDocker(['rmi', '-f', ...Object.values(images)]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  async function gpuCheck(image: string): Promise<{ code: number; output: string }> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith('PLUGIN_')) env[k] = v;
    env.PATH = `${join(dir, 'bin')}:${process.env.PATH ?? ''}`;
    const port = String(await freePort());
    return new Promise((done) => {
      execFile(
        'bash',
        ['scripts/gpu-check.sh', '--mode', 'env', '--image', image, '--port', port],
        { cwd: REPO_ROOT, env, timeout: 170_000 },
        (err, stdout, stderr) => {
          const output = stdout + stderr;
          // A failed run keeps its work dir for the operator; the test removes it.
          const kept = /plugin log kept in (\/tmp\/gpu-check\.\w+)\//.exec(output)?.[1];
          if (kept) rmSync(kept, { recursive: true, force: true });
          done({ code: err ? Number(err.code ?? 1) : 0, output });
        },
      );
    });
  }

  it('passes every check when each container sees only its own GPUs', async () => {
    const { code, output } = await gpuCheck(images.honest);
    expect(output).toContain('PASS the ping declares 3 GPUs as a string');
    expect(output).toContain('PASS the 3 pods see 3 different GPUs');
    expect(output).toContain('PASS a pod without GPUs sees none');
    expect(output).toMatch(/PASS a GPU pod beyond the 3 GPUs is refused: .*UnexpectedAdmissionError/);
    expect(output).toContain('PASS a pod asking for 3 GPUs sees all 3 once the others are deleted');
    expect(output).toContain('9 passed, 0 failed');
    expect(code, output).toBe(0);
  }, 180_000);

  it('fails when containers see GPUs that are not theirs', async () => {
    const { code, output } = await gpuCheck(images.leaky);
    expect(output).toMatch(/FAIL gpu-check-0 sees 3 GPUs/);
    expect(output).toMatch(/FAIL a pod without GPUs sees GPU-/);
    expect(code).not.toBe(0);
  }, 180_000);
});
