/**
 * Docker helpers for tests: gate suites on a working engine, and run the docker CLI with an
 * argument vector (never a shell) to look at and clean up what the plugin made.
 */
import { execFile } from 'node:child_process';
import { describe, inject } from 'vitest';

/** Whether the global setup found a Docker engine and the test image. */
export function dockerAvailable(): boolean {
  return inject('dockerAvailable');
}

/**
 * `describe` when Docker is available, otherwise `describe.skip`, so the suite shows as skipped,
 * never as passed. Under CI (or REQUIRE_DOCKER=1) the global setup has already failed the run instead.
 */
export function describeDocker(name: string, fn: () => void): void {
  if (dockerAvailable()) {
    describe(name, fn);
  } else {
    describe.skip(`${name} (skipped: ${inject('dockerUnavailableReason')})`, fn);
  }
}

export interface DockerResult {
  stdout: string;
  stderr: string;
}

/** Runs `docker ...args`; rejects with the command, exit code and stderr on failure. */
export function runDocker(
  args: readonly string[],
  opts: { timeoutMs?: number; dockerHost?: string } = {},
): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'docker',
      [...args],
      {
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        ...(opts.dockerHost ? { env: { ...process.env, DOCKER_HOST: opts.dockerHost } } : {}),
      },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as { code?: unknown }).code;
          reject(
            new Error(`docker ${args.join(' ')} failed (${String(code)}): ${stderr.trim() || err.message}`),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function labelFilterArgs(labelFilters: Record<string, string> | readonly string[]): string[] {
  const filters = Array.isArray(labelFilters)
    ? (labelFilters as readonly string[])
    : Object.entries(labelFilters).map(([k, v]) => `${k}=${v}`);
  return filters.flatMap((f) => ['--filter', `label=${f}`]);
}

/**
 * IDs of all containers (running or not) matching every label filter:
 * `{ key: value }` or `['key=value', 'key']` (a bare key matches any value).
 */
export async function dockerPs(labelFilters: Record<string, string> | readonly string[]): Promise<string[]> {
  const { stdout } = await runDocker(['ps', '-a', '-q', '--no-trunc', ...labelFilterArgs(labelFilters)]);
  return lines(stdout);
}

/**
 * Removes every container, then network and volume, carrying `label` (`key=value` or `key`), on the
 * default engine or the one at `dockerHost`. Returns how many containers were removed. Tolerates
 * objects that vanish meanwhile.
 */
export async function dockerRmByLabel(label: string, dockerHost?: string): Promise<number> {
  const on = dockerHost ? { dockerHost } : {};
  const ps = async () =>
    lines((await runDocker(['ps', '-a', '-q', '--no-trunc', ...labelFilterArgs([label])], on)).stdout);
  const ids = await ps();
  if (ids.length > 0) {
    await runDocker(['rm', '-f', '-v', ...ids], on).catch(async (err: unknown) => {
      // A container removed concurrently (e.g. by the plugin) makes the batch fail; retry one by one.
      const left = await ps();
      const failed = (await Promise.allSettled(left.map((id) => runDocker(['rm', '-f', '-v', id], on)))).some(
        (r) => r.status === 'rejected',
      );
      if (failed) throw err;
    });
  }
  const networks = lines((await runDocker(['network', 'ls', '-q', '--filter', `label=${label}`], on)).stdout);
  for (const id of networks) await runDocker(['network', 'rm', id], on).catch(() => undefined);
  const volumes = lines((await runDocker(['volume', 'ls', '-q', '--filter', `label=${label}`], on)).stdout);
  if (volumes.length > 0) await runDocker(['volume', 'rm', '-f', ...volumes], on).catch(() => undefined);
  return ids.length;
}
