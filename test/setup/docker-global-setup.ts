/**
 * Runs once before all test files: finds out whether the Docker engine answers and the local test
 * image exists, and hands the answer to the tests (`inject('dockerAvailable')`). Under CI, or with
 * REQUIRE_DOCKER=1, a missing engine or image fails the whole run instead of skipping Docker tests.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { TEST_IMAGE } from '../fixtures/pod-builder.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Docker engine answers and the test image exists: Docker tests run. */
    dockerAvailable: boolean;
    /** Why Docker tests are skipped, or '' when they run. */
    dockerUnavailableReason: string;
  }
}

const run = promisify(execFile);

async function dockerProblem(): Promise<string | undefined> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') return 'the docker CLI is not installed';
    return `\`docker info\` failed: ${(e.stderr || e.message).trim().split('\n')[0]}`;
  }
  try {
    await run('docker', ['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE], { timeout: 20_000 });
  } catch {
    return `the test image ${TEST_IMAGE} does not exist (run scripts/make-test-image.sh)`;
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
}
