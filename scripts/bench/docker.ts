/**
 * The baseline: the same operations done straight with the docker CLI, one process per call,
 * as any tool that shells out to docker would. Also the run's own clean-up by label.
 */
import { spawn } from 'node:child_process';

/** Runs `docker ARGS` to completion and returns its stdout; a non-zero exit throws with stderr. */
export function docker(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else
        reject(
          new Error(
            `docker ${args.slice(0, 2).join(' ')} failed (exit ${code}): ${Buffer.concat(err).toString().trim()}`,
          ),
        );
    });
  });
}

/** Ids of every container (running or not) carrying the label `key=value`. */
export async function containersWithLabel(key: string, value: string): Promise<string[]> {
  const out = await docker(['ps', '-a', '-q', '--no-trunc', '--filter', `label=${key}=${value}`]);
  return out.split('\n').filter(Boolean);
}

/** Force-removes containers in batches; returns how many were removed. */
export async function removeAll(ids: readonly string[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < ids.length; i += 100) {
    const batch = ids.slice(i, i + 100);
    await docker(['rm', '-f', '-v', ...batch]).catch(() => {});
    removed += batch.length;
  }
  return removed;
}
