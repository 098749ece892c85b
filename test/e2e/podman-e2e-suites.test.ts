/**
 * E2e suites of the Docker backend run again, unchanged, against rootful Podman through its
 * Docker-compatible socket: each suite's file is imported inside a describe that points the docker
 * CLI (the tests' own and the plugins they start) at Podman. docs/podman.md says what else ran.
 */
import { expect, it } from 'vitest';
import { runDocker } from '../helpers/docker.ts';
import { describePodman } from '../helpers/podman.ts';

describePodman('on rootful Podman', async () => {
  it("talks to Podman's socket, not to Docker", async () => {
    const { stdout } = await runDocker(['version', '--format', '{{json .Server.Components}}']);
    expect(stdout).toContain('Podman Engine');
  });

  await import('./pod-lifecycle.test.ts');
  await import('./restarts.test.ts');
  await import('./oom-truth.test.ts');
  await import('./termination-messages.test.ts');
});
