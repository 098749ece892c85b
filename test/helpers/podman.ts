/**
 * Tests against rootful Podman (scripts/ensure-podman.sh): gate suites on its socket answering, and
 * point this test file's docker CLI (runDocker, dockerRmByLabel, and the plugins it starts) at it.
 */
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { PODMAN_ROOTFUL_HOST } from './podman-host.ts';

export { PODMAN_ROOTFUL_HOST };

/**
 * `describe` when rootful Podman answers, with DOCKER_HOST pointing at it for the suite (and put
 * back after), otherwise `describe.skip`: skipped, never passed. `fn` may be async (it imports
 * suites). With REQUIRE_PODMAN=1 (.ci/run)
 * the global setup has already failed the run instead.
 */
export function describePodman(name: string, fn: () => void | Promise<void>): void {
  if (!inject('podmanAvailable')) {
    describe.skip(`${name} (skipped: ${inject('podmanUnavailableReason')})`, fn);
    return;
  }
  describe(name, () => {
    const before = process.env.DOCKER_HOST;
    beforeAll(() => {
      process.env.DOCKER_HOST = PODMAN_ROOTFUL_HOST;
    });
    afterAll(() => {
      if (before === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = before;
    });
    // A suite that imports others (podman-e2e-suites.test.ts) collects them before it returns.
    return fn();
  });
}
