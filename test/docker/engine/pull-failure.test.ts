/** A pull refused for want of credentials names the registry and says so (a fake docker CLI). */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerCli } from '../../../src/docker/engine/docker-cli.ts';
import { pullImage } from '../../../src/docker/engine/docker-verbs.ts';
import { registryOf } from '../../../src/docker/engine/pull-failure.ts';

async function dockerSaying(stderr: string): Promise<DockerCli> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-docker-pull-'));
  const bin = join(dir, 'docker');
  await writeFile(bin, `#!/bin/sh\nprintf '%s\\n' '${stderr}' >&2\nexit 1\n`);
  await chmod(bin, 0o755);
  return new DockerCli(bin);
}

describe('a failed pull', () => {
  it.each([
    [
      'registry.example.org/team/app:1',
      'Error response from daemon: Head "https://registry.example.org/v2/team/app/manifests/1": no basic auth credentials',
      'registry.example.org',
    ],
    [
      'ghcr.io/org/private',
      'Error response from daemon: Head "https://ghcr.io/v2/org/private/manifests/latest": unauthorized',
      'ghcr.io',
    ],
    [
      'org/private',
      "Error response from daemon: pull access denied for org/private, repository does not exist or may require 'docker login'",
      'docker.io',
    ],
    ['localhost:5000/app', 'Error response from daemon: authentication required', 'localhost:5000'],
  ])(
    'of %s refused for credentials names the registry and says credentials are missing',
    async (image, stderr, registry) => {
      const err = await pullImage(await dockerSaying(stderr), image).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(`registry ${registry} refused to give image "${image}"`);
      expect((err as Error).message).toMatch(/credentials for it are missing or wrong on the Docker host/);
    },
  );

  it("for another reason keeps docker's own words, without a word on credentials", async () => {
    const err = await pullImage(
      await dockerSaying('Error response from daemon: manifest for app:9 not found'),
      'app:9',
    ).catch((e: Error) => e);
    expect((err as Error).message).toBe('manifest for app:9 not found');
  });

  it.each([
    ['busybox:1.36', 'docker.io'],
    ['library/busybox', 'docker.io'],
    ['quay.io/x/y@sha256:abc', 'quay.io'],
    ['localhost/app', 'localhost'],
    ['myhost:5000/app', 'myhost:5000'],
  ])('reads the registry of %s as %s', (image, want) => {
    expect(registryOf(image)).toBe(want);
  });
});
