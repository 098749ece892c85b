/**
 * E2e suites of the Docker backend run again, unchanged, against rootless Podman: the plugins they
 * start run as the test user (scripts/ensure-podman.sh rootless) and the docker CLI talks to that
 * user's socket. oom-truth is not among them: on cgroup v1 a rootless engine cannot apply the
 * memory limits it needs (the plugin refuses them with 422), and the kernel's log is closed to a user.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runDocker } from '../helpers/docker.ts';
import { runPluginsAs } from '../helpers/plugin-process.ts';
import { describeRootlessPodman, podman } from '../helpers/rootless-podman.ts';

describeRootlessPodman('on rootless Podman', async () => {
  const before = process.env.DOCKER_HOST;
  beforeAll(() => {
    process.env.DOCKER_HOST = podman().dockerHost;
    runPluginsAs(podman());
  });
  afterAll(() => {
    runPluginsAs(undefined);
    if (before === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = before;
  });

  it("talks to the test user's Podman", async () => {
    const { stdout } = await runDocker(['version', '--format', '{{json .Server.Components}}']);
    expect(stdout).toContain('Podman Engine');
    expect(process.env.DOCKER_HOST).toBe(`unix:///run/user/${podman().uid}/podman/podman.sock`);
  });

  await import('./pod-lifecycle.test.ts');
  await import('./restarts.test.ts');
});
