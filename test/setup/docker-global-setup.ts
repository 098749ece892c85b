/**
 * Runs once before all test files: finds out whether the Docker engine answers and the local test
 * image exists, and hands the answer to the tests (`inject('dockerAvailable')`). Under CI, or with
 * REQUIRE_DOCKER=1, a missing engine or image fails the whole run instead of skipping Docker tests.
 * The same for rootful Podman's Docker-compatible socket (`inject('podmanAvailable')`), required
 * with REQUIRE_PODMAN=1 (.ci/run sets it after scripts/ensure-podman.sh).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { TEST_IMAGE } from '../fixtures/pod-builder.ts';
import { PODMAN_ROOTFUL_HOST } from '../helpers/podman-host.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Docker engine answers and the test image exists: Docker tests run. */
    dockerAvailable: boolean;
    /** Why Docker tests are skipped, or '' when they run. */
    dockerUnavailableReason: string;
    /** Rootful Podman answers on its socket and has the test image: Podman tests run. */
    podmanAvailable: boolean;
    /** Why Podman tests are skipped, or '' when they run. */
    podmanUnavailableReason: string;
  }
}

const run = promisify(execFile);

/** What keeps tests on the engine at `dockerHost` (undefined: the environment's) from running. */
async function dockerProblem(dockerHost?: string): Promise<string | undefined> {
  const env = dockerHost ? { ...process.env, DOCKER_HOST: dockerHost } : process.env;
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000, env });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return 'the docker CLI is not installed';
    return `\`docker info\` failed: ${(e.stderr || e.message).trim().split('\n')[0]}`;
  }
  try {
    await run('docker', ['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE], { timeout: 20_000, env });
  } catch {
    return dockerHost
      ? `the test image ${TEST_IMAGE} is not in Podman's store (run scripts/ensure-podman.sh)`
      : `the test image ${TEST_IMAGE} does not exist (run scripts/make-test-image.sh)`;
  }
  return undefined;
}

function dockerRequired(): boolean {
  const ci = process.env.CI;
  return (
    (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') || process.env.REQUIRE_DOCKER === '1'
  );
}

export default async function setup(project: TestProject): Promise<void> {
  const problem = await dockerProblem();
  if (problem && dockerRequired()) {
    throw new Error(
      `Docker is required for this run (CI or REQUIRE_DOCKER=1) but ${problem}. ` +
        'Run `bash scripts/ensure-docker.sh && bash scripts/make-test-image.sh` first.',
    );
  }
  if (problem) {
    console.warn(`[docker-global-setup] Docker tests will be SKIPPED: ${problem}`);
  }
  project.provide('dockerAvailable', problem === undefined);
  project.provide('dockerUnavailableReason', problem ?? '');

  const podman = await dockerProblem(PODMAN_ROOTFUL_HOST);
  if (podman && process.env.REQUIRE_PODMAN === '1') {
    throw new Error(
      `Podman is required for this run (REQUIRE_PODMAN=1) but on ${PODMAN_ROOTFUL_HOST} ${podman}. ` +
        'Run `bash scripts/ensure-podman.sh rootful` first.',
    );
  }
  project.provide('podmanAvailable', podman === undefined);
  project.provide('podmanUnavailableReason', podman ? `rootful Podman: ${podman}` : '');
}
